"""The scenarios are valid data, and together they cover every export of every fixture."""
import copy
import json

import jsonschema
import pytest

from asyncabi_conformance import locate, scenarios

ALL = scenarios.load_all()
FIXTURES = ["futures", "adversarial"]


def interface(name):
    return json.loads(locate.fixture_interface(locate.build_dir(), name).read_text())


def qualified(decl):
    owner = decl.get("receiver") or decl.get("constructor")
    return f"{owner}.{decl['name']}" if owner else decl["name"]


def test_the_schema_is_a_valid_schema():
    schema = scenarios.schema()
    jsonschema.validators.validator_for(schema).check_schema(schema)


@pytest.mark.parametrize("path", sorted(locate.SCENARIOS.glob("*.json")), ids=lambda p: p.stem)
def test_scenario_validates(path):
    scenarios.load(path)


@pytest.mark.parametrize("broken,message", [
    ({"steps": []}, "should be non-empty"),
    ({"capabilities": ["teleportation"]}, "teleportation"),
    ({"steps": [{"do": "dance"}]}, "not valid"),
    ({"steps": [{"do": "call"}]}, "not valid"),
    ({"fixtures": ["nonexistent"]}, "nonexistent"),
    ({"steps": [{"do": "cancel", "after_ms": 5}]}, "not valid"),
    ({"steps": [{"do": "implement", "interface": "X", "save": "x",
                 "methods": {"m": {"result": "sometimes"}}}]}, "not valid"),
])
def test_schema_rejects_broken_scenarios(broken, message):
    scenario = copy.deepcopy(ALL[0])
    scenario.update(broken)
    errors = [e.message for e in scenarios.validator().iter_errors(scenario)]
    assert errors and any(message in e for e in errors), errors


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_export_is_covered_by_a_scenario(fixture):
    iface = interface(fixture)
    called = {f for s in ALL for (fx, f) in scenarios.functions_called(s) if fx == fixture}
    implemented = {i for s in ALL for (fx, i) in scenarios.interfaces_used(s) if fx == fixture}
    exports = {qualified(d) for d in iface["functions"]}
    missing = sorted(exports - called)
    assert not missing, f"exports of {fixture} no scenario calls: {missing}"
    interfaces = {n for n, t in iface.get("types", {}).items()
                  if t["kind"] == "callback_interface" or "init" in t}  # [Trait, WithForeign] too
    assert not (interfaces - implemented), f"foreign traits never implemented: {interfaces - implemented}"


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_called_function_exists(fixture):
    iface = interface(fixture)
    exports = {qualified(d) for d in iface["functions"]}
    unknown = sorted({(s["id"], f) for s in ALL for (fx, f) in scenarios.functions_called(s)
                      if fx == fixture and f not in exports})
    assert not unknown, f"scenarios call functions {fixture} does not export: {unknown}"


def test_every_capability_is_exercised():
    used = {c for s in ALL for c in s["capabilities"]}
    assert used == {"cancellation", "foreign_async", "threads", "async_primary_constructor"}
