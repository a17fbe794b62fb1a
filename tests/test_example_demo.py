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
    assert "job 1 SUCCEED" in out and "job 2 FAILED" in out and "job 3 SUCCEED" in out
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
