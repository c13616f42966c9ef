"""The harness's results as typed records: what was planned, what ran, how it was judged.

A RunRecord is one scenario x backend x seed x repetition. It is created when the session's
plan is known, with status NOT_RUN, and only the harness moves it on: to PASSED when the run
completed and the judge found nothing, to FAILED with the reasons, to UNSUPPORTED when the
backend does not declare a capability the scenario needs. A record still NOT_RUN at the end
(the session was interrupted, or stopped early) is reported as not run, never as passed.

The JSON result file is these records serialised (to_json / from_json), so a report can be
rendered again, or shard reports merged, from the files alone.
"""
import dataclasses
from dataclasses import dataclass, field
from typing import Optional

from . import symptoms

NOT_RUN = "not run"
PASSED = "passed"
FAILED = "failed"
UNSUPPORTED = "unsupported"
SKIPPED = "skipped"  # a mutant's run skipped because an earlier scenario already killed it
STATUSES = (NOT_RUN, PASSED, FAILED, UNSUPPORTED, SKIPPED)

RESULTS_FORMAT = "asyncabi-conformance-results"
RESULTS_VERSION = 2


@dataclass
class Failure:
    """One reason a run failed. kind: violation (the protocol monitor caught a misuse; code is
    its code), outcome, timing, timeout, precondition (what the scenario sets up did not
    happen), thread (a call ran on the wrong thread or loop), fixture (the producer itself
    faulted), runner (the runner could not do it, hung, crashed or broke the protocol; code
    names which), harness (a bug in the harness). The kinds, and the symptom each kind or code
    stands for, are the table of symptoms.py; a kind not in it is refused."""
    kind: str
    message: str
    step: Optional[int] = None
    code: Optional[str] = None
    fixture: Optional[str] = None
    handle: Optional[object] = None
    sequence: list = field(default_factory=list)

    def __post_init__(self):
        if self.kind not in symptoms.KINDS:
            raise ValueError(f"unknown failure kind {self.kind!r} (symptoms.KINDS: "
                             f"{', '.join(symptoms.KINDS)})")

    @property
    def symptom(self) -> str:
        """The short stable name of what went wrong: a violation code, or the kind."""
        return self.code or self.kind

    def to_json(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items()
                if v is not None and v != [] or k in ("kind", "message", "step")}

    @classmethod
    def from_json(cls, data: dict) -> "Failure":
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class RunRecord:
    id: str
    scenario: str
    title: str
    backend: str
    base: str
    mutant: Optional[str]
    seed: int
    repetition: int
    time_scale: float
    capabilities: list
    reproduce: str
    producer: str = "c"  # the producer library the backend drove (producers.py)
    status: str = NOT_RUN
    reason: str = ""  # why it is not run / skipped / unsupported
    failures: list = field(default_factory=list)  # [Failure]
    missing_capabilities: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    monitor: Optional[dict] = None
    stderr: str = ""
    trace: list = field(default_factory=list)
    elapsed_ms: Optional[float] = None

    @property
    def symptoms(self) -> list:
        return sorted({f.symptom for f in self.failures})

    def fail(self, failures, reason=""):
        self.failures = list(failures)
        self.status = FAILED
        self.reason = reason

    def judged(self, failures):
        """The run completed and was judged: passed only if the judge found nothing."""
        self.failures = list(failures)
        self.status = FAILED if self.failures else PASSED

    def to_json(self) -> dict:
        data = dataclasses.asdict(self)
        data["failures"] = [f.to_json() for f in self.failures]
        data["symptoms"] = self.symptoms
        return data

    @classmethod
    def from_json(cls, data: dict) -> "RunRecord":
        names = {f.name for f in dataclasses.fields(cls)}
        record = cls(**{k: v for k, v in data.items() if k in names and k != "failures"})
        record.failures = [Failure.from_json(f) for f in data.get("failures", [])]
        if record.status not in STATUSES:
            raise ValueError(f"record {record.id}: unknown status {record.status!r}")
        return record


@dataclass
class MutantRow:
    """The verdict on one mutant: killed (by which run, with which symptoms), survived (every
    scenario planned for it ran and passed), not run (some did not run, none failed), or
    pending (a single shard that did not kill it: only the merge of every shard can say)."""
    backend: str
    mutant: str
    bug: str
    expected: list
    verdict: str  # "killed" | "survived" | "not run" | "pending"
    killed_by: Optional[str] = None
    symptoms: list = field(default_factory=list)
    not_run: int = 0

    @property
    def killed(self) -> bool:
        return self.verdict == "killed"

    @property
    def as_expected(self) -> bool:
        return self.killed and (not self.expected or bool(set(self.expected) & set(self.symptoms)))

    def to_json(self) -> dict:
        return dict(dataclasses.asdict(self), killed=self.killed, as_expected=self.as_expected)


def mutant_rows(backends: dict, results: list, partial: bool = False) -> list:
    """One MutantRow per mutant backend in `backends` ({name: spec}), from the records.
    `partial`: the records are one shard of a run, so a mutant it did not kill is pending."""
    rows = []
    for name, spec in backends.items():
        mutant = spec.get("mutant")
        if not mutant:
            continue
        runs = [r for r in results if r.backend == name]
        killer = next((r for r in runs if r.status == FAILED), None)
        not_run = sum(1 for r in runs if r.status == NOT_RUN)
        if killer is not None:
            verdict = "killed"
        elif not_run or not runs:
            verdict = "not run"
        elif partial:
            verdict = "pending"
        else:
            verdict = "survived"
        rows.append(MutantRow(backend=name, mutant=mutant["name"], bug=mutant.get("bug", ""),
                              expected=sorted(mutant.get("expect", [])), verdict=verdict,
                              killed_by=killer.scenario if killer else None,
                              symptoms=killer.symptoms if killer else [], not_run=not_run))
    return rows


def mutation_summary(rows) -> dict:
    killed = sum(1 for r in rows if r.killed)
    judged = sum(1 for r in rows if r.verdict not in ("not run", "pending"))
    return {"total": len(rows), "killed": killed,
            "not_run": sum(1 for r in rows if r.verdict == "not run"),
            "pending": sum(1 for r in rows if r.verdict == "pending"),
            "survived": sum(1 for r in rows if r.verdict == "survived"),
            "score": (killed / judged) if judged else None,
            "mutants": [r.to_json() for r in rows]}


@dataclass
class BackendStats:
    """Counts of one backend's runs by status (runs, not scenarios)."""
    passed: int = 0
    failed: int = 0
    unsupported: int = 0
    not_run: int = 0

    def add(self, status):
        if status == PASSED:
            self.passed += 1
        elif status == UNSUPPORTED:
            self.unsupported += 1
        elif status == NOT_RUN:
            self.not_run += 1
        elif status == FAILED:
            self.failed += 1


def summary(results) -> dict:
    table = {}
    for r in results:
        if r.mutant:
            continue
        table.setdefault(r.backend, BackendStats()).add(r.status)
    return {name: dataclasses.asdict(stats) for name, stats in table.items()}


# --- certification levels ------------------------------------------------------------------------
CAPABILITIES = ("cancellation", "foreign_async", "threads")
LEVELS = ("core",) + CAPABILITIES


@dataclass
class Level:
    """Whether a backend earned one level in this run (docs/certify-a-backend.md, "Levels").

    core: every scenario that needs no capability passed on every seed and repetition.
    A capability: the backend declares it, it earned core, and every scenario that needs the
    capability (and nothing the backend does not declare) passed on every seed and repetition.
    Unsupported runs are neither passes nor failures: they are left out. A level with a needed
    run that failed, did not run, or is missing from this run (filtered out by --scenario,
    another shard) is not certified."""
    name: str
    declared: bool
    certified: bool
    needed: int = 0  # runs the level needs
    passed: int = 0
    failed: int = 0
    not_run: int = 0  # planned in this run but did not run
    missing: int = 0  # not part of this run (--scenario, --shard, fewer seeds)
    why: str = ""

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def levels(backend, declared, scenario_index, results, seeds, repeat) -> list:
    """The Level of each of LEVELS for `backend`, from the records of a (merged) run."""
    declared = set(declared or [])
    runs = {}
    for r in results:
        if r.backend == backend:
            runs.setdefault(r.scenario, {})[(r.seed, r.repetition)] = r
    wanted = [(seed, rep) for seed in seeds for rep in range(1, repeat + 1)]
    out = []
    core_ok = False
    for name in LEVELS:
        if name == "core":
            needed = [s for s, info in scenario_index.items() if not info["capabilities"]]
            is_declared = True
        else:
            needed = [s for s, info in scenario_index.items()
                      if name in info["capabilities"] and set(info["capabilities"]) <= declared]
            is_declared = name in declared
        level = Level(name=name, declared=is_declared, certified=False)
        for sid in needed:
            for key in wanted:
                r = runs.get(sid, {}).get(key)
                level.needed += 1
                if r is None:
                    level.missing += 1
                elif r.status in (NOT_RUN, SKIPPED):
                    level.not_run += 1
                elif r.status == PASSED:
                    level.passed += 1
                elif r.status == FAILED:
                    level.failed += 1
                else:  # UNSUPPORTED: the hello did not declare what the index says it needs
                    level.needed -= 1
        if not is_declared:
            level.why = "not declared"
        elif name != "core" and not core_ok:
            level.why = "core not earned"
        elif not level.needed:
            level.why = "no scenario needs it"
        elif level.failed or level.not_run or level.missing:
            level.why = ", ".join(part for part in (
                f"{level.failed} run(s) failed" if level.failed else "",
                f"{level.not_run} run(s) not run" if level.not_run else "",
                f"{level.missing} needed run(s) not part of this run" if level.missing else "")
                if part)
        else:
            level.certified = True
        if name == "core":
            core_ok = level.certified
        out.append(level)
    return out


def level_name(levels_) -> str:
    """'full', 'core + cancellation', ... or 'none': what the backend earned."""
    earned = [lv.name for lv in levels_ if lv.certified]
    if "core" not in earned:
        return "none"
    if len(earned) == len(LEVELS):
        return "full"
    return " + ".join(earned)


# --- the result file ----------------------------------------------------------------------------
@dataclass
class ResultsFile:
    """Everything one session (or a merge of shard sessions) found; the JSON result file."""
    generated: str
    wall_time_s: float
    time_scale: float
    slowdown: float
    seeds: list
    repeat: int
    fixture_variant: str
    backends: dict  # name -> {"hello", "description", "mutant", "restarts"}
    scenarios: dict  # id -> {"title", "capabilities", "fixtures", "upstream"}
    results: list  # [RunRecord]
    interrupted: Optional[str] = None  # the signal that stopped the session
    shards: list = field(default_factory=list)  # [{"index": K, "count": N}] merged here
    patterns: list = field(default_factory=list)  # --scenario globs

    @property
    def not_run(self) -> list:
        return [r for r in self.results if r.status == NOT_RUN]

    def real_backends(self) -> list:
        return [b for b, s in self.backends.items() if not s.get("mutant")]

    def partial(self) -> bool:
        """One shard (or some shards) of a run, not the whole."""
        counts = {s["count"] for s in self.shards}
        return bool(self.shards) and (len(counts) != 1 or len(self.shards) != counts.pop())

    def mutant_rows(self) -> list:
        return mutant_rows(self.backends, self.results, partial=self.partial())

    def levels(self, backend) -> list:
        hello = self.backends.get(backend, {}).get("hello") or {}
        return levels(backend, hello.get("capabilities", []), self.scenarios, self.results,
                      self.seeds, self.repeat)

    def passed(self) -> bool:
        """Every run of every real backend passed or was unsupported, every run ran, and every
        mutant (if any) was killed as expected."""
        if self.interrupted or self.not_run:
            return False
        if any(r.status == FAILED for r in self.results if not r.mutant):
            return False
        return all(row.as_expected for row in self.mutant_rows())

    def to_json(self) -> dict:
        data = {"format": RESULTS_FORMAT, "version": RESULTS_VERSION}
        for f in dataclasses.fields(self):
            data[f.name] = getattr(self, f.name)
        data["results"] = [r.to_json() for r in self.results]
        data["summary"] = summary(self.results)
        data["not_run"] = len(self.not_run)
        data["mutation"] = mutation_summary(self.mutant_rows())
        data["levels"] = {b: [lv.to_json() for lv in self.levels(b)]
                          for b in self.real_backends()}
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ResultsFile":
        if data.get("format") != RESULTS_FORMAT or data.get("version") != RESULTS_VERSION:
            raise ValueError(f"not a version {RESULTS_VERSION} {RESULTS_FORMAT} file "
                             f"(format {data.get('format')!r}, version {data.get('version')!r})")
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["results"] = [RunRecord.from_json(r) for r in data.get("results", [])]
        return cls(**values)
