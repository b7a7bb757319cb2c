"""bench/fleet_http.py's aggregation: two nodes' wrk figures are summed, errors are counted and shown, medians and
ratios come from the runs (canned wrk output, nothing timed)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _wrk_output(rps: float, requests: int, p50: str, p99: str, non2xx: int = 0, timeouts: int = 0) -> str:
    """What `wrk --latency` prints (wrk 4.1), with the figures given."""
    out = f"""Running 8s test @ http://127.0.0.1:40000/api/identity-provider/bf4cf83f-e824-42d7-b4a3-5b10847a66b2
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.20ms    2.10ms  40.00ms   95.00%
    Req/Sec     4.00k   300.00     4.50k    70.00%
  Latency Distribution
     50%  {p50}
     75%    1.50ms
     90%    2.00ms
     99%  {p99}
  {requests} requests in 8.00s, 6.00MB read
"""
    if timeouts:
        out += f"  Socket errors: connect 0, read 0, write 0, timeout {timeouts}\n"
    if non2xx:
        out += f"  Non-2xx or 3xx responses: {non2xx}\n"
    return out + f"Requests/sec:   {rps:.2f}\nTransfer/sec:    750.00KB\n"


@pytest.fixture(scope="module")
def fleet_http() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    import fleet_http as module

    return module


@pytest.fixture(scope="module")
def parse(fleet_http: ModuleType) -> Any:
    from benchlib import parse_wrk

    return parse_wrk


def _run(fleet_http: ModuleType, parse: Any, scenario: str, config: str, outputs: list[str], **extra: Any) -> dict:
    return {
        "scenario": scenario,
        "config": config,
        **fleet_http.combine([parse(o) for o in outputs]),
        "load_before": [1.0, 1.0, 1.0],
        **extra,
    }


def test_two_nodes_add_up_and_report_the_slower_latency(fleet_http: ModuleType, parse: Any) -> None:
    a = parse(_wrk_output(4000.5, 32004, "1.00ms", "5.00ms"))
    b = parse(_wrk_output(3000.25, 24002, "1.50ms", "4.00ms", non2xx=7, timeouts=2))
    combined = fleet_http.combine([a, b])
    assert combined["rps"] == 7000.8
    assert combined["requests"] == 56006
    assert (combined["p50_ms"], combined["p99_ms"]) == (1.5, 5.0)
    assert (combined["non2xx"], combined["socket_errors"], combined["errors"]) == (7, 2, 9)
    assert [n["rps"] for n in combined["nodes"]] == [4000.5, 3000.2]


def test_rows_take_medians_sum_errors_and_ratios(fleet_http: ModuleType, parse: Any) -> None:
    ok = _wrk_output
    runs = [
        _run(fleet_http, parse, "get", "sqlite", [ok(10000, 80000, "1.00ms", "9.00ms")]),
        _run(fleet_http, parse, "get", "pg-1", [ok(4000, 32000, "3.00ms", "20.00ms")], pg_cpu_s=1.6, pg_cpu_share=12.0),
        _run(
            fleet_http,
            parse,
            "get",
            "pg-2",
            [ok(2500, 20000, "2.00ms", "30.00ms"), ok(2500, 20000, "2.50ms", "25.00ms", non2xx=3)],
            pg_cpu_s=2.0,
            pg_cpu_share=14.0,
        ),
        _run(fleet_http, parse, "get", "sqlite", [ok(12000, 96000, "0.90ms", "8.00ms")]),
        _run(fleet_http, parse, "get", "pg-1", [ok(5000, 40000, "2.00ms", "10.00ms")], pg_cpu_s=2.0, pg_cpu_share=16.0),
        _run(
            fleet_http,
            parse,
            "get",
            "pg-2",
            [ok(3000, 24000, "2.00ms", "20.00ms"), ok(3000, 24000, "2.00ms", "20.00ms")],
            pg_cpu_s=2.4,
            pg_cpu_share=15.0,
        ),
    ]
    rows = fleet_http.summarize(runs)
    assert [(r["scenario"], r["config"]) for r in rows] == [("get", "sqlite"), ("get", "pg-1"), ("get", "pg-2")]
    sqlite, pg1, pg2 = rows
    assert sqlite["rps"] == 11000 and sqlite["rps_rounds"] == [10000, 12000]
    assert sqlite["pg_cpu_us"] is None and sqlite["errors"] == 0
    assert pg1["rps"] == 4500 and pg1["p99_ms"] == 15.0 and pg1["pg_cpu_share"] == 14.0
    assert pg1["pg_cpu_us"] == pytest.approx(3.6 / 72000 * 1e6, abs=0.1)
    assert pg2["rps"] == 5500 and pg2["requests"] == 88000
    assert pg2["p50_ms"] == 2.25 and pg2["p99_ms"] == 25.0  # medians of the slower node's figures
    assert (pg2["errors"], pg2["non2xx"]) == (3, 3)  # one node's errors in one round stay in the row

    ratio = fleet_http.ratios(rows)["get"]
    assert ratio == {"pg-1 / sqlite": 0.41, "pg-2 / pg-1": 1.22, "pg-2 / sqlite": 0.5}

    report = {
        "started": "2026-12-02 04:00 UTC",
        "machine": "2 CPUs",
        "tree": "abc",
        "wrk": "wrk 4.1.0",
        "args": {"connections": 16, "duration": 8, "rounds": 2},
        "configs": [{"key": c.key, "label": c.label} for c in fleet_http.configurations(2)],
        "load_min": 0.5,
        "load_max": 1.5,
        "steal_max": 0.0,
        "rows": rows,
        "ratios": fleet_http.ratios(rows),
    }
    text = fleet_http.markdown(report)
    assert "| GET identity provider | 2 nodes x 1 worker, one PostgreSQL | 5,500 | 2.25 | 25.00 | **3** " in text
    assert "| GET identity provider | 1 node x 2 workers, SQLite | 11,000 | 0.95 | 8.50 | 0 |" in text
    assert "| GET identity provider | 0.41 | 1.22 | 0.50 |" in text
    assert "Errors in all: 3." in text and "No errors" not in text
