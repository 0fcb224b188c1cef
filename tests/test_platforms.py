"""Where the course installs (README, "Where it installs"): the lock resolves for Linux and macOS on x86_64
and nothing else, and `make setup` stops elsewhere with what to do instead of a resolver error.

The resolutions ask PyPI (uv's cache answers repeats), as `make setup` does.
"""

import os
import subprocess

import pytest

from utils import paths

VENV = paths.REPO_ROOT / os.environ.get("COURSE_VENV", ".venv")
SETUP = paths.REPO_ROOT / "tools" / "setup.sh"

# uv's name of a platform -> does the lock install there?
PLATFORMS = {
    "x86_64-manylinux_2_17": True,   # Linux x86_64, glibc >= 2.17 (installed and run here: glibc 2.36)
    "x86_64-apple-darwin": True,     # macOS on Intel, or an x86_64 Python under Rosetta 2
    "aarch64-apple-darwin": False,   # macOS on Apple silicon
    "x86_64-pc-windows-msvc": False,  # Windows (WSL2 is Linux x86_64)
    "aarch64-manylinux_2_28": False,  # Linux on arm64
}


def resolve(platform: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(VENV / "bin" / "uv"), "pip", "compile", str(paths.LOCK_FILE), "--python-version", "3.10",
         "--python-platform", platform, "--quiet", "--output-file", os.devnull],
        cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("platform, installs", PLATFORMS.items())
def test_the_lock_resolves_exactly_where_the_readme_says(platform, installs):
    result = resolve(platform)
    if installs:
        assert result.returncode == 0, result.stderr[-2000:]
    else:
        assert result.returncode != 0, f"the lock now resolves for {platform}: update the README and setup.sh"
        message = " ".join(result.stderr.split())  # uv wraps its message to the terminal's width
        assert "has no wheels with a matching platform tag" in message, result.stderr[-2000:]


def test_the_readme_names_each_platform():
    readme = (paths.REPO_ROOT / "README.md").read_text()
    section = readme.split("### Where it installs", 1)[1].split("\n## ", 1)[0]
    for words in ("Linux x86_64", "macOS on Intel", "Apple silicon", "Windows", "WSL2", "Linux on arm64"):
        assert words in section, words


@pytest.mark.parametrize("system, machine, advice", [
    ("Darwin", "arm64", "arch -x86_64"),
    ("MINGW64_NT-10.0-19045", "x86_64", "wsl --install"),
    ("Linux", "aarch64", "x86_64 machine or VM"),
    ("FreeBSD", "amd64", "Linux x86_64 and macOS"),
])
def test_setup_stops_on_another_platform_and_says_what_to_do(tmp_path, system, machine, advice):
    result = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "COURSE_VENV": str(tmp_path / "venv"),
                                 "COURSE_UNAME_S": system, "COURSE_UNAME_M": machine})
    assert result.returncode == 1
    assert advice in result.stderr and "resolv" not in result.stderr
    assert not (tmp_path / "venv").exists()
