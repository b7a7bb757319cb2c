"""The request journal: every exchange the mock serves, readable at GET /_mock/requests (like WireMock's).

Entries live in a sibling store of the state (store.sibling_store: the file `<state file>.requests`, or tables
prefixed `requests_` in a fleet's PostgreSQL database), so every worker process, and every node of a fleet, writes
to and reads the one journal; a store of its own (synchronous=OFF: it need not survive the machine) so that journal
writes never contend with the state's writes.

The hot path only captures raw values (slices of the bodies, the header lists) and appends them to a
per-process queue bounded to the journal's size; nothing is encoded or written then. A worker writes its
queue only when the journal is read: GET and DELETE /_mock/requests raise a barrier (a counter) in the store and
wait (bounded) until every live worker has written what it held when the barrier went up and answered it (each
worker's background thread looks for a barrier every FLUSH_INTERVAL; on a fleet every node runs one), so a client
that reads the journal sees every request it made before, through whichever node. A worker of this machine counts
as gone when its process is; one of another machine when it has not shown a sign of life for WRITER_STALE_S.
Measured with wrk (2 workers, 16 connections, GET identity provider): one INSERT per request cost ~110 µs of server
CPU per request; batches every 20 ms still cost ~20 % of the req/s and 2-4 ms of p99 against --journal-size 0;
written on demand, serving costs the same as without a journal.

The size bound: a worker's queue keeps its newest `size` entries (older ones can't be among the newest
`size` of all), each write deletes what fell out of the newest `size` (by the instant in ns, across workers and
nodes: their clocks must agree), and reads look at the newest `size` only.

Bodies are recorded as text (UTF-8, undecodable bytes replaced) and cut at BODY_LIMIT bytes; `bodySize` keeps
the real size. GET and DELETE /_mock/requests themselves are not recorded. Like WireMock's in-memory journal,
entries nobody has read yet are lost when the server stops.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import socket
import threading
import time
import weakref
from collections import deque
from typing import Any
from urllib.parse import parse_qs, unquote

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from .cors import CORS_DONE, with_cors
from .routing import Call, Handler, Reply
from .store import sibling_store

BODY_LIMIT = 8192  # bytes of each request and response body kept in an entry
FLUSH_INTERVAL = 0.02  # seconds between a worker's looks for a barrier (several workers)
BARRIER_TIMEOUT = 2.0  # seconds a read waits for the other workers' batches at most
HEARTBEAT_S = 1.0  # a background writer shows it is alive this often
WRITER_STALE_S = 10.0  # a writer of another machine silent this long is gone
ERROR_LOG_INTERVAL_S = 10.0  # a background writer that keeps failing (the fleet's database down) logs this often
JOURNAL_PATH = "/_mock/requests"
START = "mockserver.journal.start"
FAULT = "mockserver.fault"  # environ key: (id, effect, delay ms) of the fault applied to the request (faults.py)

# Collections of the journal's store. An entry's id sorts by (instant in ns, arrival): newest() reads the newest.
ENTRIES = "journal.entries"
WRITERS = "journal.writers"  # per worker process: {host, pid, answered: the last barrier it answered, seen}
BARRIER = "journal.barrier"  # one document: {n: the last barrier raised}
COUNTER = "journal.counter"  # one document: {n: the last entry number given}
_ENVIRON_HEADERS = {"CONTENT_TYPE": "Content-Type", "CONTENT_LENGTH": "Content-Length"}
HOST = socket.gethostname()

log = logging.getLogger(__name__)


def _body(data: str | None, size: int | None, kept: int | None) -> dict[str, Any]:
    if data is None or size is None or kept is None:  # not read (larger than the server accepts) or streamed
        return {"body": None, "bodySize": None, "bodyTruncated": False}
    return {"body": data, "bodySize": size, "bodyTruncated": size > kept}


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def _headers(stored: list[list[str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for key, value in stored:  # WSGI names (HTTP_USER_AGENT) for requests, header names for answers
        name = key[5:].replace("_", "-").title() if key.startswith("HTTP_") else _ENVIRON_HEADERS.get(key, key)
        found[name] = f"{found[name]}, {value}" if name in found else value
    return found


def _document(seq: int, row: tuple[Any, ...]) -> dict[str, Any]:
    """A queued row as stored."""
    (at_ns, instant, duration, method, path, query, status, operation, fault, request_headers) = row[:10]
    (request_body, request_size, response_headers, response_body, response_size) = row[10:]
    return {
        "seq": seq,
        "at_ns": at_ns,
        "instant": instant,
        "duration": duration,
        "method": method,
        "path": path,
        "query": query,
        "status": status,
        "operation": operation,
        "fault": {"id": fault[0], "effect": fault[1], "delayMs": round(fault[2], 3)} if fault else None,
        "request_headers": [list(h) for h in request_headers],
        "request_body": _text(request_body),
        "request_size": request_size,
        "request_kept": None if request_body is None else len(request_body),
        "response_headers": [list(h) for h in response_headers],
        "response_body": _text(response_body),
        "response_size": response_size,
        "response_kept": None if response_body is None else len(response_body),
    }


def _entry(doc: dict[str, Any]) -> dict[str, Any]:
    path, query = doc["path"], doc["query"]
    return {
        "id": doc["seq"],
        "instant": doc["instant"],
        "durationMs": doc["duration"],
        "operationId": doc["operation"],
        "fault": doc["fault"],
        "request": {
            "method": doc["method"],
            "path": path,
            "url": f"{path}?{unquote(query)}" if query else path,
            "query": parse_qs(query, keep_blank_values=True),
            "headers": _headers(doc["request_headers"]),
            **_body(doc["request_body"], doc["request_size"], doc["request_kept"]),
        },
        "response": {
            "status": doc["status"],
            "headers": _headers(doc["response_headers"]),
            **_body(doc["response_body"], doc["response_size"], doc["response_kept"]),
        },
    }


def _glob(pattern: str) -> str:
    """SQLite GLOB's negated set `[^...]` in fnmatch's spelling `[!...]` (the journal's path filter was GLOB)."""
    return pattern.replace("[^", "[!")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _flusher(journal: weakref.ReferenceType[Journal]) -> None:
    """A worker's background writer: its batches, and its answer to other workers' barriers."""
    logged = 0.0
    while True:
        time.sleep(FLUSH_INTERVAL)
        current = journal()
        if current is None or current.closed:  # the app is gone, or closed
            return
        try:
            current._tick()
        except Exception as exc:  # keep writing later batches; a store that is down for a while is logged now and then
            if time.monotonic() - logged > ERROR_LOG_INTERVAL_S:
                # The message, not the traceback: Python 3.11 formats a traceback with ast.parse, which is not safe
                # beside another thread's ast.parse (CPython gh-106905: "AST constructor recursion depth mismatch").
                log.error("request journal: %s: %s", type(exc).__name__, exc)
                logged = time.monotonic()
        del current


class Journal:
    def __init__(self, state_path: str, size: int, workers: int = 1) -> None:
        self.store = sibling_store(state_path, "requests", synchronous="OFF")
        self.size = size
        # Readers wait for every other writer: on a fleet, nodes of one worker have other nodes' readers to answer.
        self.background = workers > 1 or self.store.backend != "sqlite"
        self._pending: deque[tuple[Any, ...]] = deque(maxlen=max(size, 1))
        self._flushing = threading.Lock()  # one batch at a time in this process
        self._answered = 0  # the last barrier this process has written its entries for
        self._seen = 0.0  # when this process last showed it is alive (time.time)
        self._pid = -1
        self._writer = ""
        self.closed = False

    def close(self) -> None:
        """Stop the background writer and let go of the store (an app that is shut down, or a dropped database)."""
        self.closed = True
        self.store.close()

    def _started(self) -> None:
        """Once per process: announce this writer (readers wait for it), start its background writer."""
        with self._flushing:
            if self._pid == os.getpid():
                return
            self._pending.clear()  # another process's queue, if this one was forked
            self._writer = f"{HOST}:{os.getpid()}"
            with self.store.write() as tx:
                barrier = tx.get(BARRIER, "0")
                self._answered = barrier["n"] if barrier else 0  # barriers raised before it held nothing
                self._announce(tx)
            self._pid = os.getpid()
        if self.background:
            threading.Thread(target=_flusher, args=(weakref.ref(self),), name="journal", daemon=True).start()

    def _announce(self, tx: Any) -> None:
        self._seen = time.time()
        writer = {"id": self._writer, "host": HOST, "pid": os.getpid(), "answered": self._answered, "seen": self._seen}
        tx.put(WRITERS, self._writer, writer)

    def flush(self, barrier: int = 0) -> None:
        """Write what this process holds; it then has answered `barrier` (and every one before)."""
        with self._flushing:
            rows = [self._pending.popleft() for _ in range(len(self._pending))]
            with self.store.write() as tx:
                if rows:
                    counter = tx.get(COUNTER, "n") or {"n": 0}
                    first = counter["n"] + 1
                    documents = [_document(first + i, row) for i, row in enumerate(rows)]
                    tx.put_many(ENTRIES, [(f"{d['at_ns']:020d}.{d['seq']:012d}", d) for d in documents])
                    tx.put(COUNTER, "n", {"n": first + len(rows) - 1})
                    tx.trim(ENTRIES, self.size)
                if self._writer:
                    self._answered = max(self._answered, barrier)
                    self._announce(tx)

    def _tick(self) -> None:
        barrier = self.store.read().get(BARRIER, "0")
        if barrier is not None and barrier["n"] > self._answered:
            self.flush(barrier["n"])
        elif time.time() - self._seen > HEARTBEAT_S:
            with self._flushing, self.store.write() as tx:
                self._announce(tx)

    def _alive(self, writer: dict[str, Any]) -> bool:
        if writer["host"] == HOST:
            return _alive(int(writer["pid"]))
        return time.time() - float(writer["seen"]) < WRITER_STALE_S

    def sync(self) -> None:
        """Barrier: return once every live worker has written what it held when this call began."""
        if self._pid == os.getpid():
            self.flush()
        began = time.monotonic()
        with self.store.write() as tx:
            barrier = (tx.get(BARRIER, "0") or {"n": 0})["n"] + 1
            tx.put(BARRIER, "0", {"n": barrier})
        me = self._writer if self._pid == os.getpid() else None
        while True:
            behind = [w for w in self.store.read().all(WRITERS) if w["answered"] < barrier and w["id"] != me]
            gone = [w for w in behind if not self._alive(w)]
            if gone:
                with self.store.write() as tx:
                    for writer in gone:
                        tx.delete(WRITERS, writer["id"])
            if len(gone) == len(behind):
                return
            if time.monotonic() - began > BARRIER_TIMEOUT:
                log.warning(
                    "request journal: workers %s did not write their entries in time", [w["id"] for w in behind]
                )
                return
            time.sleep(0.002)

    # -- the hot path -------------------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self.size > 0

    def install(self, app: Flask) -> None:
        if not self.enabled:
            return
        app.before_request(self._start)
        app.after_request(self._record)

    @staticmethod
    def _start() -> None:
        request.environ[START] = time.perf_counter()

    def _record(self, response: Response) -> Response:
        rule = request.url_rule
        req = request._get_current_object()  # type: ignore[attr-defined]
        self.record_response(req, response, rule.endpoint if rule is not None else None)
        return response

    def record_response(self, req: Request, response: Response, operation: str | None) -> None:
        """Queue one exchange answered with a werkzeug Response."""
        answered = None if response.is_streamed else response.get_data()
        self.record(req, response.status_code, response.headers.to_wsgi_list(), answered, operation)

    def record(
        self,
        req: Request,
        status: int,
        response_headers: list[tuple[str, str]],
        answered: bytes | None,
        operation: str | None,
    ) -> None:
        """Queue one exchange (START in the environ marks when it began); `answered` None: a streamed body."""
        path = req.path
        if path == JOURNAL_PATH:
            return
        environ = req.environ
        started = environ.get(START)
        duration = round((time.perf_counter() - started) * 1000, 3) if started is not None else 0.0
        sent: bytes | None = b""
        if environ.get("CONTENT_LENGTH") or "HTTP_TRANSFER_ENCODING" in environ:
            try:
                sent = req.get_data(cache=True)
            except HTTPException:  # larger than MAX_CONTENT_LENGTH: never read
                sent = None
        fault = environ.get(FAULT)
        if fault is not None and fault[1] == "drop":
            status = 0
        headers = [(k, v) for k, v in environ.items() if k.startswith("HTTP_") or (k in _ENVIRON_HEADERS and v)]
        origin = environ.get(CORS_DONE)
        if origin:  # the CORS headers cors.py adds around the route's answer, as the client received them
            response_headers = with_cors(response_headers, origin)
        at_ns = time.time_ns()
        row = (
            at_ns,
            at_ns // 1_000_000,
            duration,
            req.method,
            path,
            environ.get("QUERY_STRING", ""),
            status,
            operation,
            fault,
            headers,
            None if sent is None else sent[:BODY_LIMIT],
            None if sent is None else len(sent),
            response_headers,
            None if answered is None else answered[:BODY_LIMIT],
            None if answered is None else len(answered),
        )
        if self._pid != os.getpid():
            self._started()
        self._pending.append(row)  # bounded: the oldest falls out

    # -- the control plane ------------------------------------------------------------------------------
    def entries(
        self,
        method: str | None = None,
        path: str | None = None,
        status: int | None = None,
        since: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """Newest first. `path` is exact or a glob (`*`, `?`, `[...]`); `since` is epoch ms (inclusive)."""
        self.sync()
        method = method.upper() if method else None
        pattern = _glob(path) if path else None
        found: list[dict[str, Any]] = []
        # Batches of several workers interleave: the ids order by the instant, then by arrival.
        for doc in self.store.read().newest(ENTRIES, max(self.size, 0)):
            if limit is not None and len(found) >= limit:
                break
            if method and doc["method"] != method:
                continue
            if pattern and not fnmatch.fnmatchcase(doc["path"], pattern):
                continue
            if status is not None and doc["status"] != status:
                continue
            if since is not None and doc["instant"] < since:
                continue
            found.append(_entry(doc))
        return found

    def clear(self) -> int:
        """Empty the journal; the number of (visible) entries removed."""
        self.sync()
        with self.store.write() as tx:
            visible = min(tx.count(ENTRIES), max(self.size, 0))
            tx.trim(ENTRIES, 0)
        return visible

    def handlers(self) -> dict[str, Handler]:
        def list_requests(call: Call) -> Reply:
            q = call.query
            entries = self.entries(
                q.get("method"),
                q.get("path"),
                int(q["status"]) if "status" in q else None,
                int(q["since"]) if "since" in q else None,
                int(q["limit"]) if "limit" in q else None,
            )
            return Reply(200, {"requests": entries})

        return {
            "mockListRequests": list_requests,
            "mockClearRequests": lambda call: Reply(200, {"deleted": self.clear()}),
        }
