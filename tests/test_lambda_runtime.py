"""The embedded JavaScript engine (lambda_runtime.py): arguments in and out, limits, isolation, caching."""

from __future__ import annotations

import threading
import time

from mockserver.fusionauth.lambda_runtime import TIME_LIMIT_S, Runtime, check_syntax


def lambda_(body: str, id: str = "l1", stamp: int = 1) -> dict[str, object]:
    return {"id": id, "name": "test", "type": "JWTPopulate", "body": body, "lastUpdateInstant": stamp}


def test_arguments_round_trip_and_console_lines() -> None:
    runtime = Runtime()
    body = "function populate(jwt, user, reg) { jwt.n = user.data.n + 1; jwt.reg = typeof reg; console.log(7); }"
    result = runtime.invoke(lambda_(body), "populate", [{"sub": "s"}, {"data": {"n": 1}}, None])
    assert result.error is None
    assert result.arguments[0] == {"sub": "s", "n": 2, "reg": "undefined"}  # None arrives as undefined
    assert result.lines == [("Information", "7")]


def test_a_changed_lambda_is_recompiled_and_top_level_state_is_per_lambda() -> None:
    runtime = Runtime()
    counting = "var calls = 0; function populate(jwt) { calls++; jwt.calls = calls; }"
    first = runtime.invoke(lambda_(counting), "populate", [{}]).arguments[0]["calls"]
    second = runtime.invoke(lambda_(counting), "populate", [{}]).arguments[0]["calls"]
    assert second == first + 1  # compiled once, reused
    other = runtime.invoke(lambda_(counting, id="l2"), "populate", [{}]).arguments[0]["calls"]
    assert other == 1  # another lambda has its own context
    changed = runtime.invoke(lambda_("function populate(jwt) { jwt.v = 2; }", stamp=2), "populate", [{}])
    assert changed.arguments[0] == {"v": 2}


def test_time_memory_and_stack_limits_stop_the_lambda_and_the_runtime_goes_on() -> None:
    runtime = Runtime()
    started = time.monotonic()
    looping = runtime.invoke(lambda_("function populate() { console.log('in'); while (true) {} }"), "populate", [])
    assert looping.error is not None and "time limit" in looping.error
    assert looping.lines == [("Information", "in")]  # what it logged before it was stopped
    assert time.monotonic() - started < TIME_LIMIT_S * 8  # CPU seconds: a busy machine stretches the wall time
    hungry = "function populate() { var a = []; while (true) { a.push(new Array(1e5).fill(1)); } }"
    assert "out of memory" in (runtime.invoke(lambda_(hungry, id="l3"), "populate", []).error or "")
    deep = "function populate() { function f() { return f() + 1; } f(); }"
    assert "stack overflow" in (runtime.invoke(lambda_(deep, id="l4"), "populate", []).error or "")
    fine = runtime.invoke(lambda_("function populate(jwt) { jwt.ok = true; }"), "populate", [{}])
    assert fine.arguments[0] == {"ok": True}


def test_a_looping_lambda_does_not_block_other_threads() -> None:
    runtime = Runtime()
    loop = threading.Thread(
        target=runtime.invoke, args=(lambda_("function populate() { while (true) {} }"), "populate", [])
    )
    loop.start()
    time.sleep(0.05)
    started = time.monotonic()
    result = runtime.invoke(lambda_("function populate(jwt) { jwt.x = 1; }", id="other"), "populate", [{}])
    assert result.arguments[0] == {"x": 1} and time.monotonic() - started < 0.5  # QuickJS releases the GIL
    loop.join()


def test_no_network_files_or_modules() -> None:
    runtime = Runtime()
    body = """function populate(jwt) {
      jwt.kinds = [typeof fetch, typeof require, typeof XMLHttpRequest, typeof setTimeout, typeof std, typeof os];
    }"""
    assert runtime.invoke(lambda_(body), "populate", [{}]).arguments[0]["kinds"] == ["undefined"] * 6


def test_errors_missing_function_and_syntax() -> None:
    runtime = Runtime()
    missing = runtime.invoke(lambda_("function reconcile() {}"), "populate", [{}])
    assert missing.error is not None and "populate is not defined" in missing.error
    broken = runtime.invoke(lambda_("function populate( {", id="broken"), "populate", [{}])
    assert broken.error is not None and "SyntaxError" in broken.error
    assert check_syntax("function populate( {") is not None and check_syntax("function populate() {}") is None
    assert check_syntax("while (true) {}") is None  # checked by compiling, never by running
