"""nbval as the test command configures it: a changed golden output fails; volatile parts are sanitised."""

import subprocess
import sys

import nbformat
import pytest

from tools import nbclean
from utils import kernel, paths


def golden_notebook(path, source, stored_text):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(source, execution_count=1,
                                     metadata={"tags": [nbclean.GOLDEN_TAG]})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=stored_text)]
    nb.cells = [nbformat.v4.new_code_cell("print('not checked')"), cell]
    nbformat.write(nbclean.clean(nb), path)


def nbval(path):
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(path), "-p", "no:cacheprovider", "--nbval-lax",
         "--nbval-sanitize-with", str(paths.REPO_ROOT / "tests/nbval_sanitize.cfg"),
         "--nbval-kernel-name", kernel.KERNEL_NAME, "-q"],
        cwd=path.parent, capture_output=True, text=True, timeout=300)


@pytest.mark.notebook
def test_a_changed_golden_output_fails(tmp_path):
    path = tmp_path / "changed.ipynb"
    golden_notebook(path, "print({'train': 204, 'eval': 140})", "{'train': 205, 'eval': 139}\n")
    result = nbval(path)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "1 failed" in result.stdout


@pytest.mark.notebook
def test_volatile_parts_are_sanitised(tmp_path):
    path = tmp_path / "volatile.ipynb"
    golden_notebook(path, "print('landing: ran (execution 3) in 0.4 s at 0x7f00aa')",
                    "landing: ran (execution 12) in 2.9 s at 0x55bb01\n")
    result = nbval(path)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "2 passed" in result.stdout
