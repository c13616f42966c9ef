"""The report and the judge name trace ops and violation codes only through the one table
(AA_OPS, AA_MONITOR_OPS, AA_MISUSES in observe.h, generated into runtime/families.py): every
name they use is in it, and every op of it gets a mark on the timeline."""
import pathlib
import re

import pytest

from asyncabi_conformance import judge, names, report
from asyncabi_conformance.records import Failure

SOURCE = pathlib.Path(__file__).resolve().parents[2]


def header_names(macro):
    """The names of one X-macro table of observe.h, read from the header itself."""
    text = (SOURCE / "runtime" / "include" / "asyncabi" / "observe.h").read_text()
    body = re.search(rf"^#define {macro}\(X\)((?:.*\\\n)*.*)$", text, re.M).group(1)
    return re.findall(r"\bX\(\s*\w+,\s*\"([^\"]*)\"", body.replace("\\\n", " "))


def test_names_are_the_headers_tables():
    assert list(names.RUNTIME_OPS) == header_names("AA_OPS")
    assert list(names.MONITOR_OPS) == header_names("AA_MONITOR_OPS")
    assert list(names.TRACE_OPS) == header_names("AA_OPS") + header_names("AA_MONITOR_OPS")
    assert list(names.MISUSES) == header_names("AA_MISUSES")
    assert set(names.OP_MEANINGS) == set(names.TRACE_OPS)
    assert all(names.OP_MEANINGS.values())
    assert not set(names.TRACE_OPS) & set(names.MISUSES)


def test_unknown_names_are_refused():
    assert names.trace_op("poll") == "poll" and names.misuse("free-twice") == "free-twice"
    with pytest.raises(KeyError, match="AA_OPS"):
        names.trace_op("handof")
    with pytest.raises(KeyError, match="AA_MISUSES"):
        names.misuse("leaked-futures")


def test_report_names_only_ops_of_the_table():
    assert set(report.COLORS) <= set(names.TRACE_OPS)
    assert set(report.META_OPS) <= set(names.TRACE_OPS)
    assert not set(report.COLORS) & set(report.META_OPS)


@pytest.mark.parametrize("op", names.TRACE_OPS)
def test_every_op_of_the_table_gets_a_mark(op):
    mark, color = report.timeline_mark(op)
    if op in report.META_OPS:
        assert mark == "hidden"
        return
    # drawn as an event, never as a violation: in its colour, or the documented default
    assert mark == "circle"
    assert color == report.COLORS.get(op, report.DEFAULT_COLOR)
    line = {"op": op, "handle": "0x5", "t_ns": 1, "name": "thing"}
    svg = report.timeline_svg([{"op": "poll", "handle": "0x5", "t_ns": 0}, line])
    assert svg.count("<circle") >= 2 and "class='violation'" not in svg
    assert f"fill='{color}'" in svg
    if op not in report.COLORS:
        assert ">other</text>" in svg  # the default colour is in the legend


@pytest.mark.parametrize("code", names.MISUSES)
def test_every_violation_line_is_a_red_mark(code):
    assert report.timeline_mark(code) == ("violation", "#cf222e")
    svg = report.timeline_svg([{"op": code, "handle": "0x5", "t_ns": 0, "name": "message"}])
    assert "class='violation'" in svg and f">{code}</text>" in svg


def test_an_op_unknown_to_the_table_is_flagged_not_dropped():
    assert report.timeline_mark("renamed-op") == ("violation", "#cf222e")
    svg = report.timeline_svg([{"op": "renamed-op", "handle": "0x5", "t_ns": 0}])
    assert "class='violation'" in svg and ">renamed-op</text>" in svg


def test_a_leave_line_is_grey_and_a_failed_code_is_red():
    assert report.timeline_mark("complete", "leave") == ("circle", report.DEFAULT_COLOR)
    assert report.timeline_mark("runtime-misuse", None, {"runtime-misuse"})[0] == "violation"


def test_judge_counters_name_monitor_codes_of_the_table():
    assert set(judge.LIVE_COUNTERS.values()) <= set(names.MISUSES)
    for code in judge.LIVE_COUNTERS.values():
        assert names.MISUSE_DETECTED_BY[code] == "monitor"
    assert judge.RUNTIME_MISUSE in names.MONITOR_OPS


@pytest.mark.parametrize("counter", sorted(judge.LIVE_COUNTERS))
def test_judge_flags_each_leak_counter_with_its_code(counter):
    scenario = {"id": "s", "fixtures": ["futures"]}
    report_ = {"scenario": "s", "violations": [], "counters": {counter: 1}}
    failures = judge.judge_monitor(scenario, {"futures": report_}, 1.0)
    assert [(f.kind, f.code) for f in failures] == [("violation", judge.LIVE_COUNTERS[counter])]
    assert isinstance(failures[0], Failure)
