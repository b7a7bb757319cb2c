"""Runs FusionAuth lambdas (user JavaScript) in an embedded QuickJS engine.

Engine choice, measured on this project's 2-core machine (Python 3.11; bench: a JWT populate lambda that
sets one claim from user.data and calls console.debug, its three arguments ~0.6 kB of JSON):

| package (version)   | start + compile | one call incl. argument conversion   | runaway `while(true){}`          |
|---------------------|-----------------|---------------------------------------|----------------------------------|
| quickjs 1.19.4      | 0.26 ms         | 19 µs idle, 35-55 µs at load 4 (JSON) | stopped at the 1 s limit; reusable|
| mini-racer 0.14.1   | 31 ms           | 104 µs (eval) … 384 µs (JSFunction)   | stopped at the 1 s limit; reusable|

mini-racer (V8) runs every call through its own message-loop thread (the round trip dominates), and a
process that used it did not exit by itself; QuickJS runs in the calling thread and releases the GIL
while JavaScript runs, so a looping lambda never blocks the worker's other threads. Chosen: `quickjs`.
A whole login (bench/lambda_login.py, 7 x 500 logins, machine at load ~4): a trivial JWT populate lambda adds
110 µs CPU / 186 µs wall; with a trivial Twitch reconcile lambda too, 256 µs CPU / 219 µs wall.

Isolation: every (thread, lambda) pair has its own QuickJS runtime+context (contexts are not
thread-safe), with a memory limit (MEMORY_LIMIT_BYTES) and a time limit (TIME_LIMIT_S of CPU time: the
binding measures with C's clock(), the process's CPU time) checked by QuickJS's interrupt handler. A
context that hit either limit is thrown away. The lambda's source runs inside a function scope; top-level
`var`s live as long as its compiled context (as a compiled GraalJS script's would). The sandbox has
ECMAScript's built-ins and `console` only: no network, files, timers or modules.

Arguments go in as one JSON text (parsed by JavaScript's JSON.parse) and the mutable ones come back the
same way, with the console lines of the call.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson
import quickjs

TIME_LIMIT_S = 1.0
MEMORY_LIMIT_BYTES = 32 * 1024 * 1024
MAX_STACK_BYTES = 512 * 1024

# The lambda's source is evaluated once per context inside this closure; each call parses its arguments,
# calls the named function and returns [arguments after the call, console lines, error or null].
_WRAPPER = """var __mockserver = (function () {
  var __lines = [];
  function __text(message) { return typeof message === 'string' ? message : String(message); }
  var console = {
    log: function (message) { __lines.push(['Information', __text(message)]); },
    info: function (message) { __lines.push(['Information', __text(message)]); },
    debug: function (message) { __lines.push(['Debug', __text(message)]); },
    error: function (message) { __lines.push(['Error', __text(message)]); }
  };
  %(body)s
  ;
  var __target = typeof %(function)s === 'function' ? %(function)s : undefined;
  return [function (text) {
    __lines = [];
    var args = JSON.parse(text);
    for (var i = 0; i < args.length; i++) { if (args[i] === null) { args[i] = undefined; } }
    var error = null;
    try {
      if (__target === undefined) { throw new ReferenceError('%(function)s is not defined'); }
      __target.apply(null, args);
    } catch (e) {
      error = (e && e.stack) ? String(e) + '\\n' + e.stack : String(e);
    }
    return JSON.stringify([args, __lines, error]);  // an undefined argument becomes null
  }, function () { var lines = __lines; __lines = []; return JSON.stringify(lines); }];
})()
"""


class LambdaSyntaxError(Exception):
    """The lambda's body is not valid JavaScript."""


@dataclass
class Result:
    """One invocation: the arguments as the lambda left them, its console lines, and its failure if any."""

    arguments: list[Any]
    lines: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None  # the exception's text (and stack) when the lambda threw or was stopped


@dataclass
class _Compiled:
    stamp: tuple[Any, ...]
    context: quickjs.Context
    call: Any
    take_lines: Any


def _source(body: str, function: str) -> str:
    return _WRAPPER % {"body": body, "function": function}


def check_syntax(body: str) -> str | None:
    """The syntax error of a lambda body, or None when it compiles."""
    context = quickjs.Context()
    context.set_memory_limit(MEMORY_LIMIT_BYTES)
    context.set_time_limit(TIME_LIMIT_S)
    try:
        # Compiled, not run: a function expression around the body is parsed but not called.
        context.eval("(function () {\n" + body + "\n;})")
    except quickjs.JSException as error:
        return str(error).split("\n", 1)[0]
    return None


class Runtime:
    """Compiled lambdas per thread, recompiled when the lambda's body or lastUpdateInstant changes."""

    def __init__(self) -> None:
        self._local = threading.local()

    def _cache(self) -> dict[str, _Compiled]:
        cache: dict[str, _Compiled] | None = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = {}
        return cache

    def _compiled(self, lambda_: dict[str, Any], function: str) -> _Compiled:
        body = lambda_.get("body") or ""
        stamp = (lambda_.get("lastUpdateInstant"), function, body)
        cache = self._cache()
        found = cache.get(lambda_["id"])
        if found is not None and found.stamp == stamp:
            return found
        context = quickjs.Context()
        context.set_memory_limit(MEMORY_LIMIT_BYTES)
        context.set_time_limit(TIME_LIMIT_S)
        context.set_max_stack_size(MAX_STACK_BYTES)
        try:
            context.eval(_source(body, function))
            compiled = _Compiled(stamp, context, context.eval("__mockserver[0]"), context.eval("__mockserver[1]"))
        except quickjs.JSException as error:
            cache.pop(lambda_["id"], None)
            raise LambdaSyntaxError(str(error)) from error
        cache[lambda_["id"]] = compiled
        return compiled

    def invoke(self, lambda_: dict[str, Any], function: str, arguments: list[Any]) -> Result:
        """Call `function` of the lambda with JSON-able arguments (None arrives as undefined)."""
        try:
            compiled = self._compiled(lambda_, function)
        except LambdaSyntaxError as error:
            return Result(arguments, [], str(error))
        text = orjson.dumps(arguments).decode()
        try:
            out = compiled.call(text)
        except (quickjs.JSException, quickjs.StackOverflow) as error:
            # Stopped by the time or memory limit (uncatchable in JavaScript): keep what it logged, then
            # drop the context, whose heap may be full or its state half-changed.
            lines: list[tuple[str, str]] = []
            with contextlib.suppress(quickjs.JSException, quickjs.StackOverflow, orjson.JSONDecodeError):
                lines = [(kind, message) for kind, message in orjson.loads(compiled.take_lines())]
            self._cache().pop(lambda_["id"], None)
            message = str(error)
            if "interrupted" in message:
                message = f"The lambda exceeded its time limit of {TIME_LIMIT_S:g} s and was stopped.\n{message}"
            return Result(arguments, lines, message)
        changed, lines_out, error = orjson.loads(out)
        return Result(changed, [(kind, message) for kind, message in lines_out], error)

    def forget(self) -> None:
        """Drop this thread's compiled lambdas (tests)."""
        self._cache().clear()
