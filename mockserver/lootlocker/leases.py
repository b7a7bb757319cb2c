"""Remote-session leases: a game shows a code, the player signs in on another device (the mock's page at
PAGE_PATH, the auth client v3 routes, or the control plane: all three drive the one state machine below), and
the game's polling turns into a session (login lease) or into an account it can attach (link lease).

Life of a lease: CREATED → CLAIMED → VERIFIED → AUTHORIZED, or CANCELLED from any of these. An authorized
login lease is spent by the poll that returns its session; an authorized link lease by the attach call.
A lease lives LEASE_TTL_SECONDS; after that, or once cancelled or spent, its code is rejected (400).
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import segno

from ..identities import Identities
from ..routing import Call
from ..store import Store, Tx
from . import errors, ids
from .collections import LEASES
from .connected_accounts import ConnectedAccounts, require_enabled
from .games import Game, Games
from .players import Players
from .providers import PROVIDERS, Provider, for_registry, view
from .sessions import Sessions
from .white_label import WhiteLabel

LEASE_TTL_SECONDS = 600
PAGE_PATH = "/_mock/lootlocker/remote"  # the page a lease's redirect_url and display_url open (web/remote.py)
PENDING = ("CREATED", "CLAIMED", "VERIFIED")
NEXT = {"claim": ("CREATED", "CLAIMED"), "verify": ("CLAIMED", "VERIFIED")}

Lease = dict[str, Any]
CODE = re.compile(r"^[A-Z0-9]{1,16}$")


def _key(code: str) -> str | None:
    """A typed code as a lease key; None for what cannot be one (never sent to the store as a key)."""
    key = code.strip().upper()
    return key if CODE.match(key) else None


def base_url(call: Call) -> str:
    """The scheme and host the request came to: the lease's URLs work behind whatever port or name serves it."""
    return call.request.host_url.rstrip("/") if call.request is not None else "http://localhost"


def page_url(base: str, code: str | None = None, nonce: str | None = None) -> str:
    query = {k: v for k, v in (("code", code), ("nonce", nonce)) if v}
    return f"{base}{PAGE_PATH}?{urlencode(query)}" if query else f"{base}{PAGE_PATH}"


def qr_png_base64(url: str) -> str:
    """A QR code of `url` as a base64 PNG, as LootLocker's redirect_url_qr_base64 (a phone camera opens it)."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=4)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class SignIn:
    """Whom the player signs in as when authorizing: an existing player (`player_ulid`, control plane only), an
    upstream account of the shared identity registry (`provider` + `identity_id`), a White Label account of the
    lease's game (`email` + `password`), or nobody (a login lease then makes a new player)."""

    player_ulid: str | None = None
    provider: str | None = None
    identity_id: str | None = None
    email: str | None = None
    password: str | None = None


class Leases:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.games = Games(store)
        self.accounts = ConnectedAccounts(store)
        self.registry = Identities(store)
        self.white_label = WhiteLabel(store)

    # -- the game's side ---------------------------------------------------------------------------
    def game_of(self, body: dict[str, Any]) -> Game:
        """The game a lease request names: title_id + environment_id, or (older SDKs) a game key."""
        if body.get("title_id") or body.get("environment_id"):
            if not body.get("title_id"):
                raise errors.missing("title_id")
            if not body.get("environment_id"):
                raise errors.missing("environment_id")
            return self.games.by_title(str(body["title_id"]), str(body["environment_id"]))
        if body.get("game_key") or body.get("game_api_key"):
            return self.games.for_request(body)
        raise errors.missing("title_id")

    def begin(
        self, game: Game, intent: str, requester_id: str | None = None, base: str = "http://localhost"
    ) -> dict[str, Any]:
        """A new lease. `requester_id`: the player a link lease attaches to (None: any player of the game who
        knows code and nonce, as for the auth client's leases). `base`: scheme and host of the request."""
        with self.store.write() as tx:
            code = ids.human_code()
            while tx.get(LEASES, code) is not None:
                code = ids.human_code()
            lease = {
                "id": code,
                "game_id": game["id"],
                "intent": intent,
                "nonce": ids.ulid(),
                "status": "CREATED",
                "created_at": ids.iso_now(),
                "expires": ids.epoch_now() + LEASE_TTL_SECONDS,
                "requester_id": requester_id,
                "player_id": None,
                "provider": None,
                "subject": None,
            }
            tx.put(LEASES, code, lease)
        redirect_url = page_url(base, code, lease["nonce"])
        return {
            "code": code,
            "nonce": lease["nonce"],
            "redirect_url": redirect_url,
            "redirect_url_qr_base64": qr_png_base64(redirect_url),
            "display_url": page_url(base),
            "status": "CREATED",
            "intent": intent,
        }

    @staticmethod
    def _live(tx: Tx, game: Game, code: str, nonce: str, code_param: str) -> Lease:
        lease = tx.get(LEASES, code)
        if lease is None or lease["game_id"] != game["id"]:
            raise errors.invalid(code_param, "no such lease")
        if lease["status"] == "CANCELLED":
            raise errors.invalid(code_param, "the lease was cancelled")
        if lease["status"] == "SPENT":
            raise errors.invalid(code_param, "the lease was already used")
        if lease["expires"] < ids.epoch_now():
            raise errors.invalid(code_param, "the lease has expired")
        if lease["nonce"] != nonce:
            raise errors.invalid("nonce", "the nonce does not match the lease")
        return lease

    def poll(self, game: Game, code: str, nonce: str) -> dict[str, Any]:
        with self.store.write() as tx:
            lease = self._live(tx, game, code, nonce, "lease_code")
            status = {"lease_status": lease["status"], "intent": lease["intent"]}
            if lease["status"] != "AUTHORIZED" or lease["intent"] != "login":
                return status
            player = Players.get(tx, lease["player_id"])
            response = Sessions.start(tx, game, player, lease["player_created"], "remote", player["identifier"])
            response["refresh_token"] = Sessions.new_refresh_token(tx, game, player, "remote", None)
            lease["status"] = "SPENT"
            tx.put(LEASES, code, lease)
            return {**response, **status}

    def attach(self, player_id: str, game: Game, code: str, nonce: str) -> dict[str, str]:
        """Connect the account a link lease was authorized with to the player who began the lease."""
        with self.store.write() as tx:
            lease = self._live(tx, game, code, nonce, "code")
            if lease["intent"] != "link":
                raise errors.invalid("code", "not a link lease")
            if lease["status"] != "AUTHORIZED":
                raise errors.invalid("code", f"the lease is not authorized yet (status {lease['status']})")
            if lease["requester_id"] not in (None, player_id):
                raise errors.forbidden("The lease was begun by another player.")
            provider = PROVIDERS[lease["provider"]]
            require_enabled(game, provider)
            self.accounts.attach(tx, Players.get(tx, player_id), provider, lease["subject"])
            lease["status"] = "SPENT"
            tx.put(LEASES, code, lease)
        return view(provider)

    # -- the browser's side: one state machine for the page, the auth client v3 routes and the control plane --
    def view(self, lease: Lease) -> dict[str, Any]:
        game = self.games.get(lease["game_id"])
        return {
            "code": lease["id"],
            "nonce": lease["nonce"],
            "intent": lease["intent"],
            "status": lease["status"],
            "title_id": game["title_id"],
            "environment_id": game["environment_id"],
            "player_ulid": lease["player_id"] or lease["requester_id"],
            "provider": lease["provider"],
        }

    def find(self, code: str) -> Lease | None:
        """The lease of a code as typed by a person (any case, surrounding spaces), whatever its state."""
        key = _key(code)
        return self.store.read().get(LEASES, key) if key else None

    @staticmethod
    def _browser_lease(tx: Tx, code: str, allowed: tuple[str, ...], nonce: str | None) -> Lease:
        key = _key(code)
        lease = tx.get(LEASES, key) if key else None
        if lease is None:
            raise errors.not_found(f"No lease with code {code}.")
        if nonce is not None and nonce != lease["nonce"]:
            raise errors.invalid("nonce", "the nonce does not match the lease")
        if lease["expires"] < ids.epoch_now():
            raise errors.conflict("The lease has expired.")
        if lease["status"] not in allowed:
            raise errors.conflict(f"The lease is {lease['status']}; this step needs {' or '.join(allowed)}.")
        return lease

    def advance(self, code: str, step: str, nonce: str | None = None) -> dict[str, Any]:
        """claim (CREATED → CLAIMED) or verify (CLAIMED → VERIFIED); `nonce`, when given, must be the lease's."""
        before, after = NEXT[step]
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, (before,), nonce)
            lease["status"] = after
            tx.put(LEASES, lease["id"], lease)
        return self.view(lease)

    def authorize(self, code: str, sign_in: SignIn, nonce: str | None = None) -> dict[str, Any]:
        """VERIFIED → AUTHORIZED. A login lease signs in as `sign_in`'s player or account (or as a new player);
        a link lease needs the account it will attach (an upstream or White Label account)."""
        account = self._account(code, sign_in)
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, ("VERIFIED",), nonce)
            game = self.games.get(lease["game_id"])
            if lease["intent"] == "link":
                if account is None:
                    raise errors.invalid("provider", "a link lease needs the account to attach")
                lease["provider"], lease["subject"] = account[0].name, account[1]
            elif sign_in.player_ulid is not None:
                player = Players.find(tx, game["id"], sign_in.player_ulid, "ulid")
                if player is None:
                    raise errors.not_found(f"No player {sign_in.player_ulid} in the lease's game.")
                lease["player_id"], lease["player_created"] = player["id"], False
            elif account is not None:
                require_enabled(game, account[0])
                player, created = self.accounts.player_for(tx, game, account[0], account[1])
                lease["player_id"], lease["player_created"] = player["id"], created
            else:
                player = Players.create(tx, game["id"])
                lease["player_id"], lease["player_created"] = player["id"], True
            lease["status"] = "AUTHORIZED"
            tx.put(LEASES, lease["id"], lease)
        return self.view(lease)

    def _account(self, code: str, sign_in: SignIn) -> tuple[Provider, str] | None:
        """The (provider, subject) `sign_in` names, checked: a registry identity exists, a White Label password
        is right (which, as LootLocker's login does, opens a White Label session)."""
        if sign_in.email is not None or sign_in.password is not None:
            if not sign_in.email:
                raise errors.missing("email")
            if not sign_in.password:
                raise errors.missing("password")
            lease = self.find(code)
            if lease is None:
                raise errors.not_found(f"No lease with code {code}.")
            user = self.white_label.login(self.games.get(lease["game_id"]), sign_in.email, sign_in.password, False)
            return PROVIDERS["credentials"], str(user["id"])
        if sign_in.provider is None and sign_in.identity_id is None:
            return None
        if sign_in.provider is None or sign_in.identity_id is None:
            raise errors.invalid("provider", "provider and identity_id go together")
        provider = for_registry(sign_in.provider)
        if provider is None or self.registry.get(sign_in.provider.lower(), sign_in.identity_id) is None:
            raise errors.not_found(f"No {sign_in.provider} identity {sign_in.identity_id} in the identity registry.")
        return provider, sign_in.identity_id

    def cancel(self, code: str, nonce: str | None = None) -> dict[str, Any]:
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, (*PENDING, "AUTHORIZED"), nonce)
            lease["status"] = "CANCELLED"
            tx.put(LEASES, lease["id"], lease)
        return self.view(lease)
