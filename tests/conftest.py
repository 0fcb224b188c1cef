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

TEST_WORKDIR = paths.BUILD_DIR / "test-work"
os.environ[paths.WORKDIR_ENV] = str(TEST_WORKDIR)
os.environ[config.FAST_ENV] = "1"


def pytest_sessionstart(session):
    shutil.rmtree(TEST_WORKDIR, ignore_errors=True)
    TEST_WORKDIR.mkdir(parents=True)


def pytest_configure(config):
    config.addinivalue_line("markers", "notebook: executes notebooks (slow)")
    config.addinivalue_line("markers", "server: starts a JupyterLab server")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if str(item.fspath).endswith(".ipynb"):  # nbval's cells
            item.add_marker(pytest.mark.notebook)
