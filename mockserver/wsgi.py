"""WSGI entry point for worker processes: the configuration comes from MOCKSERVER_* variables."""

from __future__ import annotations

from flask import Flask

from .app import create_app
from .config import Config


def app_from_env() -> Flask:
    return create_app(Config.from_env())
