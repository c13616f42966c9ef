"""Where things are: the source tree, the build tree, fixture libraries, backends."""
import json
import os
import pathlib
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


def fixture_paths(build: pathlib.Path, name: str) -> dict:
    """{"library": .so path, "interface": interface.json path} of fixtures/<name>."""
    interface = FIXTURES_SOURCE / name / "interface.json"
    if not interface.exists():
        raise FileNotFoundError(f"fixture {name!r} has no {interface}")
    library_name = json.loads(interface.read_text())["library"]
    candidates = sorted((build / "fixtures").rglob(f"lib{library_name}.so"))
    if not candidates:
        raise FileNotFoundError(f"lib{library_name}.so not found under {build / 'fixtures'} "
                                "(build the fixtures first: ./asyncabi build)")
    return {"library": str(candidates[0]), "interface": str(interface)}


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
