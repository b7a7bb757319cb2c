"""create_app(config) → the Flask application serving FusionAuth, LootLocker and the control plane."""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import uuid
import weakref
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from . import fixtures as fixture_files
from .config import Config
from .control import routes as control_routes
from .dispatch import Dispatcher
from .faults import Faults
from .fusionauth import collections as fusionauth_collections
from .fusionauth import kickstart as kickstarts
from .fusionauth import routes as fusionauth_routes
from .fusionauth.collections import API_KEYS, APPLICATIONS, TENANTS
from .fusionauth.fresh_install import FIXTURE_TENANT_MANAGER_ID, admin_applications
from .fusionauth.fresh_install import state as fresh_install
from .http_errors import http_error_response, unexpected_response
from .identities import INDEXES as identity_indexes
from .journal import Journal
from .lootlocker import collections as lootlocker_collections
from .lootlocker import control as lootlocker_control
from .lootlocker import routes as lootlocker_routes
from .lootlocker.admin import routes as lootlocker_admin_routes
from .lootlocker.collections import GAMES
from .openapi import specs as load_specs
from .routing import FAULTS
from .store import State, Store

# Bump when the stored form of documents changes (a store.Derivations, jsontext.dumps_document): state
# files written before are rewritten once at start. 1: derived lookup fields; 2: documents only the
# standard library can encode are marked.
DERIVED_LAYOUT = "2"


def _fixture_loader(config: Config) -> State:
    state = fixture_files.load(config.fixtures_dir, load_specs())
    # FusionAuth's own applications exist in every install: the demo fixtures' Default tenant gets them too.
    tenants = state.get(TENANTS, {})
    default = next((t for t in tenants.values() if t.get("name") == "Default"), next(iter(tenants.values()), None))
    if default is not None:
        applications = state.setdefault(APPLICATIONS, {})
        for id, application in admin_applications(default["id"], FIXTURE_TENANT_MANAGER_ID).items():
            applications.setdefault(id, application)
    keys = state.get(API_KEYS, {})
    if config.fusionauth_api_key and keys:
        first = next(iter(keys.values()))
        first["key"] = config.fusionauth_api_key
    games = state.get(GAMES, {})
    if config.lootlocker_game_key and games:
        next(iter(games.values()))["game_key"] = config.lootlocker_game_key
    return state


KICKSTART = "kickstart"  # meta key: "pending" until the file's requests have run, then "done"
BASELINE = "kickstart.baseline"  # meta key: the state right after the Kickstart, what /_mock/reset returns to


def _kickstart_seed(config: Config, fixtures: State) -> tuple[State, dict[str, str]]:
    """A fresh FusionAuth install plus the Kickstart file's API keys; LootLocker and the identities from fixtures."""
    assert config.kickstart is not None
    kickstart = kickstarts.load(config.kickstart)
    fusionauth, builtins = fresh_install(kickstart.default_tenant_id, kickstart.tenant_manager_id)
    state: State = {kind: docs for kind, docs in fixtures.items() if not kind.startswith("fusionauth.")}
    state.update(fusionauth)
    state[API_KEYS] = kickstarts.api_keys(kickstart, builtins)
    return state, builtins


def _apply_kickstart(app: Flask, config: Config, store: Store) -> None:
    """Run the Kickstart's requests through the app itself, once per state (workers and nodes wait on a lock)."""
    assert config.kickstart is not None
    with store.exclusive("kickstart"):
        if store.read().get_meta(KICKSTART) != "pending":
            return
        kickstart = kickstarts.load(config.kickstart)
        builtins = json.loads(store.read().get_meta("kickstart.builtins") or "{}")
        keys = store.read().all(API_KEYS)
        temporary = None
        if not keys:  # a file without apiKeys: its requests run with a key that is removed afterwards
            temporary = {"id": str(uuid.uuid4()), "key": secrets.token_urlsafe(32)}
            with store.write() as tx:
                tx.put(API_KEYS, temporary["id"], temporary)
        client = app.test_client()

        def send(method: str, url: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
            response = client.open(url, method=method, headers=headers, data=body)
            return response.status_code, response.get_data()

        api_key = temporary["key"] if temporary else keys[0]["key"]
        try:
            kickstarts.run(kickstart, builtins, api_key, send)
        except kickstarts.KickstartError:
            with store.write() as tx:  # nothing half-applied stays: a fixed file runs again on the next start
                tx.replace_all({})
                tx.delete_meta("seeded", KICKSTART)
            raise
        with store.write() as tx:
            if temporary:
                tx.delete(API_KEYS, temporary["id"])
            tx.set_meta(BASELINE, json.dumps(tx.dump()))
            tx.set_meta(KICKSTART, "done")


def open_store(state_path: str) -> Store:
    """The state's store as the app uses it: its collections' lookup fields, derived fields, cached and ranked kinds."""
    return Store(
        state_path,
        indexes={**identity_indexes, **fusionauth_collections.INDEXES, **lootlocker_collections.INDEXES},
        derive=fusionauth_collections.DERIVED,
        watched=(*fusionauth_collections.WATCHED, *lootlocker_collections.WATCHED),
        ranked=lootlocker_collections.RANKED,
    )


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    specs = load_specs()
    fixtures = _fixture_loader(config)  # validated now: a broken fixture stops the start

    app = Flask("mockserver")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["MOCKSERVER_STRICT"] = config.strict
    app.config["MOCKSERVER_CONFIG"] = config

    if config.state_path:
        state_path = config.state_path
    else:
        # No --state: a private temporary database, deleted with the app. (A file rather than
        # SQLite's :memory: so that the same code path serves one process or many.)
        folder = tempfile.mkdtemp(prefix="mockserver-")
        state_path = str(Path(folder) / "state.sqlite3")
        weakref.finalize(app, shutil.rmtree, folder, ignore_errors=True)
    store = open_store(state_path)
    with store.write() as tx:
        # The first process to start seeds the database; restarts on a --state file keep its state.
        if tx.get_meta("seeded") is None:
            if config.kickstart:
                seed, builtins = _kickstart_seed(config, fixtures)
                tx.replace_all(seed)
                tx.set_meta("seeded", KICKSTART)
                tx.set_meta("kickstart.builtins", json.dumps(builtins))
                tx.set_meta(KICKSTART, "pending")
            else:
                tx.replace_all(fixtures)
                tx.set_meta("seeded", "fixtures")
            tx.set_meta("derived", DERIVED_LAYOUT)
        elif tx.get_meta("derived") != DERIVED_LAYOUT:
            # A --state file written by an older version: store its documents as this one does, once.
            tx.rewrite()
            tx.set_meta("derived", DERIVED_LAYOUT)
    app.extensions["mockserver.store"] = store
    faults = Faults(store, config.seed)
    app.extensions[FAULTS] = faults
    journal = Journal(state_path, config.journal_size, config.workers)
    journal.install(app)
    app.extensions["mockserver.journal"] = journal

    fusionauth_routes.register(app, specs, store)
    lootlocker_routes.register(app, specs, store)
    lootlocker_admin_routes.register(app, specs, store)
    control_routes.register(
        app,
        specs,
        store,
        lambda: _reset_state(config, store),
        extra={**lootlocker_control.handlers(store), **journal.handlers(), **faults.handlers()},
        on_reset=journal.clear,
    )
    _register_error_handlers(app)
    # Vendor operations skip Flask's request machinery (see dispatch.py); everything else goes through Flask.
    app.wsgi_app = Dispatcher(app, config.max_body_bytes, faults, journal)  # type: ignore[method-assign]
    if config.kickstart:
        _apply_kickstart(app, config, store)
    return app


def close_app(app: Flask) -> None:
    """Shut an app down in-process: its journal's background writer stops and its stores let go of the database
    (before a test drops a PostgreSQL database under it; `mockserver serve` simply exits)."""
    app.extensions["mockserver.journal"].close()
    app.extensions["mockserver.store"].close()


def _reset_state(config: Config, store: Store) -> State:
    """What POST /_mock/reset returns to: the state right after the Kickstart, or the fixtures."""
    baseline = store.read().get_meta(BASELINE)
    return json.loads(baseline) if baseline else _fixture_loader(config)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return http_error_response(request.path, error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        return unexpected_response(request.method, request.path)
