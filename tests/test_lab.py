"""`make lab` (tools/lab.sh) and the course's JupyterLab settings (jupyter/overrides.json).

tools/lab.sh runs here against a stand-in `jupyter` that prints its arguments: 127.0.0.1 only, rooted at the
course folder, --allow-root only for root, no browser where none can open. The other user (a normal user
when the tests run as root, root otherwise) is played in a user namespace (`unshare`), where available.

`make setup` copies jupyter/overrides.json to <app dir>/settings/overrides.json (the app dir of the course's
venv, <venv>/share/jupyter/lab), where JupyterLab reads the overrides of its settings' defaults. A key the
installed JupyterLab does not know would be ignored without a word: the schema check catches a renamed one.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from jupyterlab.commands import get_app_dir

from utils import paths

LAB_SH = paths.REPO_ROOT / "tools" / "lab.sh"
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


def lab_sh_arguments(tmp_path, *, as_root: bool | None = None, display: str = "") -> list[str]:
    """The arguments tools/lab.sh gives `jupyter`, run as this user, or as root / a normal user (unshare)."""
    jupyter = tmp_path / "venv" / "bin" / "jupyter"
    jupyter.parent.mkdir(parents=True, exist_ok=True)
    jupyter.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    jupyter.chmod(0o755)
    command = ["bash", str(LAB_SH), "--port=9999"]
    if as_root is not None and as_root != (os.getuid() == 0):
        if not shutil.which("unshare"):
            pytest.skip("no unshare to play the other user")
        user = ["--map-root-user"] if as_root else ["--map-user=1000", "--map-group=1000"]
        command = ["unshare", "--user", *user, *command]
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "COURSE_VENV": str(jupyter.parents[1])}
    if display:
        env["DISPLAY"] = display
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
    if result.returncode != 0 and command[0] == "unshare":
        pytest.skip(f"unshare cannot make a user namespace here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    printed = result.stdout.splitlines()
    assert any("127.0.0.1" in line for line in printed if line.startswith("[lab]"))
    return [line for line in printed if not line.startswith("[lab]")]


@pytest.mark.parametrize("as_root", [True, False], ids=["root", "user"])
def test_make_lab_listens_on_localhost_with_allow_root_only_for_root(tmp_path, as_root):
    arguments = lab_sh_arguments(tmp_path, as_root=as_root)
    assert arguments[0] == "lab" and arguments[-1] == "--port=9999"  # make lab LAB_ARGS=... come last
    assert "--ServerApp.ip=127.0.0.1" in arguments
    assert f"--ServerApp.root_dir={paths.REPO_ROOT}" in arguments
    assert ("--allow-root" in arguments) == as_root
    assert "--ServerApp.open_browser=False" in arguments  # no display here


def test_make_lab_opens_a_browser_only_for_a_user_on_a_desktop(tmp_path):
    assert "--ServerApp.open_browser=False" not in lab_sh_arguments(tmp_path, as_root=False, display=":0")
    assert "--ServerApp.open_browser=False" in lab_sh_arguments(tmp_path, as_root=True, display=":0")
