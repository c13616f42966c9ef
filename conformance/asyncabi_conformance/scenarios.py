"""Loading and validating scenario files."""
import fnmatch
import json

from . import locate


def schema() -> dict:
    return json.loads(locate.SCHEMA.read_text())


def validator():
    import jsonschema
    cls = jsonschema.validators.validator_for(schema())
    return cls(schema())


def load(path, check=None) -> dict:
    """Parses and validates one scenario; raises ValueError naming the file and the problem."""
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise ValueError(f"{path.name}: not JSON: {exc}") from None
    errors = sorted((check or validator()).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top)"
        raise ValueError(f"{path.name}: {where}: {first.message}")
    if data["id"] != path.stem:
        raise ValueError(f"{path.name}: id {data['id']!r} differs from the file name")
    return data


def load_all(directory=None):
    check = validator()
    return [load(p, check) for p in sorted((directory or locate.SCENARIOS).glob("*.json"))]


def selected(scenario_id: str, patterns) -> bool:
    return not patterns or any(fnmatch.fnmatch(scenario_id, p) for p in patterns)


def functions_called(scenario) -> set:
    """(fixture, function) pairs a scenario calls."""
    default = scenario["fixtures"][0]
    found = set()

    def visit(call):
        if isinstance(call, dict) and "function" in call:
            found.add((call.get("fixture", default), call["function"]))
    for step in scenario["steps"]:
        visit(step)
        visit(step.get("call"))
        for call in step.get("calls", []):
            visit(call)
    return found


def interfaces_used(scenario) -> set:
    default = scenario["fixtures"][0]
    return {(s.get("fixture", default), s["interface"]) for s in scenario["steps"]
            if s["do"] == "implement"}
