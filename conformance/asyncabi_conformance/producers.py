"""The producers a backend is certified against: the same UDL interfaces, implemented twice.

  c     the C fixtures on libasyncabi (fixtures/), with the protocol monitor inside: every
        misuse of the ABI is a violation in the run's report
  rust  the same interfaces implemented in Rust with UniFFI 0.32.2's own scaffolding
        (producers/rust): no monitor, so only what the scenario's steps see (values, errors,
        timings, hangs, the foreign counters) is judged

Each selected producer is a lane of its own: the backend `python` against the C producer keeps
its name, against another producer it is `python@rust` (its own runner process, its own column
in every report, its own levels). A run whose producer is not built fails as
`producer-missing`; it is never skipped or passed.
"""
import json
import os
import pathlib

from . import locate

DEFAULT = "c"
PRODUCERS = {
    "c": "the C fixtures on libasyncabi, protocol monitor inside (fixtures/)",
    "rust": "the same UDL interfaces with UniFFI 0.32.2's Rust scaffolding, no monitor "
            "(producers/rust)",
}


class ProducerMissing(FileNotFoundError):
    """The producer's library for a fixture is not built."""


def lane(backend: str, producer: str) -> str:
    """The name of backend x producer in records and reports."""
    return backend if producer == DEFAULT else f"{backend}@{producer}"


def parse(names: list) -> list:
    """The selected producers, in the order given, each once; ValueError for an unknown one."""
    chosen = []
    for name in names:
        if name not in PRODUCERS:
            raise ValueError(f"unknown producer {name!r}; known: {', '.join(PRODUCERS)}")
        if name not in chosen:
            chosen.append(name)
    return chosen or [DEFAULT]


def limit(producer: str, scenario_id: str) -> str:
    """Why `producer` cannot meet a scenario's expectations whatever the backend does, or ''.
    The producer's own checks file says so (producers/<producer>/checks.json, "limits"); such a
    run is unsupported for that producer, never a failure of the backend."""
    root = pathlib.Path(os.environ.get("ASYNCABI_PRODUCERS_SOURCE", locate.SOURCE / "producers"))
    path = root / producer / "checks.json"
    if producer == DEFAULT or not path.exists():
        return ""
    limits = json.loads(path.read_text()).get("limits", {}).get(producer, {})
    return limits.get(scenario_id, "")


def fixture_paths(build: pathlib.Path, name: str, producer: str, variant: str = "plain") -> dict:
    """{"library", "interface"} of fixture `name` as `producer` builds it. Both producers
    implement the same UDL, so they share its interface.json (locate.fixture_interface)."""
    if producer == "c":
        return locate.fixture_paths(build, name, variant)
    if producer == "rust":
        if variant != "plain":
            raise ProducerMissing(f"the rust producer has no {variant} build of {name!r} "
                                  "(sanitizer variants exist for the C producer only)")
        interface = locate.fixture_interface(build, name)
        library = json.loads(interface.read_text())["library"]
        # producers/rust/README.md: the C library's file name, in <build>/producers/rust/.
        path = build / "producers" / "rust" / f"lib{library}.so"
        if not path.exists():
            raise ProducerMissing(
                f"the rust producer of {name!r} is not built: no {path} (cmake --build "
                f"{build} --target asyncabi_rust_producers)")
        return {"library": str(path), "interface": str(interface)}
    raise ValueError(f"unknown producer {producer!r}")
