"""Normalise notebooks for git: the course kernel, no stray outputs, no volatile metadata.

    python tools/nbclean.py notebooks/*.ipynb          # clean in place
    python tools/nbclean.py --check notebooks/*.ipynb  # exit 1 and name the files that are not clean
    python tools/nbclean.py --git-filter PATH < in > out   # git's clean filter (installed by make setup)

Kept: the outputs and execution counts of golden cells (tagged ``nbval-check-output``), which nbval compares
(nbval skips a cell whose execution count is empty), and each cell's ``tags``. Everything else a run adds
(outputs, counts, papermill and widget metadata, timings) goes.

As git's clean filter (``--git-filter``), and through the Jupyter server's pre-save hook, the same form
keeps a student's runs out of ``git status``: utils/committed_form.py explains both.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils.committed_form import (  # noqa: E402  (re-exported: the tests and tools/golden.py use them)
    GOLDEN_TAG,
    KERNELSPEC,
    NOTEBOOK_METADATA,
    clean,
    committed_form,
    committed_text,
    is_golden,
    serialise,
)

FILTER_NAME = "nbclean"
__all__ = ["GOLDEN_TAG", "KERNELSPEC", "NOTEBOOK_METADATA", "clean", "is_golden", "serialise"]


def git_clean_filter(text: str, path: str) -> str:
    """What git stores for the notebook ``text`` at ``path`` (relative to the work tree's top)."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:  # not a notebook git can read as one: store it as it is, never lose content
        return text
    return serialise(committed_form(nb, committed_text(Path(path))))


def install_git_filter(python: str, repo: Path | None = None) -> None:
    """Register the clean filter in the git config of the clone at ``repo`` (default: the current one)."""
    script = Path(__file__).resolve()
    subprocess.run(["git", "config", f"filter.{FILTER_NAME}.clean",
                    f"'{python}' '{script}' --git-filter %f"], check=True, cwd=repo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not write")
    parser.add_argument("--git-filter", metavar="PATH", help="git's clean filter: stdin to stdout")
    parser.add_argument("--install-git-filter", action="store_true",
                        help="register the clean filter in this clone's git config")
    args = parser.parse_args(argv)
    if args.git_filter:
        sys.stdout.write(git_clean_filter(sys.stdin.read(), args.git_filter))
        return 0
    if args.install_git_filter:
        install_git_filter(sys.executable)
        return 0
    if not args.notebooks:
        parser.error("name the notebooks to clean")
    dirty = []
    for path in args.notebooks:
        before = path.read_text()
        after = serialise(clean(nbformat.reads(before, as_version=4)))
        if after != before:
            dirty.append(path)
            if not args.check:
                path.write_text(after)
    verb = "not clean (run `make clean-notebooks`)" if args.check else "cleaned"
    for path in dirty:
        print(f"{verb}: {path}", file=sys.stderr if args.check else sys.stdout)
    return 1 if args.check and dirty else 0


if __name__ == "__main__":
    sys.exit(main())
