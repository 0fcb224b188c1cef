"""Notebooks as committed: clean, on the course kernel, golden cells intact, shaped like the course."""

import re

import nbformat
import pytest

from tools import nbclean
from utils import course, kernel, paths

STUDENT = [c.notebook for c in course.written_chapters()]
SOLUTIONS = sorted(paths.SOLUTIONS_DIR.glob("*.ipynb"))
ALL = STUDENT + SOLUTIONS


def read(path):
    return nbformat.read(path, as_version=4)


def code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def stray_outputs(nb) -> list[int]:
    """Indexes of code cells that carry outputs or counts nbval does not check."""
    return [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not nbclean.is_golden(c)
            and (c.outputs or c.execution_count is not None)]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_is_committed_clean(path):
    nb = read(path)
    assert nb.metadata.kernelspec.name == kernel.KERNEL_NAME
    assert nb.metadata.kernelspec.display_name == kernel.KERNEL_DISPLAY_NAME
    assert not stray_outputs(nb), "outputs nbval does not check: run `make clean-notebooks`"
    assert nbclean.serialise(nbclean.clean(read(path))) == path.read_text(), \
        "not in committed form: run `make clean-notebooks`"


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_notebook_starts_with_the_kernel_check_and_a_parameters_cell(path):
    first, second = code_cells(read(path))[:2]
    assert "kernel.check()" in first.source and "Change Kernel" in first.source
    assert "parameters" in second.metadata.get("tags", [])
    assert re.search(r"^FAST = False$", second.source, re.M)


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_golden_cells_keep_outputs_and_counts_for_nbval(path):
    golden = [c for c in code_cells(read(path)) if nbclean.is_golden(c)]
    assert golden, "a chapter should have golden cells for nbval to check"
    for cell in golden:
        assert cell.outputs and cell.execution_count is not None, cell.source[:60]
        assert not any(o.output_type == "error" for o in cell.outputs)


@pytest.mark.parametrize("path", STUDENT, ids=lambda p: p.stem)
def test_exercises_have_checks_unsolved_answers_and_separate_solutions(path):
    nb = read(path)
    checks = set(re.findall(r"exercises\.(check_\w+)\(", "\n".join(c.source for c in nb.cells)))
    assert len(checks) >= 2, "at least two exercises checked by code"
    solutions = paths.SOLUTIONS_DIR / f"{path.stem}_solutions.ipynb"
    assert solutions.is_file(), f"solutions belong in {solutions.relative_to(paths.REPO_ROOT)}"
    solved = "\n".join(c.source for c in read(solutions).cells)
    assert checks <= set(re.findall(r"exercises\.(check_\w+)\(", solved))
    # an answer cell: "# Your answer ..." with `name = None`, or a module file the student writes
    # (%%writefile) whose function still says `return None  # your answer ...`
    answers = [c for c in code_cells(nb) if c.source.startswith("# Your answer")
               or (c.source.startswith("%%writefile") and "# your answer" in c.source)]
    assert len(answers) == len(checks)
    assert all(re.search(r"^(\w+ = None|\s+return None  # your answer.*)$", c.source, re.M) for c in answers)


# --- the cleaner itself must catch what it should ---------------------------------------------

def make_notebook(**cell_kwargs):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)", **cell_kwargs)]
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3"}}
    return nb


def test_cleaner_strips_untagged_outputs_and_normalises_the_kernel():
    output = nbformat.v4.new_output("stream", text="1\n")
    nb = make_notebook(outputs=[output], execution_count=3)
    assert stray_outputs(nb) == [0]
    cleaned = nbclean.clean(nb)
    assert stray_outputs(cleaned) == []
    assert cleaned.metadata.kernelspec.name == kernel.KERNEL_NAME


def test_cleaner_keeps_golden_outputs_and_counts():
    output = nbformat.v4.new_output("stream", text="1\n")
    nb = make_notebook(outputs=[output], execution_count=3,
                       metadata={"tags": [nbclean.GOLDEN_TAG], "collapsed": True})
    cell = nbclean.clean(nb).cells[0]
    assert cell.outputs == [output] and cell.execution_count == 3
    assert cell.metadata == {"tags": [nbclean.GOLDEN_TAG]}


def test_check_mode_reports_a_dirty_notebook(tmp_path, capsys):
    path = tmp_path / "dirty.ipynb"
    nbformat.write(make_notebook(outputs=[nbformat.v4.new_output("stream", text="x")],
                                 execution_count=1), path)
    assert nbclean.main(["--check", str(path)]) == 1
    assert "dirty.ipynb" in capsys.readouterr().err
    assert nbclean.main([str(path)]) == 0 and nbclean.main(["--check", str(path)]) == 0


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.stem)
def test_the_kernel_check_stops_a_foreign_kernel_and_names_the_right_one(path):
    """Run the first cell on an interpreter without the course's packages (-S: no site-packages)."""
    import subprocess
    import sys

    first = code_cells(read(path))[0].source
    result = subprocess.run([sys.executable, "-S", "-c", first], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert kernel.KERNEL_DISPLAY_NAME in result.stderr and "make setup" in result.stderr
