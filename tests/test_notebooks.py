"""Every notebook, executed with papermill in course order with the fast test values (FAST = True).

A notebook asserts what it teaches, so a broken step fails here with the failing cell's traceback. The
executed copies are written to build/test-output/ for inspection.
"""

import nbformat
import papermill
import pytest

from utils import course, kernel, paths

NOTEBOOKS = course.notebooks(with_solutions=True)
OUTPUT_DIR = paths.BUILD_DIR / "test-output"


def test_there_are_notebooks_to_run():
    assert NOTEBOOKS, "no course notebook found under notebooks/"


@pytest.mark.notebook
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(notebook):
    target = OUTPUT_DIR / notebook.relative_to(paths.NOTEBOOKS_DIR)
    target.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(notebook), str(target), parameters={"FAST": True},
        kernel_name=kernel.KERNEL_NAME, cwd=str(notebook.parent), progress_bar=False,
    )
    executed = nbformat.read(target, as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert not errors
    assert any("parameters" in c.metadata.get("tags", []) for c in executed.cells)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "FAST = True" in injected[0].source
