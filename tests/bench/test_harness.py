"""The benchmark harness's reading of wrk, /proc and its own results (no server, no database)."""
from pathlib import Path

import pytest

from bench.pages import PAGES_BY_KEY, PUBLIC, BenchPage, locate
from bench.run import (
    check_targets,
    combine,
    database_name,
    format_markdown,
    format_table,
    parse_vm_hwm,
    parse_wrk,
    summarise,
    to_ms,
    with_database,
)

SAMPLES = Path(__file__).parent / "samples"


def test_wrk_report_of_a_floor_run_is_read_with_the_95th_percentile():
    result = parse_wrk((SAMPLES / "wrk_floor.txt").read_text())

    assert result["requests_per_second"] == 264.28
    assert result["requests"] == 812
    assert result["seconds"] == 3.072473
    assert (result["p50_ms"], result["p95_ms"], result["p99_ms"]) == (27.477, 101.397, 1009.958)
    assert (result["non_2xx"], result["socket_errors"]) == (0, 0)


def test_wrk_report_without_the_lua_line_falls_back_on_the_latency_distribution():
    text = "\n".join(line for line in (SAMPLES / "wrk_floor.txt").read_text().splitlines() if not line.startswith("BENCH"))

    result = parse_wrk(text)

    assert (result["p50_ms"], result["p75_ms"], result["p90_ms"], result["p99_ms"]) == (27.48, 39.58, 80.09, 1010.0)
    assert "p95_ms" not in result
    assert result["seconds"] == pytest.approx(3.07)


def test_wrk_report_counts_error_answers_and_socket_errors():
    result = parse_wrk((SAMPLES / "wrk_not_found.txt").read_text())

    assert result["requests_per_second"] == 14.78
    assert result["non_2xx"] == 45
    assert result["socket_errors"] == 1


def test_wrk_output_without_a_result_is_refused():
    with pytest.raises(ValueError):
        parse_wrk("unable to connect to 127.0.0.1:8000 Connection refused\n")


@pytest.mark.parametrize(
    ("text", "milliseconds"), [("812.00us", 0.812), ("3.23ms", 3.23), ("1.01s ", 1010.0), ("2.00m", 120000.0)]
)
def test_wrk_durations_are_converted_to_milliseconds(text, milliseconds):
    assert to_ms(text) == pytest.approx(milliseconds)


def test_peak_memory_is_read_from_proc_status():
    status = "Name:\tgunicorn\nVmPeak:\t  254000 kB\nVmHWM:\t  159796 kB\nVmRSS:\t  150000 kB\n"

    assert parse_vm_hwm(status) == 159796
    assert parse_vm_hwm("Name:\tkthreadd\n") is None


def test_each_scale_has_a_database_of_its_own():
    assert database_name(1) == "transfo_bench_s1"
    assert database_name(100.0) == "transfo_bench_s100"
    assert database_name(0.1) == "transfo_bench_s0_1"
    assert with_database("postgres://postgres@127.0.0.1:5432/postgres", "transfo_bench_s1") == (
        "postgres://postgres@127.0.0.1:5432/transfo_bench_s1"
    )


def _run(rps, p50, p99):
    return {"requests_per_second": rps, "p50_ms": p50, "p95_ms": p50 * 1.2, "p99_ms": p99, "non_2xx": 0, "socket_errors": 0}


def test_a_page_is_compared_with_the_floor_of_its_own_round():
    floors = [_run(4000, 2, 3), _run(2000, 4, 6), _run(3000, 3, 4)]
    # Half the floor in every round, although the machine slowed down in the second one.
    page = [_run(2000, 4, 5), _run(1000, 8, 10), _run(1500, 6, 7)]

    summary = summarise(page, floors)

    assert summary["ratios"] == [0.5, 0.5, 0.5]
    assert summary["ratio"] == 0.5
    assert summary["requests_per_second"] == 1500
    assert (summary["p50_ms"], summary["p99_ms"], summary["p99_over_p50"]) == (6, 7, 1.17)


def test_latency_is_read_from_the_runs_without_a_queue_when_there_are():
    floors = [_run(4000, 2, 3)]
    saturated = [_run(2000, 8, 30)]  # 8 connections on 2 workers: mostly waiting in line
    one_per_worker = [_run(1900, 2, 2.5)]

    summary = summarise(saturated, floors, one_per_worker)

    assert summary["requests_per_second"] == 2000 and summary["ratio"] == 0.5
    assert (summary["p50_ms"], summary["p99_ms"], summary["p99_over_p50"]) == (2, 2.5, 1.25)


def _page(group, ratio, queries, p99_over_p50=1.2, status=200):
    measured = {"ratio": ratio, "p99_over_p50": p99_over_p50, "requests_per_second": 100 * ratio,
                "p50_ms": 1.0, "p95_ms": 1.1, "p99_ms": p99_over_p50}
    return {"group": group, "role": None, "status": status, "queries": queries, "measured": measured}


def test_targets_missed_say_which_and_by_how_much():
    report = {
        "scales": {
            "1": {"pages": {
                "floor": _page("floor", 1.0, 0, p99_over_p50=20.0),
                "auth": _page("auth", 0.35, 1),
                "board": _page("authenticated", 0.02, 9),
                "home": _page("public", 0.9, 0, p99_over_p50=3.0),
                "feed": {"group": "public", "role": None, "status": "absent"},
            }},
            "100": {"pages": {
                "floor": _page("floor", 1.0, 0),
                "auth": _page("auth", 0.31, 1),
                "board": _page("authenticated", 0.06, 12),
                "home": _page("public", 0.9, 0),
            }},
        }
    }

    misses = check_targets(report)

    assert [(m["scale"], m["page"], m["target"]) for m in misses] == [
        ("1", "board", "ratio ≥ 5%"),
        ("1", "home", "p99 ≤ 1.5 × p50"),
        ("1", "feed", "status 200"),
        ("100", "board", "≤ 10 requêtes"),
        ("*", "board", "mêmes requêtes à toutes les échelles"),
    ]
    assert misses[0]["value"] == "2.0%"
    assert misses[0]["short_by"] == "×2.5"
    assert misses[-1]["value"] == "S=1: 9, S=100: 12"


def test_tables_print_measured_and_absent_pages():
    data = {"counts": {"programmes.Lab": 7}, "pages": {"floor": _page("floor", 1.0, 0), "feed": {"status": "absent"}},
            "memory_kb": {"101": 163840}}
    report = {"meta": {"date": "2026-11-29", "commit": "abc1234", "cpus": 2, "load": "1.00", "command": "make bench",
                       "threads": 2, "connections": 8, "rounds": 3, "duration": 5},
              "scales": {"1": data}, "misses": []}

    table = format_table("1", data)
    markdown = format_markdown(report)

    assert "S=1 — 7 labos" in table
    assert "absent" in table.splitlines()[-2]
    assert "160 Mo" in table
    assert "| feed | anonymous | absent |" in markdown


def test_the_floor_of_a_round_is_the_mean_of_its_opening_and_closing_runs():
    opening, closing = _run(4000, 2, 3), _run(2000, 4, 5)

    floor = combine([opening, closing])

    assert (floor["requests_per_second"], floor["p50_ms"], floor["p99_ms"]) == (3000, 3, 4)


def test_a_page_whose_url_name_does_not_exist_is_reported_absent():
    page = BenchPage("nulle-part", "Nulle part", PUBLIC, names=("nulle_part:rien",))

    assert locate(page, {}) is None


def test_a_named_page_gets_its_arguments_and_query_from_the_targets():
    url = locate(PAGES_BY_KEY["calendar"], {"lab": "labo-1", "month": "2026-06"})

    assert url == "/labs/labo-1/calendrier/?mois=2026-06"
