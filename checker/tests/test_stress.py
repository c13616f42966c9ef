"""The generated stress set (stress_gen.py) through asyncabi-check in one run: no crash of the
run, no file over 10 s (--timeout 10 would report it), every file in the report with what
stress_gen.EXPECT says, and reports that stay valid UTF-8 / JSON / SARIF."""
import json
import os
import pathlib
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import stress_gen  # noqa: E402

CHECKER = os.path.abspath(os.environ.get("ASYNCABI_CHECKER") or str(
    pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build")) / "checker" / "asyncabi-check"))


def test_stress_set(tmp_path):
    out = tmp_path / "stress"
    subprocess.run([sys.executable, str(HERE / "stress_gen.py"), str(out)], check=True,
                   capture_output=True)
    os.mkfifo(out / "fifo_named_like_source.c")
    t0 = time.monotonic()
    proc = subprocess.run([CHECKER, "--jobs", "2", "--timeout", "10", "--format", "json", "."],
                          cwd=out, capture_output=True, timeout=600)
    wall = time.monotonic() - t0
    assert proc.returncode == 2, proc.stderr.decode(errors="replace")
    rep = json.loads(proc.stdout.decode("utf-8"))  # strict UTF-8
    names = set(stress_gen.EXPECT) | {"fifo_named_like_source.c"}
    assert rep["summary"]["files"] == len(names)
    by_file = {}
    for x in rep["findings"]:
        by_file.setdefault(pathlib.Path(x["file"]).name.replace("\\xE9", "\xe9"), []).append(x)
    hangs = [n for n, xs in by_file.items() if any("--timeout" in x["message"] for x in xs)]
    assert hangs == [], f"over 10 s: {hangs}"
    problems = []
    for name, expect in stress_gen.EXPECT.items():
        xs = by_file.get(name, [])
        errors = [x["message"] for x in xs if x["rule"] == "checker-parse-error"]
        not_checked = [m for m in errors if m.startswith("not checked")]
        if expect == "clean" and errors:
            problems.append(f"{name}: expected no parse error, got {errors[:2]}")
        elif expect == "checked" and not_checked:
            problems.append(f"{name}: expected it checked, got {not_checked}")
        elif expect not in (None, "clean", "checked") and not any(expect in m for m in errors):
            problems.append(f"{name}: expected '{expect}', got {errors[:3]}")
        elif expect is None and not_checked:
            problems.append(f"{name}: expected it parsed (errors allowed), got {not_checked}")
    assert [x["message"] for x in by_file["fifo_named_like_source.c"]] == [
        "not checked: './fifo_named_like_source.c' is a FIFO, not a regular file"]
    # the findings on the long line and on lines with invalid bytes are there
    for name in ("huge_line_4mb_finding.c", "latin1_finding.c", "caf\xe9_latin1_name.c"):
        if not any(x["rule"] == "cancel-frees" for x in by_file.get(name, [])):
            problems.append(f"{name}: its cancel-frees finding is missing")
    assert problems == [], "\n".join(problems)
    print(f"stress: {len(names)} files in {wall:.1f} s, 0 crashes, 0 hangs over 10 s; "
          f"the one expected stack overflow isolated")
    sarif = subprocess.run([CHECKER, "--format", "sarif", "latin1_finding.c",
                            "caf\xe9_latin1_name.c".encode("latin-1").decode(
                                sys.getfilesystemencoding(), "surrogateescape")],
                           cwd=out, capture_output=True, timeout=120)
    log = json.loads(sarif.stdout.decode("utf-8"))
    assert len(log["runs"][0]["results"]) == 2
