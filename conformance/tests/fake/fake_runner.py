#!/usr/bin/env python3
"""A stand-in runner for the harness's own tests. It behaves according to the scenario id:
  ok_*       every step passes with value null
  hang_*     never answers
  crash_*    exits with status 3 after writing to stderr
  badjson_*  writes a line that is not JSON
  slow_*     answers after 0.3 s
  violation_* passes its steps, but its monitor report holds a violation (and a trace)
  wait_*     like ok_*, but when $FAKE_RUNNER_MARKS is set, waits up to 60 s for that
             directory's file "release" (a test interrupts the harness meanwhile)
When $FAKE_RUNNER_MARKS names a directory, the runner touches <dir>/<scenario id> as it starts
each scenario. With --no-hello it never says hello; with --caps a,b it declares those
capabilities; with --mutant breaks_ok its ok_* scenarios report a free-twice violation, with
--mutant harmless it behaves.
"""
import json
import os
import sys
import time

args = sys.argv[1:]
caps = ["cancellation", "foreign_async", "threads"]
if "--caps" in args:
    caps = [c for c in args[args.index("--caps") + 1].split(",") if c]
mutant = args[args.index("--mutant") + 1] if "--mutant" in args else None
marks = os.environ.get("FAKE_RUNNER_MARKS")
if "--no-hello" in args:
    time.sleep(60)
print(json.dumps({"hello": {"name": "fake", "version": "0", "protocol": 1,
                            "capabilities": caps}}), flush=True)
for line in sys.stdin:
    message = json.loads(line)
    if "stop" in message:
        break
    run = message["run"]
    sid = run["scenario"]["id"]
    print(f"fake runner: {sid} seed {run['seed']} pid {os.getpid()}", file=sys.stderr, flush=True)
    if marks:
        open(os.path.join(marks, sid), "w").close()
    if sid.startswith("wait") and marks:
        for _ in range(600):
            if os.path.exists(os.path.join(marks, "release")):
                break
            time.sleep(0.1)
    if sid.startswith("hang"):
        time.sleep(60)
    if sid.startswith("crash"):
        print("fake runner: crashing now", file=sys.stderr, flush=True)
        sys.exit(3)
    if sid.startswith("badjson"):
        print("this is not json {", flush=True)
        continue
    if sid.startswith("slow"):
        time.sleep(0.3)
    monitor = {"futures": {"scenario": sid, "events": 0, "counters": {}, "violations": [],
                           "seed": run["seed"], "time_scale": run.get("time_scale", 1.0)}}
    if sid.startswith("violation") or (mutant == "breaks_ok" and sid.startswith("ok")):
        trace = os.environ.get("ASYNCABI_TRACE")
        if trace:
            with open(trace, "a") as f:
                f.write(json.dumps({"seq": 0, "t_ns": 5, "op": "reset", "handle": "0x0"}) + "\n")
                for n, (op, handle) in enumerate([("new", "0x7"), ("poll", "0x7"), ("wake", "0x7"),
                                                  ("continuation", "0x7"), ("complete", "0x7"),
                                                  ("new", "0x9"), ("poll", "0x9"), ("free", "0x7"),
                                                  ("free", "0x7"), ("free-twice", "0x7")]):
                    f.write(json.dumps({"seq": n + 1, "t_ns": 1000 * (n + 1), "op": op,
                                        "handle": handle, "name": "say_after"}) + "\n")
        monitor["futures"]["violations"] = [
            {"code": "free-twice", "handle": 7, "message": "future 7 freed twice",
             "sequence": ["poll", "complete", "free", "free"]}]
    steps = [{"step": i, "do": s["do"], "value": None, "elapsed_ms": 1.0}
             for i, s in enumerate(run["scenario"]["steps"])]
    print(json.dumps({"result": {"id": run["id"], "steps": steps, "monitor": monitor}}), flush=True)
