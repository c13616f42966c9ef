"""A backend's expectations: holds a conformance run to the backend's known findings (its
findings.json, conformance/schema/findings.schema.json), as test262's expectations files do.

Used by every generated-bindings backend (runners/uniffi-python, -kotlin, -ruby, -java: each
has its own findings.json and holds its ctests to it with differences()).

    python3 conformance/check_expectations.py --results BUILD/conformance/results.json \
        --expected runners/<backend>/findings.json [--per-seed]

(or `python3 -m asyncabi_conformance.expectations` with conformance/ on PYTHONPATH).

For every (scenario, producer) run of the backend in the results: a scenario findings.json
lists as failing must have failed with at least its symptoms (a monitor's symptom only counts
where the producer can judge it: the C producer's monitor, or a tracking producer's "judges";
a finding with "visible_with" only against those producers, elsewhere the scenario must pass;
a "racy" one may also pass, a race the binding won, but never fail otherwise); one it lists as
unsupported must be unsupported; every other scenario must have passed. A run with a sanitizer
report (symptom "sanitizer", --fixture-variant asan/tsan) is a difference whatever
findings.json says; "unsettled" scenarios are counted, not held; "symptoms_by_producer" names
the symptoms per producer. A name findings.json expects that no run can carry (neither a
harness symptom of symptoms.py nor a violation code of AA_MISUSES) is a difference too.
Prints one line per difference and exits 1 if there is any: a finding that goes away is news
too (update findings.json and docs/findings.md). A run with no results for the backend fails. --per-seed also prints a Markdown table of each lane and seed
(the multi-seed sweep: docs/findings.md, "Multi-seed sweep").
"""
import argparse
import json
import pathlib
import sys

from . import symptoms as symptom_names

PROG = "expectations"


def runs_of(results: dict, expected: dict) -> list:
    """The non-mutant runs of expected's backend in a result file, every producer's lane."""
    backend = expected["backend"]
    return [r for r in results.get("results", []) if not r.get("mutant") and (
        r.get("backend") == backend or r.get("backend") == f"{backend}@{r.get('producer')}")]


def differences(results: dict, expected: dict) -> list:
    """Every name findings.json expects that no run can carry (unknown_symptoms), then each run
    that is not what findings.json says."""
    misspelt = unknown_symptoms(expected)
    runs = runs_of(results, expected)
    if not runs:
        return misspelt + [f"no runs of {expected['backend']} in the results"]
    return misspelt + [problem for problem in (classify(run, expected)[1] for run in runs)
                       if problem]


def expected_symptoms(expected: dict) -> list:
    """(where, name) of every symptom a findings.json names: each finding's symptoms,
    symptoms_any and symptoms_by_producer, and monitor_symptoms."""
    named = [("monitor_symptoms", s) for s in expected.get("monitor_symptoms", [])]
    for scenario, known in expected.get("failing", {}).items():
        named += [(f"failing.{scenario}.symptoms", s) for s in known.get("symptoms", [])]
        named += [(f"failing.{scenario}.symptoms_any", s)
                  for alternative in known.get("symptoms_any", []) for s in alternative]
        named += [(f"failing.{scenario}.symptoms_by_producer.{producer}", s)
                  for producer, names in known.get("symptoms_by_producer", {}).items()
                  for s in names]
    return named


def unknown_symptoms(expected: dict) -> list:
    """One line per name findings.json expects that is neither a harness symptom nor a
    violation code (asyncabi_conformance/symptoms.py): a misspelt name would never match, or
    would silently narrow what is held."""
    return [f"{expected.get('backend')}: {where}: {symptom_names.why_unknown(name)}"
            for where, name in expected_symptoms(expected) if not symptom_names.known(name)]


def unknown_mutant_symptoms(mutants: dict, where: str) -> list:
    """One line per name a mutants module's MUTANTS expect that no run can carry."""
    return [f"{where}: mutant {name}: expect: {symptom_names.why_unknown(symptom)}"
            for name, info in mutants.items() for symptom in info.get("expect", [])
            if not symptom_names.known(symptom)]


def classify(run: dict, expected: dict) -> tuple:
    """(what the run is, the difference or None). What: "passed" (as expected), "expected" (a
    listed finding failed as listed), "won" (a racy finding passed: the binding won its race),
    "unsupported" (as listed, or a limit of the producer), "unsettled" (printed, not held),
    "difference"."""
    monitor_only = set(expected.get("monitor_symptoms", []))
    where = f"{run['scenario']} (seed {run['seed']}" + (
        f", producer {run['producer']})" if run.get("producer") else ")")
    status = run["status"]
    symptoms = set(run.get("symptoms") or [])
    if symptom_names.SANITIZER in symptoms:  # a failure whatever was expected
        return "difference", (f"{where}: {status} {sorted(symptoms)}: a sanitizer report "
                              "(never an expected finding)")
    if status == "unsupported" and not run.get("missing_capabilities") and \
            run.get("producer", "c") != "c":
        return "unsupported", None  # a limit of the producer (its checks.json), not a verdict
    if run["scenario"] in expected["unsupported"]:
        if status != "unsupported":
            return "difference", f"{where}: {status}, expected unsupported"
        return "unsupported", None
    if run["scenario"] in expected.get("unsettled", {}):
        return "unsettled", None
    known = expected["failing"].get(run["scenario"])
    if known is None:
        if status != "passed":
            return "difference", f"{where}: {status} {sorted(symptoms)}, expected to pass"
        return "passed", None
    if "symptoms_by_producer" in known:  # what each producer shows of the finding
        known = dict(known, symptoms=known["symptoms_by_producer"].get(
            run.get("producer", "c"), []))
    seen_by_producer = monitor_verdicts(run)
    # "symptoms_any": a race in the binding decides which of these symptom sets shows
    wants = [{s for s in alternative if s not in monitor_only or seen_by_producer is ALL
              or s in seen_by_producer}
             for alternative in known.get("symptoms_any") or [known["symptoms"]]]
    visible = run.get("producer", "c") in known.get("visible_with", [run.get("producer", "c")])
    if all(not want for want in wants) or not visible:  # nothing this producer can see
        if status != "passed":
            return "difference", (f"{where}: {status} {sorted(symptoms)}, expected to pass "
                                  f"(finding {known['finding']} is visible only with "
                                  f"{known.get('visible_with') or 'a monitor'})")
        return "passed", None
    if status == "passed" and (known.get("racy") or any(not want for want in wants)):
        return "won", None  # the binding won its race, or one outcome is invisible here
    if status != "failed" or not any(want and want <= symptoms for want in wants):
        return "difference", (f"{where}: {status} {sorted(symptoms)}, expected to fail with "
                              f"{' or '.join(str(sorted(w)) for w in wants if w)} "
                              f"(finding {known['finding']})")
    return "expected", None


ALL = object()  # the producer has the full protocol monitor


def monitor_verdicts(run: dict):
    """Which monitor symptoms the run's producer can show: ALL for the C producer's protocol
    monitor; for a producer that only tracks (its report says "monitor": false, e.g. the Rust
    producer), the symptoms its report "judges"; none without a report."""
    reports = [r for r in (run.get("monitor") or {}).values() if r is not None]
    if any(r.get("monitor") is not False for r in reports):
        return ALL
    return {s for r in reports for s in r.get("judges") or []}


KINDS = ("passed", "expected", "won", "unsupported", "unsettled", "difference")


def per_seed(results: dict, expected: dict) -> list:
    """One row per (lane, seed): the count of runs of each kind (classify) and the scenarios
    of the differences."""
    rows = {}
    for run in runs_of(results, expected):
        kind, _ = classify(run, expected)
        row = rows.setdefault((run["backend"], run["seed"]), dict.fromkeys(KINDS, 0))
        row[kind] += 1
        if kind in ("difference", "unsettled"):
            row.setdefault(f"{kind}_list", []).append(f"{run['scenario']} {run['status']} "
                                                     f"{sorted(run.get('symptoms') or [])}")
    return [dict(lane=lane, seed=seed, **row) for (lane, seed), row in sorted(rows.items())]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", required=True, type=pathlib.Path)
    parser.add_argument("--expected", required=True, type=pathlib.Path,
                        help="the backend's findings.json (runners/<backend>/findings.json)")
    parser.add_argument("--per-seed", action="store_true",
                        help="also print one Markdown table row per lane and seed: runs passed, "
                             "failed as findings.json expects, racy findings won, unsupported, "
                             "unsettled, differences")
    args = parser.parse_args(argv)
    loaded = []
    for path in (args.results, args.expected):
        try:
            loaded.append(json.loads(path.read_text()))
        except (OSError, ValueError) as exc:
            print(f"{PROG}: cannot read {path}: {exc}", file=sys.stderr)
            return 2
    results, expected = loaded
    problems = differences(results, expected)
    for line in problems:
        print(f"{PROG}: {line}")
    if args.per_seed:
        print("| lane | seed | passed | failed as expected | racy, passed | unsupported "
              "| unsettled | differences |")
        print("|---|---|---|---|---|---|---|---|")
        for row in per_seed(results, expected):
            print(f"| `{row['lane']}` | {row['seed']} | {row['passed']} | {row['expected']} | "
                  f"{row['won']} | {row['unsupported']} | {row['unsettled']} | "
                  f"{row['difference']}"
                  + (f" ({'; '.join(row['difference_list'])})" if row['difference'] else "")
                  + " |")
    runs = sum(1 for r in results.get("results", []) if r.get("backend", "").split("@")[0]
               == expected["backend"] and not r.get("mutant"))
    print(f"{PROG}: {expected['backend']}: {runs} runs, "
          f"{len(problems)} difference(s) from findings.json")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
