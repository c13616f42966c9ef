"""Where things are: the source tree, the build tree, fixture libraries, backends."""
import json
import os
import pathlib
import subprocess
import sys

CONFORMANCE = pathlib.Path(__file__).resolve().parent.parent
SOURCE = CONFORMANCE.parent
SCHEMA = CONFORMANCE / "schema" / "scenario.schema.json"
# The harness's own tests point these at stand-ins (fake runners, fake fixtures).
SCENARIOS = pathlib.Path(os.environ.get("ASYNCABI_CONFORM_SCENARIOS", CONFORMANCE / "scenarios"))
BACKENDS_FILE = pathlib.Path(os.environ.get("ASYNCABI_CONFORM_BACKENDS",
                                            CONFORMANCE / "backends.json"))
FIXTURES_SOURCE = pathlib.Path(os.environ.get("ASYNCABI_FIXTURES_SOURCE", SOURCE / "fixtures"))


def build_dir(explicit=None) -> pathlib.Path:
    value = explicit or os.environ.get("ASYNCABI_BUILD_DIR") or SOURCE / "build"
    return pathlib.Path(value).resolve()


# Builds of every fixture library (cmake/AsyncabiTesting.cmake): plain, ASan+UBSan, TSan.
FIXTURE_VARIANTS = ("plain", "asan", "tsan")


def fixture_interface(build: pathlib.Path, name: str) -> pathlib.Path:
    """interface.json of fixtures/<name>: asyncabi-scaffold derives it from the fixture's UDL
    file into <build>/fixtures/<name>/. Stand-in fixtures (ASYNCABI_FIXTURES_SOURCE, the
    harness's own tests) have no UDL file and ship theirs beside their sources."""
    if "ASYNCABI_FIXTURES_SOURCE" in os.environ:
        standin = FIXTURES_SOURCE / name / "interface.json"
        if standin.exists():
            return standin
    derived = build / "fixtures" / name / "interface.json"
    if not derived.exists():
        raise FileNotFoundError(f"fixture {name!r}: no {derived} (derived from "
                                f"fixtures/{name}/{name}.udl by ./asyncabi build)")
    return derived


def fixture_paths(build: pathlib.Path, name: str, variant: str = "plain") -> dict:
    """{"library": .so path, "interface": interface.json path} of fixtures/<name>, in the given
    build variant (lib<library>.so, lib<library>_asan.so, lib<library>_tsan.so)."""
    if variant not in FIXTURE_VARIANTS:
        raise ValueError(f"unknown fixture variant {variant!r}; known: {FIXTURE_VARIANTS}")
    interface = fixture_interface(build, name)
    library_name = json.loads(interface.read_text())["library"]
    suffix = "" if variant == "plain" else "_" + variant
    candidates = sorted((build / "fixtures").rglob(f"lib{library_name}{suffix}.so"))
    if not candidates:
        raise FileNotFoundError(f"lib{library_name}{suffix}.so not found under "
                                f"{build / 'fixtures'} (build the fixtures first: ./asyncabi build)")
    return {"library": str(candidates[0]), "interface": str(interface)}


def _c_compiler(build: pathlib.Path) -> str:
    """The compiler that built the fixtures (CMakeCache.txt), so that its sanitizer runtime is
    the one preloaded."""
    cache = build / "CMakeCache.txt"
    if cache.exists():
        for line in cache.read_text(errors="replace").splitlines():
            if line.startswith("CMAKE_C_COMPILER:"):
                return line.split("=", 1)[1].strip()
    return os.environ.get("CC", "cc")


def _runtime_library(build: pathlib.Path, name: str) -> str:
    out = subprocess.run([_c_compiler(build), f"-print-file-name={name}"], capture_output=True,
                         text=True, check=False).stdout.strip()
    if not out or not os.path.isabs(out) or not os.path.exists(out):
        raise FileNotFoundError(f"{name} not found by {_c_compiler(build)} -print-file-name")
    return out


def sanitizer_env(build: pathlib.Path, variant: str, backend_options=None) -> dict:
    """What a runner process needs in its environment to load sanitizer builds of the fixtures.

    The interpreter is not instrumented, so the sanitizer runtime must be the first library
    loaded: it is preloaded (LD_PRELOAD) into the runner only, never into the harness. ASan:
    leak detection is off (an interpreter leaks by design; the monitor's counters still check
    the fixtures' side); UBSan is linked in non-recovering mode, so any finding aborts the
    runner and the scenario fails as runner-crashed with the report in its stderr.
    backend_options: {"ASAN_OPTIONS": ["name=value", ...], ...}, what a backend's runtime needs
    besides the defaults (backends.json, "fixture_variants"); appended after the defaults."""
    env = _sanitizer_defaults(build, variant)
    for key, options in (backend_options or {}).items():
        if key not in SANITIZER_OPTION_VARIABLES:
            raise ValueError(f"{key} is not a sanitizer option variable "
                             f"({', '.join(SANITIZER_OPTION_VARIABLES)})")
        env[key] = ":".join(([env[key]] if env.get(key) else []) + list(options))
    for key in SANITIZER_OPTION_VARIABLES:
        if key in env and os.environ.get(key):  # the caller's own options win (later ones do)
            env[key] += ":" + os.environ[key]
    return env


SANITIZER_OPTION_VARIABLES = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS")


def variant_spec(spec: dict, variant: str) -> dict:
    """A backend's entry for a fixture variant (backends.json, "fixture_variants"): "options"
    {VARIABLE: {"name=value": why}} its runtime needs, or "cannot_run": why it cannot run
    under that sanitizer at all (its runs are then reported not run, with that reason)."""
    return (spec.get("fixture_variants") or {}).get(variant) or {}


# Where a backend's async foreign methods may run (backends.json, "foreign_async_thread":
# {"model": ..., "why": ...}): check_foreign fails a call that ran on "other" only under
# "event-loop". The threads are reported whatever the model.
FOREIGN_ASYNC_THREADS = {
    "event-loop": "on the scenario's event loop (the caller's, or the one set for a call from a "
                  "thread without one); the default, and asyncio's rule",
    "any": "on a thread the binding's concurrency model chooses (a pool, a new thread): the "
           "language gives a suspend function no thread guarantee",
}
DEFAULT_FOREIGN_ASYNC_THREAD = "event-loop"


def foreign_async_thread(spec: dict) -> str:
    """The backend's declared thread model for async foreign methods (FOREIGN_ASYNC_THREADS);
    ValueError for an unknown model, or a model other than the default without its why."""
    entry = spec.get("foreign_async_thread")
    if entry is None:
        return DEFAULT_FOREIGN_ASYNC_THREAD
    model = entry.get("model") if isinstance(entry, dict) else None
    if model not in FOREIGN_ASYNC_THREADS:
        raise ValueError(f"backend {spec.get('name', '?')}: foreign_async_thread model "
                         f"{model!r} is not one of {', '.join(FOREIGN_ASYNC_THREADS)}")
    if model != DEFAULT_FOREIGN_ASYNC_THREAD and not str(entry.get("why") or "").strip():
        raise ValueError(f"backend {spec.get('name', '?')}: foreign_async_thread model "
                         f"{model!r} needs a why (the binding's design it follows)")
    return model


# Lines a sanitizer writes when it finds something (the runner's stderr is searched for them).
SANITIZER_REPORT_MARKERS = ("ERROR: AddressSanitizer", "WARNING: ThreadSanitizer",
                            "ERROR: ThreadSanitizer", "runtime error: ", "ERROR: LeakSanitizer")


def _sanitizer_defaults(build: pathlib.Path, variant: str) -> dict:
    if variant == "plain":
        return {}
    if variant == "asan":
        return {
            "LD_PRELOAD": " ".join(_runtime_library(build, n) for n in ("libasan.so",
                                                                        "libubsan.so")),
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=0:halt_on_error=1",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        }
    if variant == "tsan":
        return {
            "LD_PRELOAD": _runtime_library(build, "libtsan.so"),
            "TSAN_OPTIONS": "halt_on_error=1:report_signal_unsafe=0:second_deadlock_stack=1",
        }
    raise ValueError(f"unknown fixture variant {variant!r}; known: {FIXTURE_VARIANTS}")


def backends() -> dict:
    """The registered backends (conformance/backends.json), with mutants expanded as
    '<backend>~<mutant>' entries."""
    table = json.loads(BACKENDS_FILE.read_text())
    result = {}
    for name, spec in table.items():
        if name.startswith("$"):
            continue
        result[name] = dict(spec, name=name)
        for mutant in list_mutants(spec):
            result[f"{name}~{mutant['name']}"] = dict(
                spec, name=f"{name}~{mutant['name']}", base=name, mutant=mutant,
                command=spec["command"] + [spec["mutant_flag"], mutant["name"]])
    return result


def list_mutants(spec) -> list:
    registry = spec.get("mutants")
    if not registry:
        return []
    directory = str((BACKENDS_FILE.parent if registry.startswith(".") else SOURCE)
                    / pathlib.Path(registry).parent)
    if directory not in sys.path:
        sys.path.insert(0, directory)
    module = __import__(pathlib.Path(registry).stem)
    return [dict(name=name, **info) for name, info in module.MUTANTS.items()]


def expand_command(command, build: pathlib.Path) -> list:
    return [part.format(python=sys.executable, source=SOURCE, build=build,
                        here=BACKENDS_FILE.parent) for part in command]
