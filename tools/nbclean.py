"""Normalise notebooks for git: the course kernel, no stray outputs, no volatile metadata.

    python tools/nbclean.py notebooks/*.ipynb          # clean in place
    python tools/nbclean.py --check notebooks/*.ipynb  # exit 1 and name the files that are not clean

Kept: the outputs and execution counts of golden cells (tagged ``nbval-check-output``), which nbval compares
(nbval skips a cell whose execution count is empty), and each cell's ``tags``. Everything else a run adds
(outputs, counts, papermill and widget metadata, timings) goes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

GOLDEN_TAG = "nbval-check-output"
KERNELSPEC = {
    "name": "tfx-step-by-step",
    "display_name": "TFX step by step (Python 3.10)",
    "language": "python",
}
NOTEBOOK_METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}


def is_golden(cell) -> bool:
    return GOLDEN_TAG in cell.get("metadata", {}).get("tags", [])


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook in its committed form (the input is modified in place too)."""
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        if cell.cell_type == "code" and not is_golden(cell):
            cell.outputs = []
            cell.execution_count = None
    return nb


def serialise(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
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
