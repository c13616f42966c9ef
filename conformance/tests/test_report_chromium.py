"""The HTML report as a person sees it: rendered by headless Chromium, screenshot and DOM."""
import os
import shutil
import subprocess

import pytest

from test_harness import conform

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium")
                                        else None)


def chromium(*args, user_data_dir):
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", f"--user-data-dir={user_data_dir}", *args],
        capture_output=True, text=True, timeout=90)


# Skipped only outside CI: ./asyncabi setup installs chromium, so in CI its absence is a failure.
@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                    reason="chromium is not installed (./asyncabi setup)")
def test_report_renders_matrix_failures_timeline_and_repro(fake_env, tmp_path):
    env, build = fake_env
    page = tmp_path / "report.html"
    conform(env, build, "--backend", "fake", "--scenario", "ok_a", "--scenario", "violation_f",
            "--html", str(page), "--json", str(tmp_path / "r.json"))
    assert page.exists()
    shot = tmp_path / "report.png"
    proc = chromium("--window-size=1280,1600", f"--screenshot={shot}", page.as_uri(),
                    user_data_dir=tmp_path / "profile1")
    assert shot.exists() and shot.stat().st_size > 10_000, proc.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = chromium("--dump-dom", page.as_uri(), user_data_dir=tmp_path / "profile2").stdout
    assert "<table id=\"matrix\"" in dom
    assert "data-scenario=\"violation_f\"" in dom and "data-scenario=\"ok_a\"" in dom
    assert "class=\"fail\"" in dom and "class=\"pass\"" in dom
    assert "free-twice" in dom
    # one mark per ABI event of the failing run, the violation drawn and labelled in red
    assert dom.count("<circle") >= 9
    assert "class=\"violation\"" in dom
    assert "class=\"repro\"" in dom and "--scenario violation_f --seed 1" in dom
    assert "id=\"capabilities\"" in dom
