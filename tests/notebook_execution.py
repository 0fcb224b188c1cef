"""A pytest plugin that executes each notebook once, with papermill, and checks it cell by cell with nbval.

papermill runs the notebook (its real engine: the ``FAST = True`` test parameter injected after the cell
tagged ``parameters``, the course kernel, the notebook's folder as working directory) and writes the copy
to ``build/test-output/``. nbval's own collector and comparison then check that same execution: one pytest
item per code cell (``notebooks/01_example_gen.ipynb::Cell 4``), a golden cell (tagged
``nbval-check-output``) compared with nbval's ``compare_outputs`` after the sanitisers of
``tests/nbval_sanitize.cfg``, exactly as ``pytest --nbval-lax`` would, but without a second kernel
executing the notebook again.

A notebook that fails reports once: the cell that raised fails with its input and traceback, the cells
after it are skipped ("not executed: Cell 7 failed"), the cells before it pass or fail on their outputs.

``tools/test.sh`` passes the chapter and solution notebooks in course order; ``conftest.py`` routes every
``.ipynb`` argument here instead of to nbval's kernel-driven collector (nbval is not given ``--nbval``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import IPyNbCell, IPyNbFile, NbCellError, coalesce_streams

from tools import papermill_run
from utils import paths

OUTPUT_DIR = paths.BUILD_DIR / "test-output"
SANITIZE_FILE = paths.REPO_ROOT / "tests" / "nbval_sanitize.cfg"
TEST_PARAMETERS = {"FAST": True}
# Cells papermill adds to the executed copy: the parameters it injects, the banners it puts around an error.
ADDED_BY_PAPERMILL = ("injected-parameters", "papermill-error-cell-tag")
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def executed_path(notebook) -> Path:
    notebook = Path(notebook).resolve()
    try:
        relative = notebook.relative_to(paths.NOTEBOOKS_DIR)
    except ValueError:  # a notebook outside the course (the plugin's own tests)
        relative = Path(notebook.name)
    return OUTPUT_DIR / relative


def run_papermill(notebook, target) -> Exception | None:
    """Execute ``notebook`` into ``target`` as `make course` does, with the test parameter."""
    return papermill_run.run_notebook(Path(notebook), target, fast=TEST_PARAMETERS["FAST"])


def source_cells_of(executed: nbformat.NotebookNode) -> list:
    """The executed copy's cells that correspond, one to one and in order, to the source notebook's."""
    return [c for c in executed.cells
            if not set(c.metadata.get("tags", [])) & set(ADDED_BY_PAPERMILL)]


def pytest_collect_file(file_path, parent):
    """Every notebook given to pytest is executed once by papermill and checked here (unless nbval's own
    ``--nbval``/``--nbval-lax`` collection was asked for explicitly)."""
    option = parent.config.option
    if file_path.suffix == ".ipynb" and not (option.nbval or option.nbval_lax):
        return ExecutedNotebook.from_parent(parent, path=file_path)
    return None


class ExecutedNotebook(IPyNbFile):
    """nbval's notebook collector, with its kernel replaced by one papermill execution."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # nbval's --nbval-lax: only golden cells (tagged nbval-check-output) have their outputs compared.
        self.compare_outputs = False

    executed_cells: list | None = None
    run_error: Exception | None = None
    injected: nbformat.NotebookNode | None = None
    first_failure: int | None = None

    def setup(self):  # nbval starts a kernel here; we execute the notebook instead
        self.setup_sanitize_files()
        target = executed_path(self.path)
        target.unlink(missing_ok=True)  # an earlier run's copy must never stand in for this run's
        self.run_error = run_papermill(self.path, target)
        if not target.exists():  # papermill could not even start (e.g. no such kernel)
            return
        executed = nbformat.read(target, as_version=4)
        self.injected = next((c for c in executed.cells
                              if "injected-parameters" in c.metadata.get("tags", [])), None)
        self.executed_cells = [c for c in source_cells_of(executed) if c.cell_type == "code"]

    def teardown(self):
        pass  # no kernel of ours to stop: papermill stopped its own

    def get_sanitize_files(self):
        return [self.config.option.nbval_sanitize_with or str(SANITIZE_FILE)]

    def collect(self):
        for item in super().collect():
            yield ExecutedCell.from_parent(self, name=item.name, cell_num=item.cell_num, cell=item.cell,
                                           options=item.options)


class ExecutedCell(IPyNbCell):
    """One code cell: did it run without error in papermill's execution, and (golden cells) is its output
    the stored one? The comparison is nbval's own, with its sanitisers."""

    def runtest(self):
        notebook: ExecutedNotebook = self.parent
        if notebook.first_failure is not None and notebook.first_failure < self.cell_num:
            pytest.skip(f"not executed: Cell {notebook.first_failure} failed")
        if notebook.executed_cells is None:
            notebook.first_failure = self.cell_num
            raise NbCellError(self.cell_num, f"papermill could not run the notebook: {notebook.run_error}",
                              self.cell.source)
        if len(notebook.executed_cells) <= self.cell_num:
            notebook.first_failure = self.cell_num
            raise NbCellError(self.cell_num, "the executed copy has fewer code cells than the notebook",
                              self.cell.source)
        executed = notebook.executed_cells[self.cell_num]
        status = executed.metadata.get("papermill", {}).get("status")
        errors = [o for o in executed.outputs if o.output_type == "error"]
        if errors or status in ("failed", "running"):
            notebook.first_failure = self.cell_num
            if errors:
                traceback = ANSI_COLOUR.sub("", "\n".join(errors[0].traceback))
                raise NbCellError(self.cell_num, "Cell execution caused an exception", self.cell.source,
                                  "\n" + traceback)
            raise NbCellError(self.cell_num, f"Cell did not finish: {notebook.run_error}", self.cell.source)
        if status == "pending":  # papermill stopped before this cell without an error of its own
            notebook.first_failure = self.cell_num
            raise NbCellError(self.cell_num, f"papermill stopped before this cell: {notebook.run_error}",
                              self.cell.source)
        record = executed.metadata.get("papermill", {})
        # A kernel that never started leaves every cell "completed" without an end time (papermill 2.6).
        if status != "completed" or not record.get("end_time"):
            notebook.first_failure = self.cell_num
            raise NbCellError(self.cell_num, f"papermill did not run this cell: {notebook.run_error}",
                              self.cell.source)
        if "parameters" in self.cell.metadata.get("tags", []):
            self.check_injected_parameters(notebook.injected)

        unrun = self.cell.execution_count is None
        if unrun and self.cell.outputs:
            self.raise_cell_error("Unrun reference cell has outputs")
        self.test_outputs = coalesce_streams(list(executed.outputs))
        if self.options["check"] and not unrun:
            if not self.compare_outputs(self.test_outputs, coalesce_streams(self.cell.outputs)):
                self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))

    def check_injected_parameters(self, injected):
        expected = [f"{name} = {value!r}" for name, value in TEST_PARAMETERS.items()]
        if injected is None or not all(line in injected.source for line in expected):
            got = injected.source if injected else "no injected cell"
            self.raise_cell_error("papermill did not inject the test parameters after this cell "
                                  f"(expected {', '.join(expected)}; got {got})")

    def reportinfo(self):
        return self.path, 0, f"{self.path.relative_to(self.config.rootpath)}::Cell {self.cell_num}"
