"""Fault injection: POST /_mock/faults makes matching FusionAuth / LootLocker requests slow or broken.

A fault has a `match` (method, path glob, optional header) and an `effect`: a delay (fixed, or uniform between
`min` and `max`), then optionally one of: a status answered with the vendor's error body (through the vendors'
`forced()` machinery, as `Prefer: code=` does), a dropped connection, a malformed body or a truncated body.
With `times` it applies to the next N matching requests and then disappears; without, until removed.

Faults live in the state store as a private collection (FAULTS: kept out of state export and import), so every
worker and every node of a fleet applies the same ones. The parsed
faults are cached per process and reloaded when a version counter in the `meta` table moves (add, remove,
clear, reset, a fault running out); the hot path (no fault defined) does not even query that counter while
the store's meta generation stands still (Store.generation; across nodes: PostgreSQL notifications). A matching
request then claims the fault in a write transaction (counting its hits, spending `times`), so N means N
across all workers. When several faults match, the newest wins. The control plane (/_mock/) is never faulted.

Random delays are reproducible with `--seed`: the k-th hit of a fault waits the same time in every run with
the same seed and the same fault definition, whichever worker serves it.
"""

from __future__ import annotations

import fnmatch
import json
import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

from flask import Response, request
from werkzeug.datastructures import Headers

from .clock import now_ms
from .journal import FAULT
from .routing import Call, Handler, Reply, render
from .store import Cached, Store, Tx

if TYPE_CHECKING:
    from .openapi import Operation, SchemaCheck
    from .routing import Vendor

VERSION = "faults.version"  # meta key: moves whenever the set of faults changes
CONTROL_PREFIX = "/_mock/"
TRUNCATE_PAUSE_S = 0.05  # lets the first half of a truncated body leave before the connection closes
MALFORMED_TAIL = b"\xff<!-- mockserver fault: malformed body -->"

FAULTS = "_mock.faults"  # a private collection (store.PRIVATE): not part of the exported state
SEQUENCE = "faults.seq"  # meta key: the last fault's creation number (faults are tried newest first)
_OUTCOMES = ("status", "drop", "malformed", "truncate")
_GLOB = re.compile(r"[*?\[]")


class DroppedConnection(Exception):
    """Raised while the server sends a faulted response: the server then closes the connection."""


def _bump(tx: Tx) -> None:
    tx.count_up(VERSION)


def clear(tx: Tx) -> int:
    """Remove every fault inside the caller's transaction (POST /_mock/reset does too)."""
    removed = tx.delete_where(FAULTS)
    _bump(tx)
    return removed


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern) if _GLOB.search(pattern) else value == pattern


@dataclass(frozen=True)
class Fault:
    """The matching part of a fault, as cached per process."""

    id: str
    method: str | None
    path: str
    header: str | None
    header_value: str | None

    @classmethod
    def of(cls, document: dict[str, Any]) -> Fault:
        match = document["match"]
        header = match.get("header") or {}
        method = match.get("method")
        return cls(
            document["id"], method.upper() if method else None, match["path"], header.get("name"), header.get("value")
        )

    def matches(self, method: str, path: str, headers: Headers) -> bool:
        if self.method is not None and method != self.method:
            return False
        if not _glob(self.path, path):
            return False
        if self.header is not None:
            value = headers.get(self.header)
            if value is None or (self.header_value is not None and not _glob(self.header_value, value)):
                return False
        return True


def _dropped() -> Iterator[bytes]:
    raise DroppedConnection("mockserver fault: connection dropped on purpose")
    yield b""  # pragma: no cover - makes this a generator: the error comes while the server sends


def _truncated(part: bytes) -> Iterator[bytes]:
    if part:
        yield part
        time.sleep(TRUNCATE_PAUSE_S)
    raise DroppedConnection("mockserver fault: body truncated on purpose")


@dataclass(frozen=True)
class Applied:
    """A fault claimed by one request: what to do to it."""

    id: str
    effect: dict[str, Any]
    delay_ms: float

    @property
    def kind(self) -> str:
        return next((k for k in _OUTCOMES if k in self.effect), "delay")

    def respond(
        self,
        vendor: Vendor,
        operation: Operation,
        handler: Handler,
        path: dict[str, str],
        normal: Callable[[], Response],
    ) -> Response:
        """The faulted response; `normal` produces the response the request would have had."""
        request.environ[FAULT] = (self.id, self.kind, self.delay_ms)
        if self.delay_ms > 0:
            time.sleep(self.delay_ms / 1000)
        effect = self.effect
        if "status" in effect:
            return render(_vendor_error(vendor, operation, handler, path, int(effect["status"])))
        if effect.get("drop"):
            # A Content-Length makes the server abort the connection (with chunked encoding it would end
            # the body cleanly): the client sees an empty reply, or headers and then a closed connection.
            return Response(_dropped(), status=200, headers={"Content-Length": "1"}, mimetype="application/json")
        response = normal()
        if effect.get("malformed"):
            body = response.get_data()
            response.set_data(body[: len(body) // 2] + MALFORMED_TAIL)
            if "Content-Type" not in response.headers:
                response.headers["Content-Type"] = "application/json"
            return response
        if effect.get("truncate"):
            body = response.get_data()
            headers = Headers(response.headers)
            headers["Content-Length"] = str(max(len(body), 1))
            return Response(_truncated(body[: len(body) // 2]), status=response.status_code, headers=headers)
        return response


_ANY_BODY = cast("SchemaCheck", object())  # stands for "a body" where the operation documents no such status


def _vendor_error(vendor: Vendor, operation: Operation, handler: Handler, path: dict[str, str], status: int) -> Reply:
    """The vendor's answer for an error status, as `Prefer: code=` gives it. A status the operation does not
    document is answered as if it were documented with a body (FusionAuth's Errors, LootLocker's error JSON)."""
    if status not in operation.responses:
        operation = replace(operation, responses={**operation.responses, status: _ANY_BODY})
    req = request._get_current_object()  # type: ignore[attr-defined]
    call = Call(operation, path, req.args.to_dict(), req.headers, None, None, request=req)
    return vendor.forced(call, status, handler)


def _public(document: dict[str, Any]) -> dict[str, Any]:
    """A stored fault as the control plane shows it (without its creation number)."""
    return {k: v for k, v in document.items() if k != "_seq"}


def _control_error(status: int, error: str) -> Reply:
    return Reply(status, {"error": error})


class Faults:
    def __init__(self, store: Store, seed: int | None = None) -> None:
        self.store = store
        self.seed = seed
        self._faults = Cached(store, VERSION, self._load, [])  # newest first

    # -- the hot path -------------------------------------------------------------------------------
    def defined(self) -> bool:
        """Whether any fault is defined (usually without a query, see store.Cached). True when the store cannot
        tell (a fleet's database unreachable): the caller then takes the path that answers errors in the vendor's
        shape."""
        try:
            return bool(self._faults.get())
        except Exception:
            return True

    def match(self) -> Applied | None:
        """The fault to apply to the current request, claimed (hits counted, `times` spent); usually None."""
        path = request.path
        faults = [] if path.startswith(CONTROL_PREFIX) else self._faults.get()
        if not faults:
            return None
        method, headers = request.method, request.headers
        for fault in faults:
            if fault.matches(method, path, headers):
                applied = self._claim(fault.id)
                if applied is not None:
                    return applied
        return None

    def _load(self) -> list[Fault]:
        return [Fault.of(document) for document in self._documents()]

    def _documents(self) -> list[dict[str, Any]]:
        """Every fault, newest first."""
        return sorted(self.store.read().all(FAULTS), key=lambda d: d["_seq"], reverse=True)

    def _claim(self, fault_id: str) -> Applied | None:
        with self.store.write() as tx:
            document = tx.get(FAULTS, fault_id)
            if document is None:  # removed (or spent) by another request meanwhile
                return None
            document["hits"] += 1
            if document["remaining"] is not None:
                document["remaining"] -= 1
            if document["remaining"] == 0:
                tx.delete(FAULTS, fault_id)
                _bump(tx)
            else:
                tx.put(FAULTS, fault_id, document)
        return Applied(fault_id, document["effect"], self._delay(document, document["hits"]))

    def _delay(self, document: dict[str, Any], hit: int) -> float:
        delay = document["effect"].get("delay_ms")
        if delay is None:
            return 0.0
        if isinstance(delay, int | float):
            return float(delay)
        if self.seed is None:
            return random.uniform(delay["min"], delay["max"])
        definition = json.dumps({"match": document["match"], "effect": document["effect"]}, sort_keys=True)
        return random.Random(f"{self.seed}|{definition}|{hit}").uniform(delay["min"], delay["max"])

    # -- the control plane ------------------------------------------------------------------------------
    def add(self, request_body: dict[str, Any]) -> dict[str, Any]:
        times = request_body.get("times")
        document = {
            "id": str(uuid.uuid4()),
            "match": request_body["match"],
            "effect": request_body["effect"],
            "times": times,
            "remaining": times,
            "hits": 0,
            "createdAt": now_ms(),
        }
        with self.store.write() as tx:
            sequence = int(tx.get_meta(SEQUENCE) or 0) + 1
            tx.set_meta(SEQUENCE, str(sequence))
            tx.put(FAULTS, document["id"], {**document, "_seq": sequence})
            _bump(tx)
        return document

    def list(self) -> list[dict[str, Any]]:
        """Newest first (the order in which they are tried)."""
        return [_public(document) for document in self._documents()]

    def delete(self, fault_id: str) -> dict[str, Any] | None:
        with self.store.write() as tx:
            document = tx.get(FAULTS, fault_id)
            if document is None:
                return None
            tx.delete(FAULTS, fault_id)
            _bump(tx)
        return _public(document)

    def handlers(self) -> dict[str, Handler]:
        def add(call: Call) -> Reply:
            problem = effect_problem(call.body["effect"])
            if problem is not None:
                return _control_error(400, problem)
            return Reply(201, self.add(call.body))

        def delete(call: Call) -> Reply:
            removed = self.delete(call.path["faultId"])
            return Reply(200, removed) if removed is not None else _control_error(404, "no such fault")

        def clear_all(call: Call) -> Reply:
            with self.store.write() as tx:
                return Reply(200, {"deleted": clear(tx)})

        return {
            "mockAddFault": add,
            "mockListFaults": lambda call: Reply(200, {"faults": self.list()}),
            "mockClearFaults": clear_all,
            "mockDeleteFault": delete,
        }


def effect_problem(effect: dict[str, Any]) -> str | None:
    """What the schema cannot say about an effect (it checks each property)."""
    outcomes = [k for k in _OUTCOMES if k in effect]
    if len(outcomes) > 1:
        return f"an effect has at most one of {', '.join(_OUTCOMES)}; got {', '.join(outcomes)}"
    delay = effect.get("delay_ms")
    if isinstance(delay, dict) and delay["min"] > delay["max"]:
        return "delay_ms.min must not be above delay_ms.max"
    if not outcomes and delay is None:
        return "an effect needs delay_ms or one of " + ", ".join(_OUTCOMES)
    return None
