"""The test command executes every notebook of the course, once, in course order.

The execution and the cell-by-cell checks are tests/notebook_execution.py's (papermill runs each notebook
with FAST = True, nbval compares the golden cells on that same run); this file checks the selection.
"""

import pytest

from utils import course


def test_there_are_notebooks_to_run():
    assert course.notebooks(), "no course notebook found under notebooks/"


@pytest.mark.notebook
def test_the_run_is_given_every_notebook_in_course_order(request):
    assert request.config.course_notebooks == course.notebooks(with_solutions=True), (
        "the test run must execute every chapter and solutions notebook in course order: run it with "
        "`make test` (tools/test.sh passes them), not with plain pytest")

