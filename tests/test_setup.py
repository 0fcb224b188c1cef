"""tools/setup.sh: its refusal without Python 3.10, and its quick no-op when nothing changed."""

import os
import subprocess

from utils import paths

SETUP = paths.REPO_ROOT / "tools" / "setup.sh"


def run_setup(env, tmp_path):
    return subprocess.run(["bash", str(SETUP)], env={**env, "COURSE_VENV": str(tmp_path / "venv")},
                          capture_output=True, text=True, timeout=60)


def test_without_python_310_it_says_how_to_get_one(tmp_path):
    bare = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no pyenv, no conda, no uv
    result = run_setup(bare, tmp_path)
    assert result.returncode != 0
    for way in ("pyenv install 3.10", "environment.yml", "uv python install 3.10", "PYTHON="):
        assert way in result.stderr
    assert not (tmp_path / "venv").exists()


def test_a_python_that_is_not_310_is_refused(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHON": "/bin/true"}
    result = run_setup(env, tmp_path)
    assert result.returncode != 0 and "is not a working Python 3.10" in result.stderr


def test_set_up_is_a_no_op_when_nothing_changed():
    venv = os.environ.get("COURSE_VENV", ".venv")
    result = subprocess.run(["bash", str(SETUP)], cwd=paths.REPO_ROOT, capture_output=True,
                            text=True, timeout=30, env={**os.environ, "COURSE_VENV": venv})
    assert result.returncode == 0 and "is up to date" in result.stdout
