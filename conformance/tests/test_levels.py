"""Certification levels are earned: certified only when every scenario the level needs passed
on every seed of the run; unsupported counts neither way; a failure, a run that did not run or
a needed run outside this run (filter, shard) withholds the level. Records round-trip."""
import pytest

from asyncabi_conformance import records
from asyncabi_conformance.records import (FAILED, NOT_RUN, PASSED, UNSUPPORTED, ResultsFile,
                                          RunRecord)

INDEX = {"plain1": {"capabilities": []}, "plain2": {"capabilities": []},
         "cancel1": {"capabilities": ["cancellation"]},
         "foreign1": {"capabilities": ["foreign_async"]},
         "both": {"capabilities": ["foreign_async", "threads"]}}
ALL = ["cancellation", "foreign_async", "threads"]


def rec(scenario, status, seed=1, backend="b"):
    return RunRecord(id=f"{scenario}[{backend}-seed{seed}]", scenario=scenario, title="t",
                     backend=backend, base=backend, mutant=None, seed=seed, repetition=1,
                     time_scale=1.0, capabilities=INDEX[scenario]["capabilities"],
                     reproduce="", status=status)


def data(results, caps=ALL, seeds=(1,)):
    return ResultsFile(generated="", wall_time_s=0, time_scale=1, slowdown=1, seeds=list(seeds),
                       repeat=1, fixture_variant="plain",
                       backends={"b": {"hello": {"capabilities": caps}}},
                       scenarios=INDEX, results=results)


def levels(d):
    return {lv.name: lv for lv in d.levels("b")}


def test_all_passed_is_full():
    d = data([rec(s, PASSED) for s in INDEX])
    assert records.level_name(d.levels("b")) == "full"
    assert all(lv.certified for lv in d.levels("b"))


def test_a_failure_withholds_its_level_only():
    d = data([rec(s, FAILED if s == "cancel1" else PASSED) for s in INDEX])
    lv = levels(d)
    assert not lv["cancellation"].certified and lv["cancellation"].failed == 1
    assert lv["core"].certified and lv["foreign_async"].certified and lv["threads"].certified
    assert records.level_name(d.levels("b")) == "core + foreign_async + threads"


def test_a_core_failure_withholds_every_level():
    d = data([rec(s, FAILED if s == "plain1" else PASSED) for s in INDEX])
    assert records.level_name(d.levels("b")) == "none"
    assert levels(d)["threads"].why == "core not earned"


def test_unsupported_is_neither_pass_nor_fail():
    # Declares foreign_async but not threads: "both" is unsupported, foreign_async still earned.
    d = data([rec(s, UNSUPPORTED if s in ("both", "cancel1") else PASSED) for s in INDEX],
             caps=["foreign_async"])
    lv = levels(d)
    assert lv["foreign_async"].certified and lv["foreign_async"].needed == 1
    assert not lv["cancellation"].declared and not lv["cancellation"].certified
    assert not lv["threads"].declared
    assert records.level_name(d.levels("b")) == "core + foreign_async"


def test_every_seed_must_pass():
    results = [rec(s, PASSED, seed) for s in INDEX for seed in (1, 2)]
    results[-1].status = FAILED  # "both" on seed 2
    d = data(results, seeds=(1, 2))
    assert not levels(d)["threads"].certified and levels(d)["core"].certified


@pytest.mark.parametrize("status", [NOT_RUN, None])
def test_a_needed_run_that_did_not_run_or_is_missing_withholds_the_level(status):
    results = [rec(s, PASSED) for s in INDEX if s != "plain2"]
    if status:
        results.append(rec("plain2", status))
    d = data(results)
    assert not levels(d)["core"].certified
    assert records.level_name(d.levels("b")) == "none"
    assert ("not run" if status else "not part of this run") in levels(d)["core"].why


def test_results_round_trip_through_json():
    d = data([rec(s, PASSED) for s in INDEX])
    d.results[0].fail([records.Failure("violation", "m", code="free-twice", step=None)])
    again = ResultsFile.from_json(d.to_json())
    assert again.to_json() == d.to_json()
    assert again.results[0].symptoms == ["free-twice"]


def test_a_record_starts_not_run():
    r = RunRecord(id="x", scenario="x", title="", backend="b", base="b", mutant=None, seed=1,
                  repetition=1, time_scale=1, capabilities=[], reproduce="")
    assert r.status == NOT_RUN
    r.judged([])
    assert r.status == PASSED


def test_a_mutant_with_runs_not_run_is_not_run_never_survived():
    spec = {"b~m": {"mutant": {"name": "m", "expect": ["x"]}}}
    runs = [rec("plain1", PASSED, backend="b~m"), rec("plain2", NOT_RUN, backend="b~m")]
    assert [r.verdict for r in records.mutant_rows(spec, runs)] == ["not run"]
    runs[1].status = PASSED
    assert [r.verdict for r in records.mutant_rows(spec, runs)] == ["survived"]
    assert [r.verdict for r in records.mutant_rows(spec, [])] == ["not run"]
