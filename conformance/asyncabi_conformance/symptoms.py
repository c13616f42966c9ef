"""The harness's own symptoms: every name a failed run can carry that is not a violation code.

A run's symptoms (records.Failure.symptom) are the violation codes of its monitor reports,
which come from AA_MISUSES in observe.h (through names; the judge fails a report with any other
code as a `fixture` fault), and the names in SYMPTOMS below: what the judge, the runner process
and the plugin found themselves. Nothing else is a symptom, so
every list that expects symptoms (a mutant's `expect`, a backend's findings.json) is checked
against known() (conformance/tests/test_symptoms.py), and the docs' list of symptoms is
generated from this table:

    python3 -m asyncabi_conformance.symptoms           # rewrite the docs' generated block
    python3 -m asyncabi_conformance.symptoms --check   # exit 1 if it is out of date

Each symptom is reported under one records.Failure kind, and says whose fault it shows:
  binding   what the binding did (a wrong outcome, a late or lost wake, the wrong thread)
  runner    the runner process, i.e. the binding or its adapter, could not finish the run
  setup     the run tested nothing about the binding (the scenario's setup did not happen,
            the producer or the harness faulted, a library is not built)
  memory    a sanitizer report: a memory error, undefined behaviour or a data race in the
            process, whoever caused it (never an expected finding: expectations.classify)
"""
import argparse
import pathlib
import re
import sys
from dataclasses import dataclass

from . import names
from .locate import SOURCE

# records.Failure kinds: the violation kind's symptom is its code (AA_MISUSES, or
# RUNTIME_MISUSE); every other kind is a symptom by itself unless a code refines it.
VIOLATION = "violation"
OUTCOME = "outcome"
TIMING = "timing"
TIMEOUT = "timeout"
PRECONDITION = "precondition"
THREAD = "thread"
FIXTURE = "fixture"
RUNNER = "runner"
HARNESS = "harness"
KINDS = (VIOLATION, OUTCOME, TIMING, TIMEOUT, PRECONDITION, THREAD, FIXTURE, RUNNER, HARNESS)

# Codes of the runner kind (runner_process.RunnerError.symptom, the plugin).
RUNNER_ERROR = "runner-error"
RUNNER_HUNG = "runner-hung"
RUNNER_CRASHED = "runner-crashed"
PROTOCOL_ERROR = "protocol-error"
RUNNER_START_FAILED = "runner-start-failed"
PRODUCER_MISSING = "producer-missing"
FIXTURE_MISSING = "fixture-missing"
SANITIZER = "sanitizer"
# The code of the violation kind for a runtime misuse the monitor did not turn into a
# violation: the trace op of the line that records the runtime's report (AA_MONITOR_OPS).
RUNTIME_MISUSE = names.trace_op("runtime-misuse")

FAULTS = ("binding", "runner", "setup", "memory")


@dataclass(frozen=True)
class Symptom:
    name: str
    kind: str  # the records.Failure kind it is reported under
    fault: str  # one of FAULTS
    meaning: str


SYMPTOMS = {s.name: s for s in (
    Symptom(OUTCOME, OUTCOME, "binding",
            "a step's value, error, cancellation, completion order or foreign counters are not "
            "what the scenario expects"),
    Symptom(TIMING, TIMING, "binding",
            "a step took less time than its lower bound or more than its upper bound (plus "
            "slack)"),
    Symptom(TIMEOUT, TIMEOUT, "binding",
            "a step or call did not finish before its deadline (a lost wake, a call that found "
            "no event loop)"),
    Symptom(THREAD, THREAD, "binding",
            "a foreign async method ran on another thread than the scenario's event loop "
            "(under the event-loop thread model, the default)"),
    Symptom(RUNTIME_MISUSE, VIOLATION, "binding",
            "the runtime reported a misuse that the monitor did not turn into a violation"),
    Symptom(RUNNER, RUNNER, "runner",
            "the runner failed a step, reported no or a malformed outcome, or reported facts "
            "the scenario does not have"),
    Symptom(RUNNER_ERROR, RUNNER, "runner",
            "the runner answered the run request with an error instead of a result"),
    Symptom(RUNNER_HUNG, RUNNER, "runner",
            "the runner sent no hello or result before the harness's deadline, and was killed"),
    Symptom(RUNNER_CRASHED, RUNNER, "runner",
            "the runner process died before it sent its hello or result"),
    Symptom(PROTOCOL_ERROR, RUNNER, "runner",
            "the runner wrote something that is not the runner protocol"),
    Symptom(RUNNER_START_FAILED, RUNNER, "setup",
            "the runner's command could not be started at all"),
    Symptom(PRODUCER_MISSING, RUNNER, "setup",
            "the producer library the run needs is not built"),
    Symptom(FIXTURE_MISSING, RUNNER, "setup",
            "a fixture library or its interface file is not built"),
    Symptom(PRECONDITION, PRECONDITION, "setup",
            "what the scenario sets up did not happen (a cancel landed after the call had "
            "finished, a fixture mode was not on): the run tested nothing"),
    Symptom(FIXTURE, FIXTURE, "setup",
            "the producer itself faulted (internal errors in its monitor report, or a violation "
            "code that is not in AA_MISUSES)"),
    Symptom(HARNESS, HARNESS, "setup",
            "a bug in the harness: the run was not judged"),
    Symptom(SANITIZER, RUNNER, "memory",
            "a sanitizer (--fixture-variant asan / tsan) reported in the runner's stderr"),
)}


def symptom(name: str) -> str:
    """`name` if it is a harness symptom of SYMPTOMS; KeyError (naming the table) otherwise."""
    if name not in SYMPTOMS:
        raise KeyError(f"{name!r} is not a harness symptom (asyncabi_conformance/symptoms.py)")
    return name


def known(name) -> bool:
    """Whether a run can fail with symptom `name`: a harness symptom or a violation code."""
    return name in SYMPTOMS or name in names.MISUSES


def unknown(symptoms) -> list:
    """The names in `symptoms` that no run can carry, sorted."""
    return sorted({s for s in symptoms if not known(s)}, key=str)


def why_unknown(name) -> str:
    """One line for a name that is neither a harness symptom nor a violation code."""
    return (f"{name!r} is neither a harness symptom (asyncabi_conformance/symptoms.py) nor a "
            "violation code (AA_MISUSES, observe.h)")


# --- the docs' list ------------------------------------------------------------------------------
DOC = "docs/certify-a-backend.md"
BEGIN = ("<!-- generated by conformance/asyncabi_conformance/symptoms.py from SYMPTOMS: "
         "do not edit -->")
END = "<!-- end of generated block -->"


def doc_block() -> str:
    table = ["| symptom | failure kind | whose fault | what happened |", "|---|---|---|---|"]
    table += [f"| `{s.name}` | {s.kind} | {s.fault} | {s.meaning} |" for s in SYMPTOMS.values()]
    return "\n".join(table)


def with_block(text: str, block: str) -> str:
    """`text` with its generated block (BEGIN ... END) replaced by `block`."""
    m = re.search(rf"^{re.escape(BEGIN)}\n.*?^{re.escape(END)}$", text, re.M | re.S)
    if not m:
        raise ValueError(f"{DOC} has no generated block ({BEGIN})")
    return text[:m.start()] + "\n".join([BEGIN, block, END]) + text[m.end():]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="symptoms", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help=f"exit 1 if {DOC}'s list of symptoms is out of date")
    args = parser.parse_args(argv)
    path = pathlib.Path(SOURCE) / DOC
    text = path.read_text()
    try:
        wanted = with_block(text, doc_block())
    except ValueError as exc:
        print(f"symptoms: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if wanted != text:
            print(f"symptoms: {DOC}'s list of symptoms is out of date (run python3 -m "
                  "asyncabi_conformance.symptoms in conformance/)", file=sys.stderr)
            return 1
        print(f"symptoms: {DOC}'s list of symptoms matches SYMPTOMS")
        return 0
    if wanted != text:
        path.write_text(wanted)
    return 0


if __name__ == "__main__":
    sys.exit(main())
