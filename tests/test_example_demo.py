"""examples/demo.py, the README's demo: it runs, and prints each job's outcome and timeline."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from examples import demo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_the_demo_prints_a_succeeded_and_a_failed_job_with_their_steps(capsys: Any) -> None:
    assert demo.main([]) == 0

    out = capsys.readouterr().out
    # Two releases on the app with a repository, then a zip to an app without one (its job 1).
    assert out.count("job 1 SUCCEED") == 2 and "job 2 FAILED" in out
    assert out.index("Manual deployment of a zip") < out.rindex("job 1 SUCCEED")
    assert "BUILD   +17s → +137s     FAILED" in out
    assert 'reason: Build failed: npm ERR! Missing script: "build"' in out
    for status in ("PENDING", "PROVISIONING", "RUNNING"):
        assert status in out


def test_the_demo_runs_as_a_script_from_the_repository_root() -> None:
    done = subprocess.run(
        [sys.executable, os.path.join("examples", "demo.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "SUCCEED" in done.stdout and "FAILED" in done.stdout
