"""A notebook's committed form, and the two guards that keep a student's runs out of git.

The committed form of a notebook: the course kernel, each cell's tags, and no outputs or execution counts,
except on golden cells (tagged ``nbval-check-output``), whose outputs nbval compares (nbval skips a cell
without an execution count). ``tools/nbclean.py`` writes it (``make clean-notebooks``).

A student runs the notebooks in place, so two guards keep their outputs out of ``git status``:

* **JupyterLab saves the committed form.** ``make setup`` registers :func:`jupyter_pre_save_hook` as the
  Jupyter server's pre-save hook (``<venv>/etc/jupyter/jupyter_server_config.json``). Saving a notebook that
  git tracks writes it in committed form: what the student typed is saved, outputs and counts are not
  (they stay on screen for the session). A golden cell whose new output equals the committed one after
  nbval's sanitisers (``tests/nbval_sanitize.cfg``: durations, execution ids, work paths) keeps the
  committed output and count, so a run changes nothing. Notebooks git does not track (a student's own)
  are saved untouched.
* **git stores the committed form** of anything else (another editor, a copied file): ``.gitattributes``
  sends the notebooks through ``tools/nbclean.py --git-filter`` (git's clean filter, registered by ``make
  setup``). git compares sizes before contents, so such a file can still be listed as modified while
  ``git diff`` shows nothing; ``git add`` then records nothing new.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
from pathlib import Path

import nbformat

from utils import kernel, paths

GOLDEN_TAG = "nbval-check-output"
SANITIZE_FILE = paths.REPO_ROOT / "tests" / "nbval_sanitize.cfg"
KERNELSPEC = {"name": kernel.KERNEL_NAME, "display_name": kernel.KERNEL_DISPLAY_NAME, "language": "python"}
NOTEBOOK_METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}


def is_golden(cell) -> bool:
    return GOLDEN_TAG in cell.get("metadata", {}).get("tags", [])


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return the notebook in its committed form (the input is modified in place too)."""
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        cell.metadata = nbformat.from_dict({"tags": tags} if tags else {})
        if cell.cell_type == "code" and not is_golden(cell):
            cell.outputs = []
            cell.execution_count = None
    return nb


def serialise(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def sanitisers(path: Path = SANITIZE_FILE) -> list[tuple[re.Pattern, str]]:
    """nbval's sanitiser file as (regex, replacement) pairs, in file order."""
    parser = configparser.ConfigParser()
    parser.read(path)
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def _comparable(cell, rules) -> str:
    text = json.dumps(cell.get("outputs", []), sort_keys=True)
    for regex, replacement in rules:
        text = regex.sub(replacement, text)
    return text


def keep_committed_golden(nb: nbformat.NotebookNode, committed: nbformat.NotebookNode, rules) -> None:
    """Golden cells of ``nb`` whose outputs equal the committed ones up to the sanitisers take the
    committed outputs and execution count (cells matched by id)."""
    by_id = {cell.get("id"): cell for cell in committed.cells if is_golden(cell)}
    for cell in nb.cells:
        old = by_id.get(cell.get("id"))
        if is_golden(cell) and old is not None and _comparable(cell, rules) == _comparable(old, rules):
            cell.outputs, cell.execution_count = old.outputs, old.execution_count


def committed_text(path: Path) -> str | None:
    """The notebook at ``path`` as the last commit has it; None when git does not track it.

    HEAD's version, not the index's: while git refreshes its index (``git status``) it holds the index's
    lock, and a filter reading the index then fails."""
    path = Path(path).resolve()
    env = {k: v for k, v in os.environ.items() if k != "GIT_INDEX_FILE"}
    try:
        result = subprocess.run(["git", "show", f"HEAD:./{path.name}"], cwd=path.parent, env=env,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout if result.returncode == 0 else None


def committed_form(nb: nbformat.NotebookNode, committed: str | None) -> nbformat.NotebookNode:
    """``nb`` in committed form, golden outputs unchanged up to the sanitisers taken from ``committed``."""
    clean(nb)
    if committed is not None:
        try:
            keep_committed_golden(nb, nbformat.reads(committed, as_version=4), sanitisers())
        except Exception:  # an unreadable committed version: the cleaned notebook is still right
            pass
    return nb


def jupyter_pre_save_hook(model, path, contents_manager, **kwargs):
    """Jupyter server's pre-save hook: a notebook git tracks is saved in its committed form."""
    if model.get("type") != "notebook" or not model.get("content"):
        return
    committed = committed_text(Path(contents_manager.root_dir) / path)
    if committed is None:  # not a course notebook: the student's own, saved as it is
        return
    nb = committed_form(nbformat.from_dict(model["content"]), committed)
    model["content"] = nb
