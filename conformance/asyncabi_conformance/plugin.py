"""pytest plugin: collects scenario x backend x seed as tests and writes the reports.

    python3 -m pytest -p asyncabi_conformance.plugin conformance/scenarios --backend python

Every option is declared once, in OPTIONS: pytest_addoption registers them, and conform.py
(`./asyncabi conform`) reads the same table for its --help and its usage errors, then hands
the arguments through unchanged.

Hooks, one job each: pytest_configure builds the Harness (and catches SIGINT / SIGTERM);
pytest_collect_file turns a scenario file into one item per backend, seed and repetition;
pytest_collection_modifyitems keeps this shard's items, groups them by backend and appends one
verdict per mutant; pytest_collection_finish plans one record per item (status "not run");
pytest_sessionfinish writes the JSON, HTML and JUnit reports (also after an interruption);
pytest_terminal_summary prints the matrix line, the levels and the mutation score.
"""
import argparse
import json
import os
import pathlib
import signal
import tempfile
import threading
import time
import traceback

import pytest

from . import judge, locate, producers, records, report, scenarios, symptoms
from .records import Failure, RunRecord
from .runner_process import RunnerError, RunnerProcess

DEFAULT_SCENARIO_TIMEOUT_MS = 15000  # the harness's deadline for one whole run
DEFAULT_STEP_TIMEOUT_MS = 3000  # the runner's deadline for one step (docs/runner-protocol.md)
# How much slower a run is than on a plain build (the slack of upper time bounds and every
# hang detector are multiplied by it, times --slowdown).
VARIANT_SLOWDOWN = {"plain": 1.0, "asan": 3.0, "tsan": 5.0}
# Waits, not verdicts, are stretched by this (times the slowdown): a check_foreign's within_ms
# (the runner answers once the counters match) and every hang deadline (step_timeout_ms, the
# scenario's timeout_ms). A correct backend never reaches them; under load a step that sleeps
# 600 ms had less than 400 ms to spare before the unstretched 1 s deadline at time scale 0.3.
# Mutant runs keep the scenario's waits (times the slowdown): a mutant only has to fail, and
# most are caught by a hang, so stretching would only make the mutation run slower.
WAIT_FACTOR = 3.0


# --- options: declared once ------------------------------------------------------------------

def _at_least(minimum, kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {text}")
        return value
    return parse


def seed_list(text: str) -> str:
    """A seed, or a comma list of seeds: whole numbers."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts or not all(p.isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"seeds are whole numbers (e.g. 7 or 1,2,3), not {text!r}")
    return ",".join(parts)


def shard_spec(text: str) -> tuple:
    """K/N: this is shard K of N (1 <= K <= N)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"a shard is K/N (e.g. 2/4), not {text!r}") from None
    if n < 1 or not 1 <= k <= n:
        raise argparse.ArgumentTypeError(f"shard {text}: K/N needs 1 <= K <= N")
    return (k, n)


OPTIONS = [
    (("--backend",), dict(action="append", default=[],
                          help="backend(s) to certify, by name in conformance/backends.json "
                               "(comma-separated or repeated; default python); NAME~MUTANT runs "
                               "one mutant")),
    (("--producer",), dict(action="append", default=[],
                           help="producer(s) the backends drive: c (the C fixtures, with the "
                                "protocol monitor) and/or rust (UniFFI's Rust scaffolding), "
                                "comma list or repeated (default c; conform: "
                                "$ASYNCABI_PRODUCERS or c,rust); a lane other than c is named "
                                "BACKEND@PRODUCER")),
    (("--mutants",), dict(default=None,
                          help="also run the backends' mutants: all, none or a comma list of "
                               "names (default none; conform: all for a full run)")),
    (("--seed",), dict(action="append", default=[], type=seed_list,
                       help="seed(s) for the fixtures' wake schedules (comma list or repeated)")),
    (("--seeds",), dict(type=_at_least(1, int), default=None,
                        help="run seeds 1..N (default: 1 unless --seed is given)")),
    (("--repeat",), dict(type=_at_least(1, int), default=1,
                         help="repetitions of every scenario")),
    (("--time-scale",), dict(type=_at_least(0.001, float), default=None,
                             help="multiply every duration by this "
                                  "(default: $ASYNCABI_TIME_SCALE or 1)")),
    (("--slowdown",), dict(type=_at_least(1.0, float), default=None,
                           help="this machine is F times slower than usual (load, valgrind): "
                                "multiplies the slack of upper time bounds and every hang "
                                "deadline, never a lower bound (default: $ASYNCABI_SLOWDOWN "
                                "or 1; sanitizer variants multiply it again)")),
    (("--mutant-time-scale",), dict(type=_at_least(0.001, float), default=0.3,
                                    help="time scale of mutant runs (judged on violations and "
                                         "hangs, not on timing; default 0.3)")),
    (("--scenario",), dict(action="append", default=[],
                           help="only scenarios whose id matches this glob (repeatable)")),
    (("--shard",), dict(type=shard_spec, default=None, metavar="K/N",
                        help="run only shard K of N of the runs (merge the reports with "
                             "conform --merge)")),
    (("--build-dir",), dict(default=None,
                            help="the CMake build tree (default: $ASYNCABI_BUILD_DIR or ./build)")),
    (("--fixture-variant",), dict(choices=locate.FIXTURE_VARIANTS, default=None,
                                  help="which build of the fixture libraries to load: plain, asan "
                                       "(ASan+UBSan) or tsan; the runner is started with that "
                                       "sanitizer's runtime preloaded "
                                       "(default: $ASYNCABI_FIXTURE_VARIANT or plain)")),
    (("--conform-json",), dict(default=None, help="write the JSON result file here")),
    (("--conform-html",), dict(default=None, help="write the HTML report here")),
    (("--conform-junit",), dict(default=None, help="write the JUnit XML report here")),
]


def add_options(add):
    """Declares every option through add(*names, **kwargs) (pytest's or argparse's)."""
    for names, kwargs in OPTIONS:
        add(*names, **kwargs)


def pytest_addoption(parser):
    add_options(parser.getgroup("asyncabi", "asyncabi conformance").addoption)


def _split(values):
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def writable(path) -> str:
    """'' if a report can be written at `path`, else why not (one line)."""
    path = pathlib.Path(path)
    parent = path.parent
    while not parent.exists():
        if parent.parent == parent:
            break
        parent = parent.parent
    if parent.exists() and not parent.is_dir():
        return f"{parent} is not a directory"
    if path.is_dir():
        return f"{path} is a directory"
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        return f"{target}: permission denied"
    return ""


class Harness:
    """Session state: the selected backends, their runner processes, and every record."""

    def __init__(self, config):
        self.config = config
        self.build = locate.build_dir(config.getoption("--build-dir"))
        registry = locate.backends()
        names = _split(config.getoption("--backend")) or ["python"]
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise pytest.UsageError(f"unknown backend(s) {unknown}; known: "
                                    f"{sorted(k for k in registry if '~' not in k)}")
        self.backends = {n: registry[n] for n in names}
        for spec in self.backends.values():
            try:
                locate.foreign_async_thread(spec)
            except ValueError as exc:
                raise pytest.UsageError(f"conformance/backends.json: {exc}")
        self._add_mutants(registry, names, config.getoption("--mutants") or "none")
        self._add_producers(_split(config.getoption("--producer")))
        seeds = [int(s) for s in _split(config.getoption("--seed"))]
        count = config.getoption("--seeds")
        if seeds and count:
            raise pytest.UsageError("give --seed or --seeds, not both")
        self.seeds = seeds or list(range(1, (count or 1) + 1))
        self.repeat = config.getoption("--repeat")
        scale = config.getoption("--time-scale")
        self.time_scale = scale if scale is not None else _env_number("ASYNCABI_TIME_SCALE",
                                                                      1.0, 0.001)
        self.mutant_time_scale = min(self.time_scale, config.getoption("--mutant-time-scale"))
        self.patterns = _split(config.getoption("--scenario"))
        self.shard = config.getoption("--shard")
        variant = config.getoption("--fixture-variant") or os.environ.get(
            "ASYNCABI_FIXTURE_VARIANT", "plain")
        if variant not in locate.FIXTURE_VARIANTS:
            raise pytest.UsageError(f"fixture variant {variant!r}: known "
                                    f"{', '.join(locate.FIXTURE_VARIANTS)}")
        self.fixture_variant = variant
        slowdown = config.getoption("--slowdown")
        self.user_slowdown = slowdown if slowdown is not None else _env_number(
            "ASYNCABI_SLOWDOWN", 1.0, 1.0)
        self.slowdown = self.user_slowdown * VARIANT_SLOWDOWN[variant]
        self.outputs = {kind: config.getoption(f"--conform-{kind}")
                        for kind in ("json", "html", "junit")}
        for kind, path in self.outputs.items():
            problem = path and writable(path)
            if problem:
                raise pytest.UsageError(f"cannot write the {kind.upper()} report to {path}: "
                                        f"{problem}")
        try:
            self.runner_env = locate.sanitizer_env(self.build, self.fixture_variant)
        except FileNotFoundError as exc:
            raise pytest.UsageError(f"--fixture-variant {self.fixture_variant}: {exc}")
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix="asyncabi-conform-"))
        self.validator = scenarios.validator()
        self.scenario_index = {}
        self.runners = {}
        self.hellos = {}
        self.results = []  # RunRecord, one per planned run, in plan order
        self.killed = {}  # mutant backend -> the record that killed it
        self.interrupted = None  # the signal that stopped the session, if one did
        self.finishing = False  # the reports are being written: a signal waits for them
        self.started = time.monotonic()
        self._fixtures = {}

    def _add_mutants(self, registry, names, wanted):
        if wanted in ("none", "all"):
            chosen = set()
        else:
            chosen = set(_split([wanted]))
        bases = [n for n in names if "~" not in n]
        known = {spec["mutant"]["name"] for spec in registry.values()
                 if spec.get("mutant") and spec.get("base") in bases}
        unknown = sorted(chosen - known)
        if unknown:
            raise pytest.UsageError(
                f"--mutants: no mutant {', '.join(unknown)} of {', '.join(bases) or 'no base'} "
                f"backend; known: {', '.join(sorted(known)) or 'none'}")
        for key, spec in registry.items():
            mutant = spec.get("mutant")
            if mutant and spec.get("base") in bases and (
                    wanted == "all" or mutant["name"] in chosen) and key not in self.backends:
                self.backends[key] = spec

    def _add_producers(self, wanted):
        """One lane per backend x producer (producers.py); mutants drive the C producer only."""
        try:
            self.producers = producers.parse(wanted)
        except ValueError as exc:
            raise pytest.UsageError(f"--producer: {exc}") from None
        lanes = {}
        for name, spec in self.backends.items():
            for producer in self.producers:
                if spec.get("mutant") and producer != producers.DEFAULT:
                    continue
                key = producers.lane(name, producer)
                lanes[key] = dict(spec, name=key, producer=producer,
                                  lane_of=spec.get("name", name))
        self.backends = lanes

    # --- runners -----------------------------------------------------------------------------
    def runner(self, backend) -> RunnerProcess:
        if backend not in self.runners:
            spec = self.backends[backend]
            trace = self.workdir / f"{backend.replace('~', '-')}.trace.jsonl"
            options = locate.variant_spec(spec, self.fixture_variant).get("options") or {}
            runner_env = self.runner_env if not options else locate.sanitizer_env(
                self.build, self.fixture_variant, {k: list(v) for k, v in options.items()})
            self.runners[backend] = RunnerProcess(
                backend, locate.expand_command(spec["command"], self.build),
                env={"ASYNCABI_TRACE": str(trace), "PYTHONUNBUFFERED": "1",
                     # the fixtures' monitor stretches its grace periods by the same factor
                     "ASYNCABI_SLOWDOWN": repr(self.slowdown), **runner_env},
                cwd=str(locate.SOURCE), hello_timeout=20.0 * self.slowdown)
            self.runners[backend].trace_path = trace
        return self.runners[backend]

    def fixture(self, name, producer=producers.DEFAULT):
        if (name, producer) not in self._fixtures:
            self._fixtures[(name, producer)] = producers.fixture_paths(
                self.build, name, producer, self.fixture_variant)
        return self._fixtures[(name, producer)]

    def close(self):
        for runner in self.runners.values():
            if self.interrupted:
                runner.kill()  # it may be mid-scenario: do not wait for it
            else:
                runner.close()

    # --- planning ----------------------------------------------------------------------------
    def plan(self, item) -> RunRecord:
        scenario, backend = item.scenario, item.backend
        spec = self.backends[backend]
        time_scale = self.mutant_time_scale if spec.get("mutant") else self.time_scale
        return RunRecord(
            id=item.nodeid, scenario=scenario["id"], title=scenario["title"],
            backend=backend, base=spec.get("base", backend),
            mutant=(spec.get("mutant") or {}).get("name"), seed=item.seed,
            producer=spec.get("producer", producers.DEFAULT),
            repetition=item.repetition, time_scale=time_scale,
            capabilities=list(scenario["capabilities"]),
            reproduce=self.reproduce_command(scenario["id"], spec.get("lane_of", backend),
                                             item.seed, time_scale,
                                             spec.get("producer", producers.DEFAULT)),
            reason="the session ended before this run")

    # --- one scenario ------------------------------------------------------------------------
    def run(self, item) -> RunRecord:
        record = item.record
        try:
            self._run(item, record)
        except (KeyboardInterrupt, SystemExit):
            raise  # the record stays "not run"
        except Exception as exc:  # a bug in the harness: the run is not judged, so not passed
            record.fail([Failure(symptoms.HARNESS,
                                 f"the harness failed: {type(exc).__name__}: {exc}")])
            record.stderr = traceback.format_exc()
        return record

    def _run(self, item, record):
        scenario, backend = item.scenario, item.backend
        cannot = locate.variant_spec(self.backends[backend], self.fixture_variant).get(
            "cannot_run")
        if cannot:  # declared by the backend: never started, so never a verdict
            record.reason = (f"not run: {backend} cannot run under the {self.fixture_variant} "
                             f"fixture variant: {cannot}")
            return record
        runner = self.runner(backend)
        start = time.monotonic()
        try:
            hello = runner.ensure_started()
            self.hellos[backend] = hello
        except RunnerError as exc:
            return self._runner_failed(record, runner, exc, 0, start)
        missing = sorted(set(scenario["capabilities"]) - set(hello["capabilities"]))
        if missing:
            record.status = records.UNSUPPORTED
            record.missing_capabilities = missing
            record.reason = f"{backend} does not declare {', '.join(missing)}"
            return record
        why = producers.limit(record.producer, scenario["id"])
        if why:  # the producer cannot show it, whatever the backend does
            record.status = records.UNSUPPORTED
            record.reason = f"the {record.producer} producer cannot meet it: {why}"
            return record
        mark = runner.stderr_mark()
        trace_at = _size(runner.trace_path)
        try:
            fixtures = {n: self.fixture(n, record.producer) for n in scenario["fixtures"]}
        except producers.ProducerMissing as exc:
            record.fail([Failure(symptoms.RUNNER, str(exc),
                                 code=symptoms.PRODUCER_MISSING)])
            return record
        except FileNotFoundError as exc:
            record.fail([Failure(symptoms.RUNNER, str(exc),
                                 code=symptoms.FIXTURE_MISSING)])
            return record
        stretch = self.slowdown * (1.0 if record.mutant else WAIT_FACTOR)
        request = {"scenario": self.sent_scenario(scenario, stretch), "seed": item.seed, "time_scale": record.time_scale,
                   "fixtures": fixtures}
        timeout = (scenario.get("timeout_ms", DEFAULT_SCENARIO_TIMEOUT_MS) / 1000.0
                   * stretch)
        try:
            result = runner.run(request, timeout)
        except RunnerError as exc:
            return self._runner_failed(record, runner, exc, mark, start, trace_at)
        record.elapsed_ms = round((time.monotonic() - start) * 1000, 1)
        record.steps = result["steps"]
        record.monitor = result.get("monitor")
        failures = judge.judge(scenario, result, record.time_scale, self.slowdown,
                               seed=item.seed,
                               foreign_async_thread=locate.foreign_async_thread(
                                   self.backends[backend]))
        if self.fixture_variant != "plain":
            # halt_on_error makes a finding crash the runner; a report that did not (a warning
            # printed from a thread the sanitizer let go on) still fails the run.
            stderr = runner.stderr_since(mark, settle=0.01)
            found = [m for m in locate.SANITIZER_REPORT_MARKERS if m in stderr]
            if found:
                failures.append(Failure(symptoms.RUNNER, f"{self.fixture_variant}: {found[0]}",
                                        code=symptoms.SANITIZER))
        record.judged(failures)
        if record.failures:
            record.stderr = runner.stderr_since(mark, settle=0.05)
            record.trace = _trace_slice(runner.trace_path, trace_at)
        return record

    def sent_scenario(self, scenario, stretch) -> dict:
        """The scenario as the runner gets it: its waits (not its verdicts) multiplied by
        `stretch`: step_timeout_ms (a hang detector) and a check_foreign's within_ms (the runner
        answers as soon as the counters match). Every bound the judge checks stays as written."""
        steps = [dict(step, within_ms=step["within_ms"] * stretch)
                 if step["do"] == "check_foreign" and "within_ms" in step else step
                 for step in scenario["steps"]]
        return dict(scenario, steps=steps, step_timeout_ms=round(
            scenario.get("step_timeout_ms", DEFAULT_STEP_TIMEOUT_MS) * stretch))

    def _runner_failed(self, record, runner, exc, mark, start, trace_at=None):
        record.elapsed_ms = round((time.monotonic() - start) * 1000, 1)
        failures = [Failure(symptoms.RUNNER, str(exc), code=exc.symptom)]
        record.stderr = runner.stderr_since(mark, settle=0.05)
        if self.fixture_variant != "plain" and any(
                m in record.stderr for m in locate.SANITIZER_REPORT_MARKERS):
            failures.append(Failure(symptoms.RUNNER, f"{self.fixture_variant} report in the "
                                    "runner's stderr", code=symptoms.SANITIZER))
        record.fail(failures)
        if trace_at is not None:
            record.trace = _trace_slice(runner.trace_path, trace_at)
        return record

    def reproduce_command(self, scenario_id, backend, seed, time_scale,
                          producer=producers.DEFAULT):
        options = f" --producer {producer}"
        if self.fixture_variant != "plain":
            options += f" --fixture-variant {self.fixture_variant}"
        if self.user_slowdown != 1.0:
            options += f" --slowdown {self.user_slowdown:g}"
        json_path = self.outputs.get("json")
        if json_path:  # beside the report it came from, never over it
            slug = "".join(ch if ch.isalnum() or ch in "-_" else "-"
                           for ch in f"{scenario_id}-{producers.lane(backend, producer)}"
                                     f"-seed{seed}")
            options += f" --out {pathlib.Path(json_path).resolve().parent / 'reproduce' / slug}"
        return (f"./asyncabi conform --backend {backend} --scenario {scenario_id} "
                f"--seed {seed} --time-scale {time_scale:g}{options}")

    # --- the result file ---------------------------------------------------------------------
    def results_file(self) -> records.ResultsFile:
        return records.ResultsFile(
            generated=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            wall_time_s=round(time.monotonic() - self.started, 2),
            time_scale=self.time_scale, slowdown=self.slowdown, seeds=self.seeds,
            repeat=self.repeat, fixture_variant=self.fixture_variant,
            backends={n: {"hello": self.hellos.get(n),
                          "description": s.get("description", ""),
                          "mutant": s.get("mutant"),
                          "foreign_async_thread": locate.foreign_async_thread(s),
                          "producer": s.get("producer", producers.DEFAULT),
                          "restarts": self.runners[n].restarts if n in self.runners else []}
                      for n, s in self.backends.items()},
            scenarios=self.scenario_index, results=self.results,
            interrupted=self.interrupted,
            shards=[{"index": self.shard[0], "count": self.shard[1]}] if self.shard else [],
            patterns=self.patterns)


def _env_number(name, default, minimum):
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise pytest.UsageError(f"${name}={text!r} is not a number") from None
    if value < minimum:
        raise pytest.UsageError(f"${name}={text} must be at least {minimum}")
    return value


def _size(path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _trace_slice(path, offset, limit=4000) -> list:
    events = []
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            for line in f:
                try:
                    events.append(json.loads(line))
                except ValueError:
                    continue
                if len(events) >= limit:
                    break
    except OSError:
        pass
    return events


# --- collection ---------------------------------------------------------------------------------
class ScenarioFile(pytest.File):
    def collect(self):
        harness = self.config.stash[HARNESS]
        scenario = scenarios.load(self.path, harness.validator)
        harness.scenario_index[scenario["id"]] = {
            "title": scenario["title"], "capabilities": scenario["capabilities"],
            "fixtures": scenario["fixtures"], "upstream": scenario.get("upstream")}
        if not scenarios.selected(scenario["id"], harness.patterns):
            return
        for backend in harness.backends:
            for seed in harness.seeds:
                for rep in range(1, harness.repeat + 1):
                    name = f"{scenario['id']}[{backend}-seed{seed}"
                    name += f"-rep{rep}]" if harness.repeat > 1 else "]"
                    yield ScenarioItem.from_parent(self, name=name, scenario=scenario,
                                                   backend=backend, seed=seed, repetition=rep)


class ScenarioFailed(Exception):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario, backend, seed, repetition, **kwargs):
        super().__init__(**kwargs)
        self.scenario = scenario
        self.backend = backend
        self.seed = seed
        self.repetition = repetition
        self.record = None

    def runtest(self):
        harness = self.config.stash[HARNESS]
        spec = harness.backends[self.backend]
        record = self.record
        if spec.get("mutant") and self.backend in harness.killed:
            record.status = records.SKIPPED
            record.reason = f"mutant already killed by {harness.killed[self.backend].scenario}"
            pytest.skip(record.reason)
        harness.run(self)
        # Shown as <properties> in the JUnit XML, for CI tools that read them.
        self.user_properties += [("backend", self.backend), ("seed", self.seed),
                                 ("status", record.status),
                                 ("symptoms", ",".join(record.symptoms)),
                                 ("reproduce", record.reproduce)]
        if record.status == records.UNSUPPORTED:
            pytest.skip(record.reason)
        if record.status == records.FAILED:
            if spec.get("mutant"):
                harness.killed[self.backend] = record
                pytest.xfail(f"mutant killed: {', '.join(record.symptoms)}")
            raise ScenarioFailed(record)
        if record.status == records.NOT_RUN:  # the backend declared it cannot run this way
            pytest.fail(record.reason, pytrace=False)
        if record.status != records.PASSED:  # never reached: a run ends judged or failed
            raise AssertionError(f"{self.name}: the run ended as {record.status!r}")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ScenarioFailed):
            return report.failure_text(excinfo.value.args[0])
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, f"{self.scenario['id']} on {self.backend} seed {self.seed}"


class MutantVerdict(pytest.Item):
    """Passes when the suite killed the mutant with one of its expected symptoms."""

    def __init__(self, *, backend, **kwargs):
        super().__init__(**kwargs)
        self.backend = backend

    def runtest(self):
        harness = self.config.stash[HARNESS]
        row = next(r for r in records.mutant_rows(harness.backends, harness.results)
                   if r.backend == self.backend)
        if row.verdict == "not run":
            raise AssertionError(f"mutant {self.backend}: {row.not_run} of its runs did not "
                                 "run; no verdict")
        if row.verdict == "survived":
            raise AssertionError(f"mutant {self.backend} survived every scenario: "
                                 f"the suite cannot see '{row.bug}'")
        if not row.as_expected:
            raise AssertionError(f"mutant {self.backend} was killed by {row.killed_by} with "
                                 f"{row.symptoms}, expected one of {row.expected}")

    def reportinfo(self):
        return self.path, None, f"mutant verdict {self.backend}"


HARNESS = pytest.StashKey()
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_LAST = {}  # the last session's harness in this process (conform.py reads it)


def last_interruption():
    """The name of the signal that stopped the last session in this process, or None."""
    harness = _LAST.get("harness")
    return harness.interrupted if harness else None


def last_results():
    """The last session's ResultsFile, or None."""
    return getattr(_LAST.get("harness"), "data", None)


def pytest_configure(config):
    if config.getoption("--help", False) or config.getoption("--version", False):
        return
    harness = Harness(config)
    config.stash[HARNESS] = harness
    _LAST["harness"] = harness
    if threading.current_thread() is threading.main_thread():
        harness.old_handlers = {s: signal.getsignal(s) for s in _SIGNALS}

        def stop(signum, frame):
            if harness.interrupted or harness.finishing:
                return  # already stopping, or every run is done: let the reports be written
            harness.interrupted = signal.Signals(signum).name
            raise KeyboardInterrupt(harness.interrupted)
        for s in _SIGNALS:
            signal.signal(s, stop)


def pytest_unconfigure(config):
    harness = config.stash.get(HARNESS, None)
    for s, handler in (getattr(harness, "old_handlers", None) or {}).items():
        signal.signal(s, handler)


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".json" and file_path.parent == locate.SCENARIOS:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session, config, items):
    harness = config.stash[HARNESS]
    order = list(harness.backends)
    scenario_items = [i for i in items if isinstance(i, ScenarioItem)]
    others = [i for i in items if not isinstance(i, ScenarioItem)]
    scenario_items.sort(key=lambda i: (order.index(i.backend), i.scenario["id"], i.seed,
                                       i.repetition))
    if harness.shard:  # round robin over the whole, stably ordered plan
        k, n = harness.shard
        dropped = [i for index, i in enumerate(scenario_items) if index % n != k - 1]
        scenario_items = [i for index, i in enumerate(scenario_items) if index % n == k - 1]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
    verdicts = []
    # A shard cannot judge a mutant (another shard may kill it): the merged report does.
    if scenario_items and not harness.shard:
        anchor = scenario_items[0].parent
        for backend, spec in harness.backends.items():
            if spec.get("mutant"):
                verdicts.append(MutantVerdict.from_parent(
                    anchor, name=f"mutant_killed[{backend}]", backend=backend))
    items[:] = others + scenario_items + verdicts


def pytest_collection_finish(session):
    """The plan: one record per run this session will do, each "not run" until it has run."""
    harness = session.config.stash.get(HARNESS, None)
    if harness is None:
        return
    for item in session.items:
        if isinstance(item, ScenarioItem):
            item.record = harness.plan(item)
            harness.results.append(item.record)


def pytest_sessionfinish(session, exitstatus):
    harness = session.config.stash.get(HARNESS, None)
    if harness is None:
        return
    harness.finishing = True
    harness.close()
    if session.config.option.collectonly:
        return  # nothing was meant to run: no report
    data = harness.results_file()
    if data.not_run and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED  # something did not run: not a pass
    problems = report.write_all(data, harness.outputs, stderr_logs={
        name: runner.stderr_all() for name, runner in harness.runners.items()})
    if problems:
        for line in problems:
            print(f"conform: {line}", flush=True)
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    harness.data = data


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    harness = config.stash.get(HARNESS, None)
    data = getattr(harness, "data", None)
    if data is None or not data.results:
        return
    terminalreporter.section("asyncabi conformance")
    for line in report.summary_lines(data):
        terminalreporter.write_line(line)
