"""The course's JupyterLab settings, jupyter/overrides.json: valid for the installed JupyterLab, installed.

`make setup` copies the file to <app dir>/settings/overrides.json (the app dir of the course's venv,
<venv>/share/jupyter/lab), where JupyterLab reads the overrides of its settings' defaults. A key the
installed JupyterLab does not know would be ignored without a word: the schema check catches a renamed one.
"""

import json
from pathlib import Path

import jsonschema
import pytest
from jupyterlab.commands import get_app_dir

from utils import paths

OVERRIDES = paths.REPO_ROOT / "jupyter" / "overrides.json"
LAB_DIR = Path(get_app_dir())  # where this environment's JupyterLab reads schemas and overrides
NOTIFICATIONS = "@jupyterlab/apputils-extension:notification"


def overrides() -> dict:
    return json.loads(OVERRIDES.read_text())


def schema(plugin_id: str) -> dict:
    """The installed JSON schema of a settings plugin, e.g. '@jupyterlab/apputils-extension:notification'."""
    package, plugin = plugin_id.split(":")
    path = LAB_DIR / "schemas" / package / f"{plugin}.json"
    assert path.is_file(), f"{plugin_id}: no schema {path} in the installed JupyterLab"
    return json.loads(path.read_text())


def test_news_and_update_checks_are_off():
    assert overrides()[NOTIFICATIONS] == {"fetchNews": "false", "checkForUpdates": False}


@pytest.mark.parametrize("plugin_id", sorted(overrides()))
def test_every_override_is_a_setting_of_the_installed_jupyterlab(plugin_id):
    values = overrides()[plugin_id]
    known = schema(plugin_id)["properties"]
    assert set(values) <= set(known), f"{plugin_id}: unknown keys {sorted(set(values) - set(known))}"
    # The values too: fetchNews, for one, is the string "false", not the boolean.
    jsonschema.validate(values, schema(plugin_id))


def test_make_setup_installed_them_where_jupyterlab_reads_overrides():
    installed = LAB_DIR / "settings" / "overrides.json"
    assert installed.is_file(), f"{installed} is missing: run `make setup`"
    assert json.loads(installed.read_text()) == overrides(), f"{installed} is out of date: run `make setup`"
