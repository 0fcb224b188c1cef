"""Test session set-up: a fresh course work folder of its own, fast mode, and the TFX environment.

The variables are set at import, before any kernel starts, so papermill's and nbval's kernels inherit them.
The student's work/ folder is never touched by the tests.
"""

import os
import shutil

import pytest

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

from utils import config, paths  # noqa: E402  (after the environment is set)

# Notebooks given to pytest are executed once by papermill and checked by nbval: see the plugin's docstring.
pytest_plugins = ["tests.notebook_execution"]

# tools/test.sh runs the unit tests and the notebooks side by side, each with a work folder (and so an ML
# Metadata SQLite file) of its own: COURSE_TEST_WORKDIR names it.
TEST_WORKDIR = paths.Path(os.environ.get("COURSE_TEST_WORKDIR") or paths.BUILD_DIR / "test-work").resolve()
os.environ[paths.WORKDIR_ENV] = str(TEST_WORKDIR)
os.environ[config.FAST_ENV] = "1"


def pytest_sessionstart(session):
    shutil.rmtree(TEST_WORKDIR, ignore_errors=True)
    TEST_WORKDIR.mkdir(parents=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "notebook: executes notebooks (slow)")
    config.addinivalue_line("markers", "server: starts a JupyterLab server")
    config.addinivalue_line("markers", "solutions: a cell of a solutions notebook (also marked notebook)")
    config.addinivalue_line("markers", "pipeline_run: runs the whole pipeline with LocalDagRunner (slow)")
    config.addinivalue_line("markers", "model_server: a test of utils/serving (run beside the chapters by "
                                       "tools/test.sh, to even out its two processes)")


def pytest_collection_modifyitems(config, items):
    # Before -m deselects anything: which notebooks this run was given, in order (tests/test_notebooks.py).
    config.course_notebooks = list(dict.fromkeys(i.path for i in items if i.path.suffix == ".ipynb"))
    for item in items:
        if item.path.name.startswith("test_serving_"):
            item.add_marker(pytest.mark.model_server)
        if str(item.fspath).endswith(".ipynb"):  # nbval's cells
            item.add_marker(pytest.mark.notebook)
            if paths.SOLUTIONS_DIR in item.path.parents:
                item.add_marker(pytest.mark.solutions)


@pytest.fixture()
def course(tmp_path):
    """Chapter 05: the course model's evaluation (blessed), as the Evaluator stores it, written by hand."""
    from tests import evaluation_testing

    return evaluation_testing.course_evaluation(tmp_path / "course")


@pytest.fixture()
def candidate(tmp_path):
    """Chapter 05: the weaker candidate's evaluation (not blessed), written by hand."""
    from tests import evaluation_testing

    return evaluation_testing.candidate_evaluation(tmp_path / "candidate")
