"""Mutants of the fake runner (fake_runner.py --mutant NAME), for the harness's own tests."""
MUTANTS = {
    "breaks_ok": {"bug": "ok_* scenarios report a free-twice violation",
                  "expect": ["free-twice"]},
    "harmless": {"bug": "changes nothing: must survive", "expect": ["free-twice"]},
}
