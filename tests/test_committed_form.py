"""utils/committed_form.py's guards (JupyterLab's pre-save hook, git's clean filter, both installed by make
setup): a student's run never shows in git status, a golden output that really changed does, answers
survive a course update, a student's own notebook is saved as it is."""

import importlib
import json
import os
import subprocess
import sys

import nbformat
import pytest

from tools import nbclean
from utils import committed_form, paths

GIT_ENV = {"GIT_AUTHOR_NAME": "Course", "GIT_AUTHOR_EMAIL": "course@example.org",
           "GIT_COMMITTER_NAME": "Course", "GIT_COMMITTER_EMAIL": "course@example.org",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def lesson() -> nbformat.NotebookNode:
    """A chapter-like notebook in committed form: a golden cell, an exercise answer, prose between."""
    nb = nbformat.v4.new_notebook()
    golden = nbformat.v4.new_code_cell("print(split_counts)", execution_count=4,
                                       metadata={"tags": [nbclean.GOLDEN_TAG]}, id="golden")
    golden.outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="ExampleGen: ran (execution 3) in 2.1 s\n{'train': 224}\n")]
    nb.cells = [nbformat.v4.new_markdown_cell("# 01 · A chapter\n\nIntroduction.", id="title"),
                nbformat.v4.new_code_cell("split_counts = {'train': 224}", id="setup"), golden]
    nb.cells += [nbformat.v4.new_markdown_cell(f"Section {i}.\n\nMore prose.", id=f"prose{i}")
                 for i in range(6)]
    nb.cells += [nbformat.v4.new_markdown_cell("### Exercise 1.1", id="exercise"),
                 nbformat.v4.new_code_cell("answer = None", id="answer")]
    return nbclean.clean(nb)


def run_everything(nb: nbformat.NotebookNode, golden_text: str) -> nbformat.NotebookNode:
    """What JupyterLab saves after Run All: every code cell with a count and outputs."""
    nb = nbformat.from_dict(nb)
    for count, cell in enumerate((c for c in nb.cells if c.cell_type == "code"), 20):
        cell.execution_count = count
        text = golden_text if nbclean.is_golden(cell) else f"output of cell {count}\n"
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nb.metadata["widgets"] = {"state": {}}
    return nb


def git(repo, *args):
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                            env={**os.environ, **GIT_ENV}, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def clones(tmp_path):
    """The course's repository (upstream) and a student's clone of it, with the filter installed."""
    upstream = tmp_path / "upstream"
    (upstream / "notebooks").mkdir(parents=True)
    git(upstream, "init", "-q", "-b", "main")
    (upstream / ".gitattributes").write_text((paths.REPO_ROOT / ".gitattributes").read_text())
    (upstream / "notebooks" / "01_chapter.ipynb").write_text(nbclean.serialise(lesson()))
    git(upstream, "add", "-A")
    git(upstream, "commit", "-qm", "course")
    student = tmp_path / "student"
    git(tmp_path, "clone", "-q", str(upstream), str(student))
    nbclean.install_git_filter(sys.executable, student)
    nbclean.install_git_filter(sys.executable, upstream)
    return upstream, student


def test_gitattributes_sends_every_notebook_through_the_filter():
    for notebook in paths.NOTEBOOKS_DIR.glob("**/*.ipynb"):
        out = git(paths.REPO_ROOT, "check-attr", "filter", str(notebook.relative_to(paths.REPO_ROOT)))
        assert out.strip().endswith(f"filter: {nbclean.FILTER_NAME}"), out


def save_in_jupyterlab(root, path, nb) -> None:
    """What the Jupyter server does on save, with the course's pre-save hook installed."""
    model = {"type": "notebook", "content": nb}
    committed_form.jupyter_pre_save_hook(model=model, path=path, contents_manager=ContentsManager(root))
    nbformat.write(nbformat.from_dict(model["content"]), root / path)  # as jupyter_server writes it


def test_a_run_saved_by_jupyterlab_leaves_git_status_clean(clones):
    _, student = clones
    rerun = "ExampleGen: ran (execution 17) in 0.4 s\n{'train': 224}\n"
    save_in_jupyterlab(student, "notebooks/01_chapter.ipynb", run_everything(lesson(), rerun))
    assert git(student, "status", "--porcelain") == ""


def test_outputs_saved_by_another_editor_never_reach_a_commit(clones):
    _, student = clones
    notebook = student / "notebooks" / "01_chapter.ipynb"
    rerun = "ExampleGen: ran (execution 17) in 0.4 s\n{'train': 224}\n"
    notebook.write_text(nbformat.writes(run_everything(lesson(), rerun)))
    assert git(student, "diff") == ""  # git may list it (its size changed), but there is no change
    git(student, "add", "-A")
    assert git(student, "status", "--porcelain") == ""
    assert "output of cell" in notebook.read_text()  # the file itself keeps the outputs


def test_a_real_change_of_a_golden_output_shows(clones):
    _, student = clones
    notebook = student / "notebooks" / "01_chapter.ipynb"
    changed = "ExampleGen: ran (execution 3) in 2.1 s\n{'train': 225}\n"
    notebook.write_text(nbformat.writes(run_everything(lesson(), changed)))
    assert git(student, "status", "--porcelain").strip() == "M notebooks/01_chapter.ipynb"
    assert "'train': 225" in git(student, "diff") and "output of cell" not in git(student, "diff")


def test_an_answer_survives_a_course_update_of_another_cell(clones):
    upstream, student = clones
    notebook = student / "notebooks" / "01_chapter.ipynb"
    mine = run_everything(lesson(), "ExampleGen: ran (execution 9) in 1.0 s\n{'train': 224}\n")
    mine.cells[-1].source = "answer = 42  # my answer"
    notebook.write_text(nbformat.writes(mine))

    update = lesson()
    update.cells[0].source = "# 01 · A chapter\n\nIntroduction, corrected."
    (upstream / "notebooks" / "01_chapter.ipynb").write_text(nbclean.serialise(update))
    git(upstream, "commit", "-qam", "course update")

    git(student, "pull", "-q", "--rebase", "--autostash")  # the README's command
    merged = nbformat.read(notebook, as_version=4)
    assert merged.cells[0].source.endswith("Introduction, corrected.")
    assert merged.cells[-1].source == "answer = 42  # my answer"


def test_the_filter_never_loses_what_is_not_a_notebook():
    assert nbclean.git_clean_filter("not json {", "notebooks/broken.ipynb") == "not json {"


class ContentsManager:
    def __init__(self, root_dir):
        self.root_dir = str(root_dir)


def test_jupyterlab_saves_a_course_notebook_in_its_committed_form(clones):
    _, student = clones
    model = {"type": "notebook", "content": run_everything(
        lesson(), "ExampleGen: ran (execution 8) in 0.2 s\n{'train': 224}\n")}
    committed_form.jupyter_pre_save_hook(model=model, path="notebooks/01_chapter.ipynb",
                                         contents_manager=ContentsManager(student))
    saved = nbclean.serialise(nbformat.from_dict(model["content"]))
    assert saved == (student / "notebooks" / "01_chapter.ipynb").read_text()


def test_jupyterlab_saves_a_students_own_notebook_as_it_is(clones):
    _, student = clones
    mine = run_everything(lesson(), "anything\n")
    model = {"type": "notebook", "content": nbformat.from_dict(mine)}
    committed_form.jupyter_pre_save_hook(model=model, path="notebooks/my_notes.ipynb",
                                         contents_manager=ContentsManager(student))
    assert model["content"] == mine


def test_setup_installs_the_pre_save_hook_for_the_course_jupyter():
    installed = (paths.REPO_ROOT / os.environ.get("COURSE_VENV", ".venv") / "etc" / "jupyter"
                 / "jupyter_server_config.json")
    shipped = paths.REPO_ROOT / "jupyter" / "jupyter_server_config.json"
    assert installed.read_text() == shipped.read_text(), "run `make setup`"
    hook = json.loads(shipped.read_text())["ContentsManager"]["pre_save_hook"]
    module, _, name = hook.rpartition(".")
    assert getattr(importlib.import_module(module), name) is committed_form.jupyter_pre_save_hook
