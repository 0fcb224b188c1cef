"""The test command executes every notebook of the course, once, in course order.

The execution and the cell-by-cell checks are tests/notebook_execution.py's (papermill runs each notebook
with FAST = True, nbval compares the golden cells on that same run); this file checks the selection.
"""

import pytest

from tests.notebook_execution import ExecutedCell
from utils import course


def test_there_are_notebooks_to_run():
    assert course.notebooks(), "no course notebook found under notebooks/"


@pytest.mark.notebook
def test_the_run_is_given_every_notebook_in_course_order(request):
    assert request.config.course_notebooks == course.notebooks(with_solutions=True), (
        "the test run must execute every chapter and solutions notebook in course order: run it with "
        "`make test` (tools/test.sh passes them), not with plain pytest")


@pytest.mark.notebook
def test_this_process_executes_each_of_its_notebooks_once(request):
    executed = [item.path for item in request.session.items if isinstance(item, ExecutedCell)]
    notebooks = list(dict.fromkeys(executed))
    assert notebooks, "no notebook is executed by this run"
    assert executed == [path for path in notebooks for _ in range(executed.count(path))]  # one block each
