#!/usr/bin/env python3
"""Records the scenario traces under traces/: each named scenario's inputs are run through the
runtime (checked against the model on the way) and written with the runtime's outputs, one JSON
line per step. Re-run after a deliberate change of behaviour, and review the diff.

    python3 runtime/model/record.py [--build-dir BUILD]
"""
import argparse
import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from runtime_driver import Runtime, library_path  # noqa: E402
from test_model import replay  # noqa: E402


def new(k, family="u64", ready=False):
    return {"op": "new", "fut": k, "family": family, "ready": ready}


def poll(k, data, producer="pending", family="u64"):
    return {"op": "poll", "fut": k, "family": family, "data": data, "producer": producer}


def call(op, k, family="u64"):
    return {"op": op, "fut": k, "family": family}


def wake(k):
    return {"op": "wake", "fut": k}


SCENARIOS = {
    "ready_at_once": [new(0), poll(0, 1, "ready"), call("complete", 0), call("free", 0)],
    "pending_then_wake": [new(0), poll(0, 1), wake(0), poll(0, 2, "ready"),
                          call("complete", 0), call("free", 0)],
    "wake_before_store": [new(0, "void"), poll(0, 1, "pending-woken", "void"),
                          poll(0, 2, "ready", "void"), call("complete", 0, "void"),
                          call("free", 0, "void")],
    "wakes_coalesce": [new(0), poll(0, 1), wake(0), wake(0), wake(0), poll(0, 2), wake(0),
                       poll(0, 3, "ready"), call("complete", 0), call("free", 0)],
    "displaced_continuation": [new(0), poll(0, 1), poll(0, 2), wake(0), poll(0, 3, "ready"),
                               call("complete", 0), call("free", 0)],
    "cancel_then_complete": [new(0, "i32"), poll(0, 1, family="i32"), call("cancel", 0, "i32"),
                             call("cancel", 0, "i32"), poll(0, 2, family="i32"),
                             call("complete", 0, "i32"), call("free", 0, "i32")],
    "free_while_pending": [new(0), poll(0, 1), call("free", 0), wake(0), call("free", 0)],
    "ready_made": [new(0, ready=True), call("complete", 0), poll(0, 1), call("complete", 0),
                   call("free", 0)],
    "misuse": [new(0), new(1, "i32"), call("complete", 0), poll(0, 1, "ready"),
               poll(0, 2, family="i32"), call("complete", 0), call("complete", 0),
               poll(0, 3), {"op": "forged", "call": "poll", "fut": 1, "family": "u64",
                            "forge": "odd", "data": 4},
               {"op": "forged", "call": "free", "forge": "zero", "family": "u64"},
               call("free", 0), call("free", 0), call("cancel", 0), poll(0, 5),
               call("free", 1, "i32")],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", help="the CMake build tree (default: $ASYNCABI_BUILD_DIR "
                        "or ./build)")
    args = parser.parse_args()
    if args.build_dir:
        os.environ["ASYNCABI_BUILD_DIR"] = args.build_dir
    path = library_path()
    if not path.exists():
        print(f"record: {path} is not built", file=sys.stderr)
        return 2
    runtime = Runtime(path)
    out_dir = HERE / "traces"
    out_dir.mkdir(exist_ok=True)
    for name, inputs in SCENARIOS.items():
        steps = replay(runtime, [(inp, None) for inp in inputs])
        with open(out_dir / f"{name}.jsonl", "w") as f:
            for inp, out in steps:
                f.write(json.dumps({"in": inp, "out": [list(o) for o in out]}) + "\n")
        print(f"record: traces/{name}.jsonl ({len(steps)} steps)")
    runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
