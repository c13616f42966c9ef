"""The runtime's transitions checked against the reference model (future_model.py).

Random traces: seeded sequences of calls on a few futures, misuse included (stale handles,
wrong family, forged and odd handles, complete before READY or twice, poll after complete,
polls that displace a stored continuation), driven into libasyncabi through ctypes; after every
input the runtime's outputs (event hook, misuse hook, drop callback) must equal the model's.
Recorded traces (traces/*.jsonl, written by `python3 runtime/model/record.py`): the model and
today's runtime must both reproduce each recorded step exactly.
"""
import json
import pathlib
import random

import pytest

from future_model import Model
from runtime_driver import Runtime, library_path

HERE = pathlib.Path(__file__).resolve().parent
FAMILIES = ["u64", "i32", "void"]


@pytest.fixture(scope="module")
def runtime():
    path = library_path()
    if not path.exists():
        pytest.fail(f"{path} is not built (ninja -C BUILD asyncabi_shared)")
    rt = Runtime(path)
    yield rt
    rt.close()


def random_trace(seed, steps=40):
    """Inputs only; the model decides which wakes are possible (a waker must exist)."""
    rng = random.Random(seed)
    model = Model()
    inputs, futs, data = [], [], 0

    def emit(inp):
        inputs.append(inp)
        model.step(inp)

    for _ in range(steps):
        live = [k for k in futs if not model.futures[k].freed]
        r = rng.random()
        if not live or (r < 0.12 and len(live) < 3):
            k = len(futs)
            futs.append(k)
            emit({"op": "new", "fut": k, "family": rng.choice(FAMILIES),
                  "ready": rng.random() < 0.25})
            continue
        k = rng.choice(live if rng.random() < 0.9 else futs)  # sometimes a freed one: stale
        f = model.futures[k]
        family = f.family if rng.random() < 0.93 else rng.choice(FAMILIES)  # wrong family
        op = rng.choices(["poll", "wake", "cancel", "complete", "free", "forged"],
                         [40, 25, 6, 12, 7, 4])[0]
        if op == "wake" and not f.waker:
            op = "poll"
        if op == "poll":
            data += 1
            emit({"op": "poll", "fut": k, "family": family, "data": data,
                  "producer": rng.choices(["ready", "pending", "pending-woken"], [3, 6, 1])[0]})
        elif op == "wake":
            emit({"op": "wake", "fut": k})
        elif op == "forged":
            call = rng.choice(["poll", "complete", "cancel", "free"])
            inp = {"op": "forged", "call": call, "fut": k, "family": "u64",
                   "forge": rng.choice(["zero", "odd", "garbage"])}
            if call == "poll":
                data += 1
                inp["data"] = data
            emit(inp)
        else:
            emit({"op": op, "fut": k, "family": family})
    for k in futs:
        if not model.futures[k].freed:
            emit({"op": "free", "fut": k, "family": model.futures[k].family})
    return inputs


def replay(runtime, steps):
    """Runs (input, expected outputs or None) pairs through the runtime and the model; returns
    the recorded (input, outputs) steps. Fails on the first divergence."""
    model = Model()
    live_before = runtime.lib.aa_future_live_count()
    invoked_before = runtime.invoked
    recorded = []
    for i, (inp, expected) in enumerate(steps):
        got = [tuple(o) for o in runtime.run(inp)]
        want = [tuple(o) for o in model.step(inp)]
        assert got == want, f"step {i} {inp}: runtime {got}, model {want}"
        if expected is not None:
            assert got == [tuple(o) for o in expected], f"step {i} {inp}: recorded {expected}"
        model.check_outputs(got)
        recorded.append((inp, got))
    model.check_end()
    conts = sum(1 for _, out in recorded for o in out if o[0] == "cont")
    assert runtime.invoked - invoked_before == conts, "a continuation invoked without its event"
    assert runtime.lib.aa_future_live_count() == live_before
    return recorded


@pytest.mark.parametrize("seed", range(300))
def test_random_trace(runtime, seed):
    replay(runtime, [(inp, None) for inp in random_trace(seed)])


def test_random_traces_cover_every_output():
    """The generator reaches every kind of output the model knows (else the test is weak)."""
    seen = set()
    for seed in range(300):
        model = Model()
        for inp in random_trace(seed):
            for o in model.step(inp):
                seen.add(o[:2] if o[0] in ("misuse", "status") else (o[0], o[-1]))
    for want in [("cont", 0), ("cont", 1), ("drop", "drop"), ("status", 0), ("status", 2),
                 ("status", 3), ("misuse", "stale-handle"), ("misuse", "invalid-handle"),
                 ("misuse", "wrong-family"), ("misuse", "complete-before-ready"),
                 ("misuse", "complete-twice"), ("misuse", "poll-after-complete")]:
        assert want in seen, f"no random trace produced {want}"


def recorded_traces():
    return sorted((HERE / "traces").glob("*.jsonl"))


@pytest.mark.parametrize("path", recorded_traces(), ids=lambda p: p.stem)
def test_recorded_trace(runtime, path):
    steps = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    replay(runtime, [(s["in"], s["out"]) for s in steps])


def test_recorded_traces_exist():
    assert len(recorded_traces()) >= 5


def test_a_divergence_is_caught(runtime):
    """Replaying a recorded trace whose outputs were altered must fail: the comparison is
    not vacuous."""
    path = HERE / "traces" / "displaced_continuation.jsonl"
    steps = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    altered = [(s["in"], s["out"]) for s in steps]
    i = next(i for i, (_, out) in enumerate(altered) if any(o[0] == "cont" for o in out))
    inp, out = altered[i]
    altered[i] = (inp, [["cont", o[1], 1 - o[2]] if o[0] == "cont" else o for o in out])
    with pytest.raises(AssertionError, match="recorded"):
        replay(runtime, altered)
    # The runtime is left with the trace's futures half-driven: free them (a stale-handle
    # report for those the trace had freed already is expected and harmless).
    for inp, _ in altered:
        if inp["op"] == "new":
            runtime.run({"op": "free", "fut": inp["fut"], "family": inp["family"]})
