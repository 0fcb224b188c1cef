"""Refresh the golden outputs that nbval compares: run a notebook, keep only its golden cells' outputs.

    python tools/golden.py notebooks/01_example_gen.ipynb [...]

Runs each notebook with papermill in test mode (FAST = True) in a scratch work folder, then copies the
outputs and execution counts of the cells tagged ``nbval-check-output`` into the committed notebook and
cleans it (tools/nbclean.py). Review the diff before committing: a changed golden output is a changed lesson.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import nbclean, papermill_run  # noqa: E402
from utils import paths  # noqa: E402


def refresh(notebook: Path, scratch: Path) -> int:
    executed_path = scratch / notebook.name
    error = papermill_run.run_notebook(notebook, executed_path, fast=True)
    if error is not None:
        raise error
    executed = {c.id: c for c in nbformat.read(executed_path, as_version=4).cells}
    source = nbformat.read(notebook, as_version=4)
    golden = 0
    for cell in source.cells:
        if nbclean.is_golden(cell):
            cell.outputs = executed[cell.id].outputs
            cell.execution_count = executed[cell.id].execution_count
            golden += 1
    notebook.write_text(nbclean.serialise(nbclean.clean(source)))
    return golden


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    scratch = paths.BUILD_DIR / "golden"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    os.environ[paths.WORKDIR_ENV] = str(scratch / "work")
    for notebook in args.notebooks:
        print(f"{notebook}: {refresh(notebook.resolve(), scratch)} golden cells refreshed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
