"""ruff over the code and the notebooks (the same check as `make lint` and the pre-commit hook)."""

import subprocess
import sys

from utils import paths


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "utils", "tools", "tests", "notebooks"],
        cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
