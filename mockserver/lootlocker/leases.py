"""Remote-session leases: a game shows a code, the player signs in on another device (the browser side,
driven through the control plane), and the game's polling turns into a session (login lease) or into an
account it can attach (link lease).

Life of a lease: CREATED → CLAIMED → VERIFIED → AUTHORIZED, or CANCELLED from any of these. An authorized
login lease is spent by the poll that returns its session; an authorized link lease by the attach call.
A lease lives LEASE_TTL_SECONDS; after that, or once cancelled or spent, its code is rejected (400).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ..identities import Identities
from ..store import Store, Tx
from . import errors, ids
from .collections import LEASES
from .connected_accounts import ConnectedAccounts, require_enabled
from .games import Game, Games
from .players import Players
from .providers import PROVIDERS, for_registry, view
from .sessions import Sessions

LEASE_TTL_SECONDS = 600
REDIRECT_BASE = "https://lootlocker.invalid/remote"
# A 1x1 PNG: the mock does not draw QR codes, but the field holds a decodable base64 PNG as LootLocker's does.
QR_PLACEHOLDER = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
PENDING = ("CREATED", "CLAIMED", "VERIFIED")
NEXT = {"claim": ("CREATED", "CLAIMED"), "verify": ("CLAIMED", "VERIFIED")}

Lease = dict[str, Any]


class Leases:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.games = Games(store)
        self.accounts = ConnectedAccounts(store)
        self.registry = Identities(store)

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

    def begin(self, game: Game, intent: str, requester_id: str | None = None) -> dict[str, Any]:
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
        query = urlencode({"code": code, "nonce": lease["nonce"]})
        return {
            "code": code,
            "nonce": lease["nonce"],
            "redirect_url": f"{REDIRECT_BASE}?{query}",
            "redirect_url_qr_base64": QR_PLACEHOLDER,
            "display_url": REDIRECT_BASE,
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
            if lease["requester_id"] != player_id:
                raise errors.forbidden("The lease was begun by another player.")
            provider = PROVIDERS[lease["provider"]]
            require_enabled(game, provider)
            self.accounts.attach(tx, Players.get(tx, player_id), provider, lease["subject"])
            lease["status"] = "SPENT"
            tx.put(LEASES, code, lease)
        return view(provider)

    # -- the browser's side (control plane) --------------------------------------------------------
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

    def _browser_lease(self, tx: Tx, code: str, allowed: tuple[str, ...]) -> Lease:
        lease = tx.get(LEASES, code.upper())
        if lease is None:
            raise errors.not_found(f"No lease with code {code}.")
        if lease["expires"] < ids.epoch_now():
            raise errors.conflict("The lease has expired.")
        if lease["status"] not in allowed:
            raise errors.conflict(f"The lease is {lease['status']}; this step needs {' or '.join(allowed)}.")
        return lease

    def advance(self, code: str, step: str) -> dict[str, Any]:
        """claim (CREATED → CLAIMED) or verify (CLAIMED → VERIFIED)."""
        before, after = NEXT[step]
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, (before,))
            lease["status"] = after
            tx.put(LEASES, lease["id"], lease)
        return self.view(lease)

    def authorize(self, code: str, player_ulid: str | None, provider: str | None, identity_id: str | None) -> Any:
        """VERIFIED → AUTHORIZED. A login lease signs in as `player_ulid`, as the player of an upstream
        account (`provider` + `identity_id` of the shared registry), or as a new player; a link lease needs
        the upstream account it will attach."""
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, ("VERIFIED",))
            game = self.games.get(lease["game_id"])
            account = None
            if provider is not None or identity_id is not None:
                if provider is None or identity_id is None:
                    raise errors.invalid("provider", "provider and identity_id go together")
                ll_provider = for_registry(provider)
                if ll_provider is None or self.registry.get(provider.lower(), identity_id) is None:
                    raise errors.not_found(f"No {provider} identity {identity_id} in the identity registry.")
                account = (ll_provider, identity_id)
            if lease["intent"] == "link":
                if account is None:
                    raise errors.invalid("provider", "a link lease needs provider and identity_id")
                lease["provider"], lease["subject"] = account[0].name, account[1]
            elif player_ulid is not None:
                player = Players.find(tx, game["id"], player_ulid, "ulid")
                if player is None:
                    raise errors.not_found(f"No player {player_ulid} in the lease's game.")
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

    def cancel(self, code: str) -> dict[str, Any]:
        with self.store.write() as tx:
            lease = self._browser_lease(tx, code, (*PENDING, "AUTHORIZED"))
            lease["status"] = "CANCELLED"
            tx.put(LEASES, lease["id"], lease)
        return self.view(lease)
