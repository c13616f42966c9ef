"""asyncabi-check on input a CI run can meet: crashes and hangs cost one file, devices and
FIFOs are refused, symlink loops are followed once, unreadable files say why, config and -p
problems are one line; and the CI habits: profiles by contract version, --exclude, changed
lines (--diff-base, --diff -), recognised counts, the libclang version."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
CHECKER = os.path.abspath(os.environ.get("ASYNCABI_CHECKER") or str(
    pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build")) / "checker" / "asyncabi-check"))
CORPUS = HERE / "corpus"
BAD = CORPUS / "cancel-frees" / "bad_1.c"       # two cancel-frees findings, lines 10 and 11
GOOD = CORPUS / "cancel-frees" / "good_1.c"
SHAPES = HERE.parent / "fuzz" / "seeds" / "uniffi_shapes.c"
BUG = ('#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
       "AA_CANCEL_FN void c(char *p) { free(p); }\n")


def run(*args, cwd=None, input=None, timeout=120):
    proc = subprocess.run([CHECKER, *map(str, args)], capture_output=True, cwd=cwd, input=input,
                          timeout=timeout)
    assert proc.returncode in (0, 1, 2), f"crash or signal: {proc.returncode}\n{proc.stderr}"
    proc.out = proc.stdout.decode("utf-8")  # strict: every report is valid UTF-8
    proc.err = proc.stderr.decode("utf-8", "replace")
    return proc


def report(*args, **kw):
    proc = run("--format", "json", *args, **kw)
    return proc, json.loads(proc.out)


def messages(rep, name):
    return [x["message"] for x in rep["findings"] if pathlib.Path(x["file"]).name == name]


# ---- a crash, a hang, a memory hog cost one file; the report is whole ----

def test_stack_overflow_costs_one_file(tmp_path):
    deep = tmp_path / "deep.c"
    deep.write_text("int x = " + "-" * 4000000 + "1;\n")
    proc, rep = report("--jobs", "2", BAD, deep, GOOD, CORPUS / "cancel-frees" / "bad_2.c")
    assert proc.returncode == 2
    assert rep["summary"]["files"] == 4 and rep["summary"]["filesNotChecked"] == 1
    assert any("stack overflow" in m for m in messages(rep, "deep.c")), rep
    assert len(messages(rep, "bad_1.c")) == 2 and messages(rep, "bad_2.c")


def test_libclang_crash_costs_one_file():
    # libclang-14's parser dies of SIGSEGV on this input (so does clang-14 itself); its crash
    # recovery, or the worker's death under sanitizers, turns that into one parse error
    crash = HERE.parent / "fuzz" / "seeds" / "libclang14_crash_include_in_struct.c"
    if "clang version 14." not in run("--version").out:
        pytest.skip("the input crashes libclang 14 only")
    proc, rep = report("--jobs", "2", BAD, crash, GOOD)
    assert proc.returncode == 2
    assert rep["summary"]["files"] == 3 and rep["summary"]["filesNotChecked"] == 1, rep
    got = messages(rep, crash.name)
    assert len(got) == 1 and "libclang crashed" in got[0], rep
    assert len(messages(rep, "bad_1.c")) == 2 and messages(rep, "good_1.c") == []


def test_timeout_costs_one_file(tmp_path):
    # clang's own Sema is quadratic in a chain of '!': many seconds, killed after one
    slow = tmp_path / "slow.c"
    slow.write_text("int f(int y) { return " + "!" * 30000 + "y; }\n")
    proc, rep = report("--timeout", "1", slow, BAD)
    assert proc.returncode == 2
    assert any("longer than 1 s (--timeout)" in m for m in messages(rep, "slow.c")), rep
    assert len(messages(rep, "bad_1.c")) == 2


def test_memory_limit_costs_one_file(tmp_path):
    if "sanitizers" in run("--version").out:
        pytest.skip("no address-space limit under sanitizers")
    big = tmp_path / "big.c"
    big.write_text("int a[] = {" + "1," * 20000000 + "};\n")
    proc, rep = report("--max-memory", "64", big, BAD)
    assert proc.returncode == 2
    assert any("out of memory" in m and "--max-memory" in m for m in messages(rep, "big.c")), rep
    assert len(messages(rep, "bad_1.c")) == 2


def test_include_of_devices_is_refused_not_read(tmp_path):
    src = tmp_path / "dev.c"
    src.write_text('#include "/dev/zero"\n#include "/dev/urandom"\nint x;\n')
    fifo = tmp_path / "pipe.h"
    os.mkfifo(fifo)
    inc = tmp_path / "inc.c"
    inc.write_text('#include "pipe.h"\nint y;\n')
    proc, rep = report(src, inc, timeout=60)
    assert proc.returncode == 2
    assert sum("character device, not a regular file" in m for m in messages(rep, "dev.c")) == 2
    assert any("a FIFO, not a regular file" in m for m in messages(rep, "inc.c")), rep


def test_fifo_input_is_refused(tmp_path):
    fifo = tmp_path / "x.c"
    os.mkfifo(fifo)
    proc, rep = report(fifo, BAD, timeout=60)
    assert proc.returncode == 2
    assert messages(rep, "x.c") == [f"not checked: '{fifo}' is a FIFO, not a regular file"]
    assert len(messages(rep, "bad_1.c")) == 2


def test_symlink_loops_are_followed_once(tmp_path):
    d = tmp_path / "src"
    d.mkdir()
    (d / "a.c").write_text(BUG)
    (d / "loop").symlink_to(d)
    (d / "again.c").symlink_to(d / "a.c")
    proc, rep = report(d, d / "a.c")
    assert rep["summary"]["files"] == 1 and len(rep["findings"]) == 1
    self_loop = tmp_path / "self.c"
    self_loop.symlink_to(self_loop)
    proc = run(self_loop)
    assert proc.returncode == 2 and "too many levels of symbolic links" in proc.err


def test_unreadable_file_says_permission_denied(tmp_path):
    share = pathlib.Path(os.environ.get("TMPDIR", "/tmp")) / f"aac-perm-{os.getpid()}"
    share.mkdir(mode=0o755, exist_ok=True)
    try:
        src = share / "secret.c"
        src.write_text(BUG)
        src.chmod(0)
        cmd = [CHECKER, "--format", "json", str(src)]
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("running as root without setpriv: every file is readable")
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, cwd="/")
        assert proc.returncode == 2, proc.stderr
        found = json.loads(proc.stdout)["findings"]
        assert [x["message"] for x in found] == [
            f"not checked: cannot read '{src}': permission denied"]
    finally:
        shutil.rmtree(share, ignore_errors=True)


def test_invalid_utf8_gives_valid_reports(tmp_path):
    src = tmp_path / "latin1.c"
    src.write_bytes(b'#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
                    b"AA_CANCEL_FN void c(char *p) { free(p); /* caf\xe9 \xff\x1b[2J */ }\n")
    named = os.fsencode(tmp_path) + b"/caf\xe9.c"
    with open(named, "wb") as f:
        f.write(BUG.encode())
    text = run(src, os.fsdecode(named))
    assert "caf\\xE9 \\xFF\\x1B[2J" in text.out          # escaped, control bytes too
    assert "caf\\xE9.c:3:" in text.out
    _, rep = report(src, os.fsdecode(named))
    assert len(rep["findings"]) == 2
    sarif = json.loads(run("--format", "sarif", src, os.fsdecode(named)).out)
    res = sarif["runs"][0]["results"]
    snippets = [r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] for r in res]
    assert any("caf\\xE9" in s for s in snippets)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in res]
    assert any(u.endswith("caf%E9.c") for u in uris), uris


def test_huge_line_shows_a_window(tmp_path):
    src = tmp_path / "long.c"
    src.write_text('#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
                   + " ".join(f"int v{i};" for i in range(100000))
                   + " AA_CANCEL_FN void c(char *p) { free(p); }\n")
    proc = run(src)
    lines = proc.out.splitlines()
    assert proc.returncode == 1 and len(lines) == 3
    assert len(lines[1]) < 400 and lines[1].startswith("...") and "free(p)" in lines[1]
    assert lines[1][len(lines[2]) - 1:].startswith("free(p)")   # the caret is under free


# ---- configuration and -p: one line each ----

@pytest.mark.parametrize("cfg, key", [
    ({"werror": "yes"}, '"werror" must be true or false'),
    ({"extra_args": "-DX"}, '"extra_args" must be an array of strings'),
    ({"extra_args": ["-DX", 3]}, '"extra_args"[1] must be a string'),
    ({"rules": ["cancel-frees"]}, '"rules" must be an object'),
    ({"rules": {"cancel-frees": 2}}, "rule 'cancel-frees' must be"),
    ({"profile": 30}, '"profile": must be a string'),
    ({"profile": "0.29.2"}, "profile '0.29.2' is gone"),
    ({"exclude": [None]}, '"exclude"[0] must be a string'),
    ({"colour": True}, "unknown key 'colour'"),
])
def test_config_values_of_the_wrong_type_are_errors(tmp_path, cfg, key):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    proc = run("--config", path, GOOD)
    assert proc.returncode == 2
    assert proc.err.count("\n") == 1 and key in proc.err, proc.err


@pytest.mark.parametrize("setup, says", [
    (None, "no such directory"),
    ({}, "cannot read compile_commands.json: no such file or directory"),
    ("{not json", "is not valid JSON"),
    ({"a": 1}, "is not a JSON array"),
    ([{"file": "x.c"}], "entry 0 needs"),
])
def test_p_errors_are_one_line(tmp_path, setup, says):
    build = tmp_path / "build"
    if setup is not None:
        build.mkdir()
        if setup != {}:
            (build / "compile_commands.json").write_text(
                setup if isinstance(setup, str) else json.dumps(setup))
    proc = run("-p", build)
    assert proc.returncode == 2
    assert proc.err.count("\n") == 1 and proc.err.startswith("asyncabi-check: error: -p "), proc.err
    assert says in proc.err, proc.err


# ---- profiles by contract version ----

def test_profiles_by_contract_version():
    legacy = CORPUS / "abi-vtable-async-method" / "good_2.c"  # methods first, free last
    for name in ("29", "26", "0.27", "0.29.1", "legacy"):
        proc, rep = report("--profile", name, legacy)
        assert proc.returncode == 0 and rep["profile"] == "29", (name, rep)
        assert rep["contractVersions"] == "26, 29" and rep["uniffi"] == "0.27-0.29"
    for name in ("30", "0.30", "0.32.2", "current"):
        proc, rep = report("--profile", name, legacy)
        assert proc.returncode == 1 and rep["profile"] == "30"
    proc, rep = report("--profile", "25", legacy)
    assert rep["profile"] == "25"
    assert any("contract 25 (UniFFI 0.26) has no async callback methods" in x["message"]
               for x in rep["findings"]), rep
    proc = run("--profile", "0.29.2", GOOD)
    assert proc.returncode == 2 and "--profile 29" in proc.err and "--profile 30" in proc.err
    proc = run("--profile", "31", GOOD)
    assert proc.returncode == 2 and "unknown profile '31'" in proc.err
    assert "default 30" in run("--version").out


# ---- CI habits ----

def test_version_names_the_real_libclang():
    out = run("--version").out
    assert "libclang: " in out and "clang version 14" in out, out


def test_getopt_forms(tmp_path):
    dash = tmp_path / "-x.c"
    dash.write_text(BUG)
    for args in (["--jobs=2", BAD], ["-j2", BAD], [BAD, "--format=json"], ["--", dash]):
        proc = run(*args)
        assert proc.returncode == 1, (args, proc.err)
    assert "needs a value" in run(BAD, "--format").err
    assert "--jobs needs a number" in run("-j", "x", BAD).err
    assert "unknown option '--nope'" in run("--nope", BAD).err
    proc = run("-o", tmp_path / "no" / "such" / "dir.json", BAD)
    assert proc.returncode == 2 and "cannot write" in proc.err


def test_exclude(tmp_path):
    for sub in ("src", "third_party/lib", "gen"):
        (tmp_path / sub).mkdir(parents=True)
        (tmp_path / sub / "x.c").write_text(BUG)
    _, rep = report("--exclude", "third_party/*", "--exclude", "gen", tmp_path)
    assert {pathlib.Path(x["file"]).parent.name for x in rep["findings"]} == {"src"}
    assert rep["summary"]["files"] == 1
    proc = run("--exclude", "*.c", tmp_path)
    assert proc.returncode == 2 and "nothing to check" in proc.err


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t"))


def test_changed_lines_only(tmp_path):
    if not shutil.which("git"):
        pytest.skip("no git")
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    old = ('#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
           "AA_CANCEL_FN void c(char *a, char *b)\n{\n    free(a);\n}\n")
    (repo / "src" / "f.c").write_text(old)
    (repo / "src" / "untouched.c").write_text(BUG)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    (repo / "src" / "f.c").write_text(old.replace("    free(a);\n", "    free(a);\n    free(b);\n"))
    # every file given, only the changed line reported
    proc, rep = report("--diff-base", "HEAD", repo / "src", cwd=repo / "src")
    assert [(pathlib.Path(x["file"]).name, x["line"]) for x in rep["findings"]] == [("f.c", 6)]
    assert rep["summary"]["outsideDiff"] == 2 and rep["summary"]["files"] == 2
    # no inputs: the changed files only
    proc, rep = report("--diff-base", "HEAD", cwd=repo)
    assert rep["summary"]["files"] == 1 and len(rep["findings"]) == 1
    # a unified diff on stdin, as clang-tidy-diff users pipe it
    diff = subprocess.run(["git", "diff", "-U0", "HEAD"], cwd=repo, capture_output=True).stdout
    proc, rep = report("--diff", "-", cwd=repo, input=diff)
    assert [(pathlib.Path(x["file"]).name, x["line"]) for x in rep["findings"]] == [("f.c", 6)]
    text = run("--diff", "-", cwd=repo, input=diff)
    assert "1 file(s) checked" in text.err and "(1 more outside the changed lines)" in text.err
    assert run("--diff-base", "no-such-ref", cwd=repo).returncode == 2
    # nothing changed: an empty report, exit 0
    git(repo, "commit", "-q", "-am", "two")
    proc, rep = report("--diff-base", "HEAD", cwd=repo)
    assert proc.returncode == 0 and rep["findings"] == [] and rep["summary"]["files"] == 0


def test_recognised_counts_in_text_and_sarif():
    text = run(SHAPES)
    assert ("recognised 1 async export(s), 1 future family, 1 vtable(s)" in text.err), text.err
    props = json.loads(run("--format", "sarif", SHAPES, SHAPES).out)["runs"][0]["properties"]
    assert props["asyncExports"] == 1 and props["futureFamilies"] == 1 and props["vtables"] == 1
    assert props["profile"] == "30" and props["files"] == 1
