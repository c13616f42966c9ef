"""pytest plugin: collects scenario x backend x seed as tests and writes the reports.

    python3 -m pytest -p asyncabi_conformance.plugin conformance/scenarios --backend python

Hooks, one job each: pytest_addoption registers every option; pytest_collect_file turns a
scenario file into one item per backend, seed and repetition; pytest_collection_modifyitems
groups items by backend and appends one verdict per mutant; pytest_sessionfinish writes the
JSON and HTML reports; pytest_terminal_summary prints the matrix line and the mutation score.
"""
import json
import os
import pathlib
import tempfile
import time

import pytest

from . import judge, locate, report, scenarios
from .runner_process import RunnerError, RunnerProcess

DEFAULT_SCENARIO_TIMEOUT_MS = 15000


def pytest_addoption(parser):
    group = parser.getgroup("asyncabi", "asyncabi conformance")
    group.addoption("--backend", action="append", default=[],
                    help="backend(s) to certify, by name in conformance/backends.json "
                         "(comma-separated or repeated; default: python)")
    group.addoption("--mutants", default="none",
                    help="also run the backends' mutants: all, none or a comma list of names")
    group.addoption("--seed", action="append", default=[],
                    help="seed(s) for the fixtures' wake schedules (comma-separated or repeated)")
    group.addoption("--repeat", type=int, default=1, help="repetitions of every scenario")
    group.addoption("--time-scale", type=float,
                    default=float(os.environ.get("ASYNCABI_TIME_SCALE", "1.0")),
                    help="multiply every duration by this (default: $ASYNCABI_TIME_SCALE or 1)")
    group.addoption("--mutant-time-scale", type=float, default=0.3,
                    help="time scale of mutant runs (they are judged on violations and hangs, "
                         "not on timing; default 0.3)")
    group.addoption("--scenario", action="append", default=[],
                    help="only scenarios whose id matches this glob (repeatable)")
    group.addoption("--build-dir", default=None,
                    help="the CMake build tree (default: $ASYNCABI_BUILD_DIR or ./build)")
    group.addoption("--fixture-variant", choices=locate.FIXTURE_VARIANTS,
                    default=os.environ.get("ASYNCABI_FIXTURE_VARIANT", "plain"),
                    help="which build of the fixture libraries to load: plain, asan (ASan+UBSan) "
                         "or tsan; the runner is started with that sanitizer's runtime preloaded "
                         "(default: $ASYNCABI_FIXTURE_VARIANT or plain)")
    group.addoption("--conform-json", default=None, help="write the JSON result file here")
    group.addoption("--conform-html", default=None, help="write the HTML report here")


def _split(values):
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


class Harness:
    """Session state: the selected backends, their runner processes, and every result."""

    def __init__(self, config):
        self.config = config
        self.build = locate.build_dir(config.getoption("--build-dir"))
        registry = locate.backends()
        names = _split(config.getoption("--backend")) or ["python"]
        unknown = [n for n in names if n not in registry]
        if unknown:
            raise pytest.UsageError(f"unknown backend(s) {unknown}; known: "
                                    f"{sorted(k for k in registry if '~' not in k)}")
        wanted = config.getoption("--mutants")
        for name in list(names):
            if "~" in name:
                continue
            for key, spec in registry.items():
                mutant = spec.get("mutant")
                if spec.get("base") == name and (wanted == "all" or (
                        mutant and mutant["name"] in _split([wanted]))):
                    names.append(key)
        self.backends = {n: registry[n] for n in names}
        self.seeds = [int(s) for s in _split(config.getoption("--seed"))] or [1]
        self.repeat = max(1, config.getoption("--repeat"))
        self.time_scale = config.getoption("--time-scale")
        self.mutant_time_scale = min(self.time_scale, config.getoption("--mutant-time-scale"))
        self.patterns = _split(config.getoption("--scenario"))
        self.fixture_variant = config.getoption("--fixture-variant")
        try:
            self.runner_env = locate.sanitizer_env(self.build, self.fixture_variant)
        except FileNotFoundError as exc:
            raise pytest.UsageError(f"--fixture-variant {self.fixture_variant}: {exc}")
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix="asyncabi-conform-"))
        self.runners = {}
        self.hellos = {}
        self.results = []
        self.killed = {}  # mutant backend -> the record that killed it
        self.started = time.monotonic()
        self._fixtures = {}

    # --- runners -----------------------------------------------------------------------------
    def runner(self, backend) -> RunnerProcess:
        if backend not in self.runners:
            spec = self.backends[backend]
            trace = self.workdir / f"{backend.replace('~', '-')}.trace.jsonl"
            self.runners[backend] = RunnerProcess(
                backend, locate.expand_command(spec["command"], self.build),
                env={"ASYNCABI_TRACE": str(trace), "PYTHONUNBUFFERED": "1",
                     **self.runner_env},
                cwd=str(locate.SOURCE))
            self.runners[backend].trace_path = trace
        return self.runners[backend]

    def fixture(self, name):
        if name not in self._fixtures:
            self._fixtures[name] = locate.fixture_paths(self.build, name,
                                                        self.fixture_variant)
        return self._fixtures[name]

    def close(self):
        for runner in self.runners.values():
            runner.close()

    # --- one scenario ------------------------------------------------------------------------
    def run(self, item) -> dict:
        scenario, backend = item.scenario, item.backend
        time_scale = self.mutant_time_scale if self.backends[backend].get("mutant") \
            else self.time_scale
        record = {
            "id": item.nodeid, "scenario": scenario["id"], "title": scenario["title"],
            "backend": backend, "base": self.backends[backend].get("base", backend),
            "mutant": (self.backends[backend].get("mutant") or {}).get("name"),
            "seed": item.seed, "repetition": item.repetition, "time_scale": time_scale,
            "capabilities": scenario["capabilities"], "status": "passed", "failures": [],
            "steps": [], "monitor": None, "stderr": "", "trace": [], "elapsed_ms": None,
            "reproduce": self.reproduce_command(scenario["id"], backend, item.seed, time_scale),
        }
        self.results.append(record)
        runner = self.runner(backend)
        start = time.monotonic()
        try:
            hello = runner.ensure_started()
            self.hellos[backend] = hello
        except RunnerError as exc:
            return self._runner_failed(record, runner, exc, 0, start)
        missing = sorted(set(scenario["capabilities"]) - set(hello["capabilities"]))
        if missing:
            record["status"] = "unsupported"
            record["missing_capabilities"] = missing
            return record
        mark = runner.stderr_mark()
        trace_at = _size(runner.trace_path)
        try:
            fixtures = {n: self.fixture(n) for n in scenario["fixtures"]}
        except FileNotFoundError as exc:
            record.update(status="failed", symptoms=["fixture-missing"], failures=[
                {"kind": "runner", "code": "fixture-missing", "step": None, "message": str(exc)}])
            return record
        request = {"scenario": scenario, "seed": item.seed, "time_scale": time_scale,
                   "fixtures": fixtures}
        timeout = scenario.get("timeout_ms", DEFAULT_SCENARIO_TIMEOUT_MS) / 1000.0
        try:
            result = runner.run(request, timeout)
        except RunnerError as exc:
            return self._runner_failed(record, runner, exc, mark, start, trace_at)
        record["elapsed_ms"] = round((time.monotonic() - start) * 1000, 1)
        record["steps"] = result["steps"]
        record["monitor"] = result.get("monitor")
        record["failures"] = judge.judge(scenario, result, time_scale)
        if self.fixture_variant != "plain":
            # halt_on_error makes a finding crash the runner; a report that did not (a warning
            # printed from a thread the sanitizer let go on) still fails the run.
            stderr = runner.stderr_since(mark, settle=0.01)
            found = [m for m in locate.SANITIZER_REPORT_MARKERS if m in stderr]
            if found:
                record["failures"].append({"kind": "runner", "code": "sanitizer", "step": None,
                                           "message": f"{self.fixture_variant}: {found[0]}"})
        if record["failures"]:
            record["status"] = "failed"
            record["stderr"] = runner.stderr_since(mark, settle=0.05)
            record["trace"] = _trace_slice(runner.trace_path, trace_at)
        record["symptoms"] = sorted(judge.symptoms(record["failures"]))
        return record

    def _runner_failed(self, record, runner, exc, mark, start, trace_at=None):
        record["status"] = "failed"
        record["elapsed_ms"] = round((time.monotonic() - start) * 1000, 1)
        record["failures"] = [{"kind": "runner", "code": exc.symptom, "step": None,
                               "message": str(exc)}]
        record["symptoms"] = [exc.symptom]
        record["stderr"] = runner.stderr_since(mark, settle=0.05)
        if self.fixture_variant != "plain" and any(
                m in record["stderr"] for m in locate.SANITIZER_REPORT_MARKERS):
            record["symptoms"].append("sanitizer")
        if trace_at is not None:
            record["trace"] = _trace_slice(runner.trace_path, trace_at)
        return record

    def reproduce_command(self, scenario_id, backend, seed, time_scale):
        variant = ("" if self.fixture_variant == "plain"
                   else f" --fixture-variant {self.fixture_variant}")
        return (f"./asyncabi conform --backend {backend} --scenario {scenario_id} "
                f"--seed {seed} --time-scale {time_scale:g}{variant}")

    # --- summaries ---------------------------------------------------------------------------
    def mutation(self) -> dict:
        mutants = {n: s for n, s in self.backends.items() if s.get("mutant")}
        rows = []
        for name, spec in mutants.items():
            killer = self.killed.get(name)
            expected = set(spec["mutant"].get("expect", []))
            got = set(killer.get("symptoms", [])) if killer else set()
            rows.append({
                "backend": name, "mutant": spec["mutant"]["name"],
                "bug": spec["mutant"].get("bug", ""), "expected": sorted(expected),
                "killed": killer is not None,
                "killed_by": killer["scenario"] if killer else None,
                "symptoms": sorted(got),
                "as_expected": bool(killer) and (not expected or bool(expected & got)),
            })
        killed = sum(1 for r in rows if r["killed"])
        return {"total": len(rows), "killed": killed, "mutants": rows,
                "score": (killed / len(rows)) if rows else None}

    def summary(self) -> dict:
        table = {}
        for r in self.results:
            if r["mutant"]:
                continue
            row = table.setdefault(r["backend"], {"passed": 0, "failed": 0, "unsupported": 0})
            row[r["status"] if r["status"] in row else "failed"] += 1
        return table

    def to_json(self) -> dict:
        return {
            "format": "asyncabi-conformance-results", "version": 1,
            "generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "wall_time_s": round(time.monotonic() - self.started, 2),
            "time_scale": self.time_scale, "seeds": self.seeds, "repeat": self.repeat,
            "fixture_variant": self.fixture_variant,
            "backends": {n: {"hello": self.hellos.get(n),
                             "description": s.get("description", ""),
                             "mutant": s.get("mutant"),
                             "restarts": self.runners[n].restarts if n in self.runners else []}
                         for n, s in self.backends.items()},
            "scenarios": self.scenario_index,
            "summary": self.summary(), "mutation": self.mutation(),
            "results": self.results,
        }


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
        if spec.get("mutant") and self.backend in harness.killed:
            pytest.skip(f"mutant already killed by {harness.killed[self.backend]['scenario']}")
        self.record = record = harness.run(self)
        # Shown as <properties> in the JUnit XML, for CI tools that read them.
        self.user_properties += [("backend", self.backend), ("seed", self.seed),
                                 ("status", record["status"]),
                                 ("symptoms", ",".join(record.get("symptoms", []))),
                                 ("reproduce", record["reproduce"])]
        if record["status"] == "unsupported":
            pytest.skip(f"{self.backend} does not declare {', '.join(record['missing_capabilities'])}")
        if record["status"] == "failed":
            if spec.get("mutant"):
                harness.killed[self.backend] = record
                pytest.xfail(f"mutant killed: {', '.join(record['symptoms'])}")
            raise ScenarioFailed(record)

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
        row = next(r for r in harness.mutation()["mutants"] if r["backend"] == self.backend)
        if not row["killed"]:
            raise AssertionError(f"mutant {self.backend} survived every scenario: "
                                 f"the suite cannot see '{row['bug']}'")
        if not row["as_expected"]:
            raise AssertionError(f"mutant {self.backend} was killed by {row['killed_by']} with "
                                 f"{row['symptoms']}, expected one of {row['expected']}")

    def reportinfo(self):
        return self.path, None, f"mutant verdict {self.backend}"


HARNESS = pytest.StashKey()


def pytest_configure(config):
    harness = Harness(config)
    harness.validator = scenarios.validator()
    harness.scenario_index = {}
    config.stash[HARNESS] = harness


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".json" and file_path.parent == locate.SCENARIOS:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_modifyitems(session, config, items):
    harness = config.stash[HARNESS]
    order = list(harness.backends)
    scenario_items = [i for i in items if isinstance(i, ScenarioItem)]
    others = [i for i in items if not isinstance(i, ScenarioItem)]
    scenario_items.sort(key=lambda i: order.index(i.backend))
    verdicts = []
    if scenario_items:
        anchor = scenario_items[0].parent
        for backend, spec in harness.backends.items():
            if spec.get("mutant"):
                verdicts.append(MutantVerdict.from_parent(
                    anchor, name=f"mutant_killed[{backend}]", backend=backend))
    items[:] = others + scenario_items + verdicts


def pytest_sessionfinish(session, exitstatus):
    harness = session.config.stash.get(HARNESS, None)
    if harness is None:
        return
    harness.close()
    data = harness.to_json()
    json_path = session.config.getoption("--conform-json")
    if json_path:
        pathlib.Path(json_path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(json_path).write_text(json.dumps(data, indent=1))
        # Every byte each runner wrote to stderr, whole, beside the results.
        logs = pathlib.Path(json_path).parent / "stderr"
        logs.mkdir(exist_ok=True)
        for name, runner in harness.runners.items():
            (logs / f"{name.replace('~', '-')}.log").write_text(runner.stderr_all())
    html_path = session.config.getoption("--conform-html")
    if html_path:
        pathlib.Path(html_path).parent.mkdir(parents=True, exist_ok=True)
        pathlib.Path(html_path).write_text(report.render_html(data))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    harness = config.stash.get(HARNESS, None)
    if harness is None or not harness.results:
        return
    write = terminalreporter.write_line
    terminalreporter.section("asyncabi conformance")
    for line in report.summary_lines(harness.to_json()):
        write(line)
