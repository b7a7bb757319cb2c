"""Settings from command-line flags and MOCKSERVER_* environment variables."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .resources import DEFAULT_FIXTURES_DIR
from .store import is_url

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 9011  # FusionAuth's own default port
# FusionAuth documents no request size limit; 1 MiB is far above any real request of these APIs.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# Entries the request journal keeps (GET /_mock/requests); 0 turns the journal off.
DEFAULT_JOURNAL_SIZE = 1000


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Config:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    # None: a temporary database file that is deleted when the server stops. A postgresql:// URL: a database that a
    # fleet of nodes shares (store_pg.py).
    state_path: str | None = None
    fixtures_dir: str = str(DEFAULT_FIXTURES_DIR)
    # Overrides the value of the first API key of the fixtures (MOCKSERVER_FUSIONAUTH_API_KEY).
    fusionauth_api_key: str | None = None
    # Overrides the game API key of the first LootLocker game of the fixtures (MOCKSERVER_LOOTLOCKER_GAME_KEY).
    lootlocker_game_key: str | None = None
    # Validate every response against the OpenAPI documents; a drift becomes a 500 that names it.
    strict: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    # Requests the journal keeps (oldest dropped first); 0: no journal.
    journal_size: int = DEFAULT_JOURNAL_SIZE
    # Makes random fault delays reproducible (None: not reproducible).
    seed: int | None = None
    # A FusionAuth Kickstart file: FusionAuth's side starts as a fresh install plus this file (run once per state).
    kickstart: str | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Config:
        env = os.environ
        values: dict[str, object] = {
            "host": env.get("MOCKSERVER_HOST", DEFAULT_HOST),
            "port": int(env.get("MOCKSERVER_PORT", DEFAULT_PORT)),
            "workers": int(env.get("MOCKSERVER_WORKERS", 1)),
            "state_path": env.get("MOCKSERVER_STATE") or None,
            "fixtures_dir": env.get("MOCKSERVER_FIXTURES") or str(DEFAULT_FIXTURES_DIR),
            "fusionauth_api_key": env.get("MOCKSERVER_FUSIONAUTH_API_KEY") or None,
            "lootlocker_game_key": env.get("MOCKSERVER_LOOTLOCKER_GAME_KEY") or None,
            "strict": _env_bool("MOCKSERVER_STRICT", False),
            "max_body_bytes": int(env.get("MOCKSERVER_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)),
            "journal_size": int(env.get("MOCKSERVER_JOURNAL_SIZE", DEFAULT_JOURNAL_SIZE)),
            "seed": int(env["MOCKSERVER_SEED"]) if env.get("MOCKSERVER_SEED") else None,
            # FusionAuth's own variable, so that a docker-compose set-up for FusionAuth works unchanged.
            "kickstart": env.get("FUSIONAUTH_APP_KICKSTART_FILE") or None,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment that makes Config.from_env() in a worker process equal to this config."""
        env = {
            "MOCKSERVER_HOST": self.host,
            "MOCKSERVER_PORT": str(self.port),
            "MOCKSERVER_WORKERS": str(self.workers),
            "MOCKSERVER_FIXTURES": str(Path(self.fixtures_dir).resolve()),
            "MOCKSERVER_STRICT": "1" if self.strict else "0",
            "MOCKSERVER_MAX_BODY_BYTES": str(self.max_body_bytes),
            "MOCKSERVER_JOURNAL_SIZE": str(self.journal_size),
        }
        if self.seed is not None:
            env["MOCKSERVER_SEED"] = str(self.seed)
        if self.state_path:
            env["MOCKSERVER_STATE"] = (
                self.state_path if is_url(self.state_path) else str(Path(self.state_path).resolve())
            )
        if self.fusionauth_api_key:
            env["MOCKSERVER_FUSIONAUTH_API_KEY"] = self.fusionauth_api_key
        if self.lootlocker_game_key:
            env["MOCKSERVER_LOOTLOCKER_GAME_KEY"] = self.lootlocker_game_key
        if self.kickstart:
            env["FUSIONAUTH_APP_KICKSTART_FILE"] = str(Path(self.kickstart).resolve())
        return env

    def as_dict(self) -> dict[str, object]:
        return asdict(self)
