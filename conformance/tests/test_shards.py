"""--shard K/N splits the runs; --merge puts the shard reports back together into one report
(JSON, HTML, JUnit) equal to an unsharded run's, and refuses a set of shards that is
incomplete, duplicated or not from one run."""
import json
import xml.etree.ElementTree as ET

from test_harness import conform


def run_shard(env, build, out, *args):
    return conform(env, build, "--backend", "fake_m", "--scenario", "ok_*", "--scenario",
                   "violation_f", "--mutants", "all", "--seeds", "2", "--out", str(out), *args)


def test_shards_split_the_runs_and_merge_into_the_whole(fake_env, tmp_path):
    env, build = fake_env
    whole = run_shard(env, build, tmp_path / "whole")
    shards = [run_shard(env, build, tmp_path / f"s{k}", "--shard", f"{k}/3") for k in (1, 2, 3)]
    all_ids = {r["id"] for r in json.loads((tmp_path / "whole" / "results.json").read_text())
               ["results"]}
    shard_ids = [{r["id"] for r in json.loads((tmp_path / f"s{k}" / "results.json").read_text())
                  ["results"]} for k in (1, 2, 3)]
    assert all(ids for ids in shard_ids)
    assert set.union(*shard_ids) == all_ids and sum(map(len, shard_ids)) == len(all_ids)
    assert "shards 2/3" in shards[1].stdout
    for k, proc in zip((1, 2, 3), shards):  # a shard that did not kill a mutant cannot judge it
        part = json.loads((tmp_path / f"s{k}" / "results.json").read_text())
        assert {m["verdict"] for m in part["mutation"]["mutants"]} <= {"killed", "pending"}
        assert "SURVIVED" not in proc.stdout
    assert any("pending" in proc.stdout for proc in shards)

    merged = conform(env, build, "--merge", *(str(tmp_path / f"s{k}" / "results.json")
                                              for k in (3, 1, 2)),
                     "--out", str(tmp_path / "merged"))
    assert merged.returncode == whole.returncode == 1, merged.stdout + merged.stderr
    data = json.loads((tmp_path / "merged" / "results.json").read_text())
    reference = json.loads((tmp_path / "whole" / "results.json").read_text())
    # Real backends: the same records. Mutants: a shard skips only the runs after its own
    # kill, so the runs differ, but not the verdicts.
    assert {r["id"]: r["status"] for r in data["results"] if not r["mutant"]} == \
        {r["id"]: r["status"] for r in reference["results"] if not r["mutant"]}
    assert data["summary"] == reference["summary"]
    assert {m["mutant"]: m["verdict"] for m in data["mutation"]["mutants"]} == \
        {m["mutant"]: m["verdict"] for m in reference["mutation"]["mutants"]} == \
        {"breaks_ok": "killed", "harmless": "killed"}  # violation_f fails on every backend
    assert data["levels"] == reference["levels"]
    assert "conform: fake_m: 2/3 scenarios passed, 1 failed" in merged.stdout
    assert "mutation score: 2/2 mutants killed" in merged.stdout
    suite = ET.parse(tmp_path / "merged" / "junit.xml").getroot().find("testsuite")
    assert int(suite.get("tests")) == len(all_ids) + 2  # + one verdict per mutant
    page = (tmp_path / "merged" / "report.html").read_text()
    assert "violation_f" in page and "id='matrix'" in page


def test_merge_refuses_incomplete_duplicated_or_foreign_shards(fake_env, tmp_path):
    env, build = fake_env
    for k in (1, 2):
        run_shard(env, build, tmp_path / f"s{k}", "--shard", f"{k}/2")
    run_shard(env, build, tmp_path / "whole")
    conform(env, build, "--backend", "fake_m", "--scenario", "ok_*", "--seeds", "3",
            "--shard", "2/2", "--out", str(tmp_path / "other"))
    s1, s2 = (str(tmp_path / f"s{k}" / "results.json") for k in (1, 2))
    cases = {
        "missing 2/2": [s1],
        "given twice 1/2": [s1, s1],
        "not a shard": [s1, str(tmp_path / "whole" / "results.json")],
        "not shards of one run": [s1, str(tmp_path / "other" / "results.json")],
        "No such file": [s1, str(tmp_path / "nothing.json")],
    }
    for message, files in cases.items():
        proc = conform(env, build, "--merge", *files, "--out", str(tmp_path / "m"))
        assert proc.returncode == 2, (message, proc.stdout, proc.stderr)
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        assert len(lines) == 1 and message in lines[0], (message, lines)
    assert not (tmp_path / "m").exists()
    ok = conform(env, build, "--merge", s1, s2, "--out", str(tmp_path / "m"))
    assert ok.returncode == 1 and (tmp_path / "m" / "results.json").exists()
