"""The command line of asyncabi-check: exit codes, formats, config, suppressions, baseline,
compile databases, and input that must produce a diagnostic instead of a crash."""
import json
import os
import pathlib
import re
import subprocess

import pytest

HERE = pathlib.Path(__file__).resolve().parent
CHECKER = os.path.abspath(os.environ.get("ASYNCABI_CHECKER") or str(
    pathlib.Path(os.environ.get("ASYNCABI_BUILD_DIR", "build")) / "checker" / "asyncabi-check"))
CORPUS = HERE / "corpus"
BAD = CORPUS / "cancel-frees" / "bad_1.c"       # two cancel-frees findings
GOOD = CORPUS / "cancel-frees" / "good_1.c"


def run(*args, cwd=None):
    proc = subprocess.run([CHECKER, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120)
    assert proc.returncode in (0, 1, 2), f"crash or signal: {proc.returncode}\n{proc.stderr}"
    assert "AddressSanitizer" not in proc.stderr and "runtime error" not in proc.stderr, proc.stderr
    return proc


def findings(*args, cwd=None):
    proc = run("--format", "json", *args, cwd=cwd)
    return proc, json.loads(proc.stdout)["findings"]


def test_exit_codes():
    assert run(GOOD).returncode == 0
    assert run(BAD).returncode == 1
    assert run("--bogus-option", GOOD).returncode == 2
    assert run().returncode == 2


def test_missing_file_is_a_clear_error():
    proc = run("/nonexistent/dir/file.c")
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "/nonexistent/dir/file.c" in proc.stderr


@pytest.mark.parametrize("content", [
    b"\x00\x01\x02\xff\xfe garbage \x7f\x80" * 50,
    b"int main( {{{{ ))) ;;; #include <",
    b"#if 1\n",
    b"",
    b"\xef\xbb\xbf" + b"}" * 5000,
])
def test_garbage_is_a_diagnostic_not_a_crash(tmp_path, content):
    f = tmp_path / "garbage.c"
    f.write_bytes(content)
    proc, found = findings(f)
    if content.strip() == b"":
        assert proc.returncode == 0
        return
    assert proc.returncode == 2
    assert any(x["rule"] == "checker-parse-error" for x in found)


def test_text_format_is_clang_style_with_caret():
    proc = run(BAD)
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"{BAD}:10:5: error: ")
    assert lines[0].endswith("[cancel-frees]")
    assert lines[1].strip().startswith("free(j->buf); // expect: cancel-frees")
    assert lines[2] == "    ^"


def test_json_fields():
    _, found = findings(BAD)
    assert {(x["line"], x["rule"]) for x in found} == {(10, "cancel-frees"), (11, "cancel-frees")}
    for x in found:
        assert set(x) >= {"file", "line", "column", "rule", "severity", "message", "fingerprint"}
        assert len(x["fingerprint"]) == 16


def test_werror_and_severity_overrides(tmp_path):
    _, found = findings("--werror", BAD)
    assert all(x["severity"] == "error" for x in found)
    proc, found = findings("--enable", "cancel-frees=note", BAD)
    assert proc.returncode == 0 and all(x["severity"] == "note" for x in found)
    proc, found = findings("--enable", "cancel-frees=note", "--werror", BAD)
    assert proc.returncode == 1
    proc, found = findings("--disable", "cancel-frees", BAD)
    assert proc.returncode == 0 and found == []
    assert run("--disable", "no-such-rule", BAD).returncode == 2


def test_config_file(tmp_path):
    cfg = tmp_path / "asyncabi-check.json"
    cfg.write_text(json.dumps({"rules": {"cancel-frees": "off"}}))
    proc, found = findings("--config", cfg, BAD)
    assert proc.returncode == 0 and found == []
    cfg.write_text(json.dumps({"rules": {"cancel-frees": "warning"}, "werror": False}))
    _, found = findings("--config", cfg, BAD)
    assert {x["severity"] for x in found} == {"warning"}
    # the profile from the config file changes what the vtable rule accepts
    legacy = CORPUS / "abi-vtable-async-method" / "good_2.c"
    assert findings(legacy)[1] != []
    cfg.write_text(json.dumps({"profile": "legacy"}))
    assert findings("--config", cfg, legacy)[1] == []
    # the command line wins over the config file
    cfg.write_text(json.dumps({"rules": {"cancel-frees": "off"}}))
    _, found = findings("--config", cfg, "--enable", "cancel-frees", BAD)
    assert len(found) == 2
    cfg.write_text("{not json")
    assert run("--config", cfg, BAD).returncode == 2
    cfg.write_text(json.dumps({"rules": {"no-such-rule": "off"}}))
    assert run("--config", cfg, BAD).returncode == 2


def test_suppressions(tmp_path):
    src = tmp_path / "s.c"
    src.write_text(
        '#include <stdlib.h>\n#include "asyncabi/annotations.h"\n'
        "AA_CANCEL_FN void c(char *a, char *b, char *d)\n{\n"
        "    free(a); // asyncabi-check: ignore[cancel-frees] a is a private scratch copy\n"
        "    // asyncabi-check: ignore[cancel-frees]\n"
        "    free(b);\n"
        "    free(d);\n"
        "}\n")
    proc, found = findings(src)
    got = sorted((x["line"], x["rule"]) for x in found)
    assert got == [(6, "checker-suppression-reason"), (8, "cancel-frees")]
    assert proc.returncode == 1


def test_baseline_survives_line_shifts(tmp_path):
    src = tmp_path / "legacy.c"
    src.write_text(re.sub(r" // expect: \S+", "", BAD.read_text()))
    base = tmp_path / "baseline.json"
    proc = run("--write-baseline", base, src)
    assert proc.returncode == 0 and base.exists()
    assert len(json.loads(base.read_text())["findings"]) == 2
    proc, found = findings("--baseline", base, src)
    assert proc.returncode == 0 and found == []
    # shift every line down and re-indent: the old findings stay baselined
    text = src.read_text().replace("#include <stdint.h>", "/* moved */\n\n#include <stdint.h>")
    text = text.replace("    free(j->buf);", "        free(j->buf);")
    src.write_text(text)
    proc, found = findings("--baseline", base, src)
    assert proc.returncode == 0 and found == []
    # a new finding is still reported
    src.write_text(text.replace("free(j);", "free(j);\n    free(j->buf + 1);"))
    proc, found = findings("--baseline", base, src)
    assert proc.returncode == 1 and [x["line"] for x in found] == [14]
    assert run("--baseline", tmp_path / "missing.json", src).returncode == 2


def test_compile_database(tmp_path):
    src = tmp_path / "db.c"
    src.write_text('#include "mine.h"\nAA_CANCEL_FN void c(char *p) { free(p); }\n')
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "mine.h").write_text('#include <stdlib.h>\n#include "asyncabi/annotations.h"\n')
    db = [{"directory": str(tmp_path), "file": "db.c",
           "command": "gcc -Iinc -Werror -O2 -fanalyzer -c db.c -o db.o"}]
    (tmp_path / "compile_commands.json").write_text(json.dumps(db))
    proc, found = findings("-p", tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert [(x["line"], x["rule"]) for x in found] == [(2, "cancel-frees")]
    # the same file without the database cannot find its header
    proc, found = findings(src)
    assert proc.returncode == 2
    # -p with an explicit file uses that file's entry
    proc, found = findings("-p", tmp_path, src)
    assert proc.returncode == 1
    assert run("-p", tmp_path / "nope").returncode == 2


def test_jobs_give_the_same_report():
    files = sorted(CORPUS.rglob("bad_*.c"))[:30]
    one = run("--format", "json", "--jobs", "1", *files).stdout
    two = run("--format", "json", "--jobs", "2", *files).stdout
    assert one == two


def test_directories_are_searched():
    proc, found = findings(CORPUS / "cancel-frees")
    files = {pathlib.Path(x["file"]).name for x in found}
    assert files == {p.name for p in (CORPUS / "cancel-frees").glob("bad_*.c")}


def test_list_and_explain():
    proc = run("--list-rules")
    ids = [line.split()[0] for line in proc.stdout.splitlines()]
    assert len(ids) >= 20 and "lock-callback-under-lock" in ids
    for rule in ids:
        page = run("--explain", rule)
        assert page.returncode == 0
        assert page.stdout.startswith(f"# {rule}"), rule
        assert "```c" in page.stdout
    assert run("--explain", "nope").returncode == 2


def test_pathological_input_does_not_crash(tmp_path):
    """Deep expressions, deep nesting and long blocks inside functions the rules walk."""
    expr = " + ".join(["x"] * 5000)
    nested = "if (x) {\n" * 300 + "x++;\n" + "}\n" * 300
    long_block = "".join(f"    x += {i};\n" for i in range(3000))
    src = tmp_path / "patho.c"
    src.write_text(
        "#include <pthread.h>\n#include <stdlib.h>\n#include \"asyncabi/annotations.h\"\n"
        "static pthread_mutex_t mu;\n"
        f"int deep(int x) {{ pthread_mutex_lock(&mu); int y = {expr}; "
        "pthread_mutex_unlock(&mu); return y; }\n"
        f"AA_FREE_FN void fr(char *p, int x) {{ x = {expr}; free(p); }}\n"
        f"int blk(int x) {{ pthread_mutex_lock(&mu);\n{long_block} pthread_mutex_unlock(&mu); "
        "return x; }\n")
    proc, found = findings(src)
    assert proc.returncode == 0, proc.stderr
    nest = tmp_path / "nest.c"
    nest.write_text("#include <pthread.h>\nstatic pthread_mutex_t mu;\n"
                    f"void g(int x) {{ pthread_mutex_lock(&mu);\n{nested} "
                    "pthread_mutex_unlock(&mu); }\n")
    proc, found = findings(nest)
    assert proc.returncode == 2  # clang's bracket depth limit: a diagnostic, not a crash
    assert any("bracket nesting" in x["message"] for x in found)
