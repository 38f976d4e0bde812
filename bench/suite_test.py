"""The bench suite's arithmetic and report, with stand-in programs for the benchmarks (no real
measurement here: speed goals live in `./zlab bench`, never in timed tests)."""

import json
import os
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import suite  # noqa: E402


def test_a_ratio_is_of_the_medians_and_the_span_of_the_rounds():
    m = suite.Measure("x", "x", "msg/s", [], suite.HIGHER, 1.2)
    row = suite.summarise(m, [100, 200, 300], [150, 260, 330])
    assert row["libzmq"] == 200 and row["zlab"] == 260
    assert row["ratio"] == pytest.approx(1.3)
    assert row["ratio_min"] == pytest.approx(1.1) and row["ratio_max"] == pytest.approx(1.5)
    assert row["met"] is True and "bound" not in row


def test_a_missed_goal_carries_what_bounds_it_and_lower_is_better_for_latency():
    m = suite.Measure("lat", "lat", "us", [], suite.LOWER, 0.9, bound="the blocking path")
    row = suite.summarise(m, [40.0], [44.0])
    assert row["ratio"] == pytest.approx(1.1)
    assert row["met"] is False and row["bound"] == "the blocking path"
    assert suite.summarise(m, [40.0], [30.0])["met"] is True


def test_a_goal_on_zlabs_own_figure_ignores_the_ratio():
    m = suite.Measure("g", "g", "x", [], suite.LOWER, 1.25, judge="zlab")
    # libzmq's growth 0.5, zlab's 1.2: the ratio is 2.4, but zlab's own figure meets 1.25
    assert suite.summarise(m, [0.5], [1.2])["met"] is True
    assert suite.summarise(m, [0.5], [3.0])["met"] is False


def test_every_goal_of_the_issue_is_a_measure():
    ids = {m.id: m for m in suite.measures(quick=True)}
    for wanted, goal in (("tcp_64", 1.2), ("tcp_1024", 1.5), ("tcp_16384", 2.0),
                         ("tcp_65536", 2.0), ("ipc_64", 1.2), ("ipc_65536", 2.0),
                         ("inproc_64", 1.0), ("tcp_latency", 0.9), ("tcp_latency_overhead", 0.5),
                         ("inproc_latency", 1.0), ("tcp_64_loaded", 1.2), ("idle_rss", 1.0),
                         ("router_inproc_growth", 1.25), ("pub_inproc_growth", 1.25),
                         ("sim_events", 1_000_000), ("sim_speed", 300)):
        assert ids[wanted].goal == goal, wanted
    assert ids["tcp_64_loaded"].load
    for m in ids.values():
        assert m.goal is None or m.bound or not m.both or m.derive, f"{m.id} has no bound text"


def stand_in(path, body):
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def bins(tmp_path):
    """Programs that print what the real ones print: libzmq's figures without LD_LIBRARY_PATH,
    zlab's with it (the same binary on both libraries, as the suite runs them)."""
    lib = tmp_path / "lib"
    lib.mkdir()
    pick = 'if [ -n "$LD_LIBRARY_PATH" ]; then echo "$2"; else echo "$1"; fi'
    b = {
        "throughput_libzmq": stand_in(tmp_path / "tp", f'set -- 1000 1300\n{pick}'),
        "latency_libzmq": stand_in(tmp_path / "lat", f'set -- 40 36\n{pick}'),
        "many_peers_libzmq": stand_in(
            tmp_path / "mp", 'case "$1:$3" in rss:*) n="5000 4000";; *:10) n="900 800";;'
            ' *) n="1000 400";; esac\nset -- $n\n' + pick),
        "curve_libzmq": stand_in(tmp_path / "cv", f'set -- 100 110\n{pick}'),
        "raw_tcp_latency": stand_in(tmp_path / "raw", "echo 20"),
        "sim_bench": stand_in(tmp_path / "sb", 'echo "  events per wall-sec  150000"\n'
                              'echo "  simulated/wall time  33.5x"'),
        "zlab_sim": stand_in(tmp_path / "zs", 'echo "sweep: 65 runs, 65 passed, 0 failed"'),
    }
    return b, lib


def test_a_run_interleaves_both_libraries_and_derives_the_overhead_and_growth(bins):
    b, lib = bins
    rows = {r["id"]: r for r in suite.run_suite(b, lib, rounds=2, quick=True,
                                                progress=lambda s: None)}
    assert rows["tcp_64"]["libzmq_rounds"] == [1000, 1000]
    assert rows["tcp_64"]["zlab_rounds"] == [1300, 1300]
    assert rows["tcp_64"]["met"] is True  # 1.3 >= 1.2
    assert rows["tcp_1024"]["met"] is False and rows["tcp_1024"]["bound"]
    # latency 36 vs 40 us over a 20 us floor: overheads 16 and 20, 0.8 > 0.5: missed
    assert rows["tcp_latency_overhead"]["libzmq"] == 20 and rows["tcp_latency_overhead"]["zlab"] == 16
    assert rows["tcp_latency_overhead"]["met"] is False
    # few 900/800, many 1000/400: libzmq's growth 0.9, zlab's 2.0 -> missed (goal 1.25 on zlab's)
    g = rows["router_inproc_growth"]
    assert g["libzmq"] == pytest.approx(0.9) and g["zlab"] == pytest.approx(2.0)
    assert g["met"] is False
    assert rows["idle_rss"]["ratio"] == pytest.approx(0.8) and rows["idle_rss"]["met"] is True
    assert rows["sim_events"]["zlab"] == 150000 and rows["sim_events"]["met"] is False
    assert rows["sim_speed"]["zlab"] == 33.5
    assert "libzmq" not in rows["raw_tcp_latency"]


def test_only_keeps_a_derived_rows_inputs(bins):
    b, lib = bins
    rows = suite.run_suite(b, lib, rounds=1, quick=True, only="^tcp_latency_overhead$",
                           progress=lambda s: None)
    assert [r["id"] for r in rows] == ["tcp_latency", "raw_tcp_latency", "tcp_latency_overhead"]


def test_the_report_has_json_table_and_plot(bins, tmp_path):
    b, lib = bins
    rows = suite.run_suite(b, lib, rounds=1, quick=True, only="^(tcp_64|tcp_1024|sim_events)$",
                           progress=lambda s: None)
    text = suite.write_report(rows, tmp_path / "out", {"cpu": "test"}, 1)
    doc = json.loads((tmp_path / "out" / "bench.json").read_text())
    assert doc["format"] == "zlab-bench/1" and doc["missed"] == ["tcp_1024", "sim_events"]
    assert "MISSED" in text and "bound:" in text
    assert (tmp_path / "out" / "ratios.png").stat().st_size > 1000


def test_a_failing_program_stops_the_run_with_its_error(bins):
    b, lib = bins
    b["throughput_libzmq"] = stand_in(Path(os.fspath(b["throughput_libzmq"])),
                                      "echo boom >&2; exit 3")
    with pytest.raises(RuntimeError, match="tcp_64 on libzmq: exit 3: boom"):
        suite.run_suite(b, lib, rounds=1, quick=True, only="^tcp_64$", progress=lambda s: None)
