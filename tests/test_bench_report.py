"""bench/run's report: medians, ratios and the issue 7 verdicts come from the measured runs, not by hand."""

from __future__ import annotations

import copy
import importlib.machinery
import importlib.util
import json
import os
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def bench_run() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("bench_run", str(BENCH / "run"))
    spec = importlib.util.spec_from_loader("bench_run", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_run"] = module  # dataclasses look their module up while the file runs
    loader.exec_module(module)
    return module


def _run(server: str, scenario: str, rps: float, p99: float = 5.0, errors: int = 0) -> dict[str, Any]:
    return {
        "server": server,
        "scenario": scenario,
        "connections": 16,
        "rps": rps,
        "p50_ms": 1.0,
        "p99_ms": p99,
        "errors": errors,
        "requests": int(rps * 10),
        "memory": {"rss_mb": 100.0},
        "server_cpu_us_per_request": 250.0,
    }


def _verdicts(results: dict[str, Any]) -> dict[str, Any]:
    return {t["target"]: t["met"] for t in results["targets"]}


def test_medians_ratios_and_verdicts(bench_run: ModuleType) -> None:
    runs = [
        # three rounds each: the medians are 2,000 (mockserver) and 900 (Prism) for the GET
        *(_run("mockserver", "get", r, p99) for r, p99 in ((2_000, 8.0), (1_000, 30.0), (2_500, 9.0))),
        *(_run("prism-silent", "get", r) for r in (900, 800, 1_000)),
        *(_run("wiremock", "get", r) for r in (5_000, 5_000, 5_000)),
        *(_run("mockserver", "login", r) for r in (1_500, 1_500, 1_500)),
        *(_run("prism-silent", "login", r) for r in (1_000, 1_000, 1_000)),
    ]
    results: dict[str, Any] = {
        "runs": runs,
        "cold_start_s": {"mockserver": {"median": 0.5}},
        "memory_after_runs": {"mockserver": {"max_process_rss_mb": 90.0}},
        "requests_served": {"mockserver": 12_345},
    }
    bench_run.summarize(results, [bench_run.SCENARIOS["get"], bench_run.SCENARIOS["login"]], [2, 16])
    get = results["medians"]["get@16"]
    assert get["mockserver"]["rps"] == 2_000
    assert get["mockserver"]["p99_ms"] == 9.0
    assert get["prism-silent"]["mockserver_ratio"] == round(2_000 / 900, 2)
    assert get["wiremock"]["mockserver_ratio"] == 0.4
    verdicts = _verdicts(results)
    assert verdicts["GET @16: >= 2x Prism (-v silent) req/s"] is True
    assert verdicts["GET @16: >= 0.5x WireMock req/s"] is False
    assert verdicts["GET @16: p99 <= 10 ms"] is True
    assert verdicts["login POST @16: >= 2x Prism (-v silent) req/s"] is False
    assert verdicts["login POST, ES256 key @16: >= 2x Prism (-v silent) req/s"] is None  # not measured
    assert verdicts["cold start (process start -> first 200) <= 1 s"] is True
    # Fewer than 1M requests served: the memory target stays undecided, whatever the RSS.
    assert verdicts["RSS <= 150 MB per worker after 1M requests"] is None


def test_an_error_anywhere_fails_the_no_error_target(bench_run: ModuleType) -> None:
    results: dict[str, Any] = {"runs": [_run("mockserver", "get", 2_000), _run("mockserver", "login", 900, errors=3)]}
    bench_run.summarize(results, [bench_run.SCENARIOS["get"]], [16])
    assert _verdicts(results)["mockserver: no errors in any run"] is False
    assert _verdicts(results)["GET @16: no errors"] is True


def test_the_committed_results_are_what_their_runs_give(bench_run: ModuleType) -> None:
    committed = json.loads((BENCH / "results.json").read_text())
    recomputed = copy.deepcopy(committed)
    scenarios = [bench_run.SCENARIOS[key] for key in committed["scenarios"]]
    bench_run.summarize(recomputed, scenarios, committed["config"]["connections"])
    assert recomputed["medians"] == committed["medians"]
    assert recomputed["targets"] == committed["targets"]


def test_the_soak_line_counts_what_the_soak_added(bench_run: ModuleType) -> None:
    results = json.loads((BENCH / "results.json").read_text())
    scenarios = [bench_run.SCENARIOS[key] for key in results["scenarios"]]
    results["requests_served"]["mockserver"] = 900_000
    results["soak"].update({"requests": 1_000_500, "minutes": 0.4})
    results["soak"].pop("before", None)  # results written before "before" was recorded
    text = bench_run.markdown(results, scenarios, results["config"]["connections"])
    assert "mockserver served 1,000,500 requests in all; the soak added 100,500 of them in 0.4 min" in text
    results["soak"]["before"] = 1_000_000
    text = bench_run.markdown(results, scenarios, results["config"]["connections"])
    assert "the soak added 500 of them" in text


def test_a_soak_with_nothing_left_to_serve_still_reports_the_memory(bench_run: ModuleType) -> None:
    # The measured runs alone reached the target: no wrk run, but the memory is sampled all the same.
    mock = SimpleNamespace(prepare=lambda scenario: {}, proc=SimpleNamespace(pid=os.getpid()))
    soaked = bench_run.soak(mock, [], 1_000_000, 16, 2, 1_000_100)
    assert soaked["requests"] == soaked["before"] == 1_000_100
    assert soaked["final"]["rss_mb"] > 0
    results = json.loads((BENCH / "results.json").read_text())
    scenarios = [bench_run.SCENARIOS[key] for key in results["scenarios"]]
    results["soak"] = {**soaked, "final": None}  # as results written before this was fixed
    results["memory_after_runs"]["mockserver"]["rss_mb"] = 123.4
    text = bench_run.markdown(results, scenarios, results["config"]["connections"])
    assert "the soak added 0 of them" in text
    assert "Final RSS 123.4 MB" in text
