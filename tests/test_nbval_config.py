"""The notebook check as the test command runs it (tests/notebook_execution.py): papermill executes once,
nbval compares; a changed golden output fails, volatile parts are sanitised, a failing cell reports once."""

import os
import subprocess
import sys

import nbformat
import pytest

from tools import nbclean
from utils import paths


def notebook(path, *cells):
    """A notebook with a parameters cell, then ``cells``: (source, stored stdout or None for no golden)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("FAST = False", metadata={"tags": ["parameters"]})]
    for count, (source, stored) in enumerate(cells, 1):
        if stored is None:
            nb.cells.append(nbformat.v4.new_code_cell(source))
            continue
        cell = nbformat.v4.new_code_cell(source, execution_count=count,
                                         metadata={"tags": [nbclean.GOLDEN_TAG]})
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored)]
        nb.cells.append(cell)
    nbformat.write(nbclean.clean(nb), path)


def check(path, **env):
    """The course's notebook check on one notebook, in a pytest of its own (``env``: extra variables)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "-p", "no:cacheprovider",
         "-p", "tests.notebook_execution", "--rootdir", str(path.parent), "-q", "-rs"],
        cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(paths.REPO_ROOT), **env})


@pytest.mark.notebook
def test_a_changed_golden_output_fails(tmp_path):
    path = tmp_path / "changed.ipynb"
    notebook(path, ("print({'train': 204, 'eval': 140})", "{'train': 205, 'eval': 139}\n"))
    result = check(path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed, 1 passed" in result.stdout and "Cell outputs differ" in result.stdout


@pytest.mark.notebook
def test_volatile_parts_are_sanitised_and_the_test_parameters_injected(tmp_path):
    path = tmp_path / "volatile.ipynb"
    notebook(path, ("print('landing: ran (execution 3) in 0.4 s at 0x7f00aa')",
                    "landing: ran (execution 12) in 2.9 s at 0x55bb01\n"),
             ("assert FAST is True, 'papermill did not inject FAST = True'", None))
    result = check(path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "3 passed" in result.stdout


@pytest.mark.notebook
def test_a_failing_cell_reports_once_and_the_cells_after_it_are_skipped(tmp_path):
    path = tmp_path / "failing.ipynb"
    notebook(path, ("x = 1", None), ("raise ValueError('the delivery is empty')", None),
             ("print(x)", None), ("print(x + 1)", None))
    result = check(path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed, 2 passed, 2 skipped" in result.stdout
    assert result.stdout.count("ValueError: the delivery is empty") == 1  # one traceback, no cascade
    assert "SKIPPED [2]" in result.stdout and "not executed: Cell 2 failed" in result.stdout


@pytest.mark.notebook
def test_a_kernel_that_cannot_start_fails_the_first_cell_even_after_a_good_run(tmp_path):
    """A good run's executed copy is left in build/; a later run whose kernel cannot start must not be
    checked against it (nor against papermill's copy, where every cell says "completed" but none ran)."""
    path = tmp_path / "good_then_broken.ipynb"
    notebook(path, ("print('ran')", "ran\n"))
    assert check(path).returncode == 0
    spec = tmp_path / "jupyter" / "kernels" / "tfx-step-by-step"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text('{"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", '
                                      '"-f", "{connection_file}"], "display_name": "broken", '
                                      '"language": "python"}')
    result = check(path, JUPYTER_PATH=str(tmp_path / "jupyter"))
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed, 1 skipped" in result.stdout
    assert "papermill did not run this cell" in result.stdout and "/nonexistent/python" in result.stdout
