"""utils/lazy_imports.py: modules the course does not need at start load on first touch, and work then."""

import json
import subprocess
import sys
import textwrap

import pytest

from utils import lazy_imports, paths


@pytest.fixture
def toy_package(tmp_path, monkeypatch):
    """A package whose module `heavy` records in a file that its code ran."""
    package = tmp_path / "toy_lazy_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    marker = tmp_path / "ran"
    (package / "heavy.py").write_text(f"open({str(marker)!r}, 'w').close()\nVALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    finder = lazy_imports.LazyFinder({"toy_lazy_pkg.heavy"})
    monkeypatch.setattr(sys, "meta_path", [finder, *sys.meta_path])
    yield marker
    for name in ("toy_lazy_pkg.heavy", "toy_lazy_pkg"):
        sys.modules.pop(name, None)


def test_a_lazy_module_runs_its_code_on_first_attribute_access(toy_package):
    from toy_lazy_pkg import heavy

    assert not toy_package.exists() and not lazy_imports.is_loaded("toy_lazy_pkg.heavy")
    assert heavy.VALUE == 42
    assert toy_package.exists() and lazy_imports.is_loaded("toy_lazy_pkg.heavy")


def test_other_modules_are_left_to_the_usual_finders(toy_package):
    finder = lazy_imports.LazyFinder({"toy_lazy_pkg.heavy"})
    assert finder.find_spec("json") is None


def test_install_is_idempotent_and_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path
                                           if not isinstance(f, lazy_imports.LazyFinder)])
    monkeypatch.setenv(lazy_imports.EAGER_ENV, "1")
    lazy_imports.install()
    assert not lazy_imports.installed()
    monkeypatch.delenv(lazy_imports.EAGER_ENV)
    lazy_imports.install()
    lazy_imports.install()
    assert sum(isinstance(f, lazy_imports.LazyFinder) for f in sys.meta_path) == 1


COURSE_IMPORTS = textwrap.dedent("""
    import json, sys
    from utils import kernel                     # a notebook's first cell
    from tfx import v1 as tfx                    # its imports, as every chapter writes them
    from utils import pipeline
    from utils.context import course_context
    from utils.lazy_imports import LAZY_MODULES, is_loaded

    before = {name: is_loaded(name) for name in LAZY_MODULES}
    before["google.cloud.aiplatform"] = "google.cloud.aiplatform" in sys.modules
    trainer = tfx.extensions.google_cloud_ai_platform.Trainer   # touched: the real module loads
    import nbformat
    after = {"trainer": trainer.__name__, "nbformat": nbformat.v4.new_notebook().nbformat,
             "extensions": is_loaded("tfx.v1.extensions"),
             "google.cloud.aiplatform": "google.cloud.aiplatform" in sys.modules}
    print(json.dumps({"before": before, "after": after}))
""")


def test_the_course_imports_leave_the_lazy_modules_unloaded_and_touching_them_works():
    result = subprocess.run([sys.executable, "-c", COURSE_IMPORTS], cwd=paths.REPO_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["before"] == {**{name: False for name in lazy_imports.LAZY_MODULES},
                               "google.cloud.aiplatform": False}
    assert found["after"] == {"trainer": "Trainer", "nbformat": 4, "extensions": True,
                              "google.cloud.aiplatform": True}
