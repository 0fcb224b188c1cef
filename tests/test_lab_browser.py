"""JupyterLab itself in a real browser (Debian's Chromium driven by Playwright): the student's first chapter.

A JupyterLab server on a free 127.0.0.1 port, rooted at the course folder, opens
notebooks/01_example_gen.ipynb by its /lab/tree URL. The notebook must start on the course kernel with no
"Select Kernel" dialog (its metadata names the kernel `make setup` registers); Run › Run All Cells must
execute every code cell; no cell may end in an error. JupyterLab must not ask about Jupyter news (the
course's settings turn that off).

What is checked where:
- the kernel: the name in the notebook's toolbar (what the student sees), the session the server started
  (REST /api/sessions), and that no dialog is open;
- the run and its errors: the notebook model in the page (the server runs with --expose-app-in-browser, as
  JupyterLab's own Galata tests do): every code cell has an execution count and no output has
  output_type "error". The DOM cannot tell them apart: JupyterLab renders an error and a plain stderr print
  (warnings, which some cells write legitimately) alike, as application/vnd.jupyter.stderr.

The tracked notebook is never written: the server has settings of its own with autosave off, the notebook is
closed unsaved, and git status of notebooks/ is the same afterwards. The kernel runs in fast mode
(TFX_COURSE_FAST=1, set by conftest) in an empty folder `jupyterlab/` of the tests' work folder
(TFX_COURSE_WORKDIR): its pipeline and ML Metadata are its own, so the papermill run of chapter 01 in the
same pytest process neither reuses nor meets them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.slides_prerequisites import CHROMIUM, CHROMIUM_ARGS
from utils import kernel, paths

NOTEBOOK = "notebooks/01_example_gen.ipynb"
VIEWPORT = {"width": 1440, "height": 900}
START_TIMEOUT = 60  # s, the server and then the kernel, each
RUN_TIMEOUT = 240  # s, Run All on chapter 01 (about 40 s headless when the machine is idle)

# Settings of the test's server only (its own user settings folder): no autosave, so the notebook on disk is
# never written however long the run takes.
SERVER_SETTINGS = {"@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False}}

# Helpers the page gets before JupyterLab loads (Page.add_init_script). They read the app JupyterLab exposes
# (window.jupyterapp): the notebook panel of a path, its kernel, and its cells.
PAGE_HELPERS = """
window.courseTest = {
    panel(path) {
        const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return widget && widget.context && widget.context.path === path ? widget : null;
    },
    kernelStatus(panel) {
        const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
        return kernel ? kernel.status : null;
    },
    // How the kernel came up: 'kernel' once the toolbar names `name` and the kernel is idle,
    // 'dialog: <title>' when a dialog asks (Select Kernel), null while neither.
    kernelCameUp(path, name) {
        const dialog = document.querySelector('.jp-Dialog');
        if (dialog) {
            const header = dialog.querySelector('.jp-Dialog-header');
            return 'dialog: ' + (header || dialog).textContent.trim().slice(0, 80);
        }
        const panel = this.panel(path);
        const shown = panel && panel.node.querySelector('.jp-Toolbar-kernelName');
        const named = shown && shown.textContent.trim() === name;
        return named && this.kernelStatus(panel) === 'idle' ? 'kernel' : null;
    },
    // Every code cell's execution count, the error outputs, and the kernel's status, from the notebook model.
    runState(path) {
        const panel = this.panel(path);
        if (!panel) return null;
        const cells = panel.content.model.cells;
        const state = {codeCells: 0, counts: [], errors: [], kernel: this.kernelStatus(panel)};
        for (let i = 0; i < cells.length; i++) {
            const cell = cells.get(i);
            if (cell.type !== 'code') continue;
            state.codeCells += 1;
            state.counts.push(cell.executionCount);
            for (const output of cell.outputs.toJSON()) {
                if (output.output_type === 'error') {
                    state.errors.push({cell: i, ename: output.ename, evalue: output.evalue});
                }
            }
        }
        return state;
    },
    runDone(path) {
        const state = this.runState(path);
        return !!state && (state.errors.length > 0
                           || (state.kernel === 'idle' && state.counts.every(count => count !== null)));
    },
};
"""


@dataclass
class Lab:
    base: str
    token: str
    log: Path

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text.strip() else None

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def git_status(folder: str = "notebooks/") -> str:
    return subprocess.run(["git", "status", "--porcelain", folder], cwd=paths.REPO_ROOT, check=True,
                          capture_output=True, text=True).stdout


def write_settings(folder: Path) -> None:
    for name, values in SERVER_SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture
def lab(tmp_path):
    settings, workspaces, runtime = tmp_path / "user-settings", tmp_path / "workspaces", tmp_path / "runtime"
    write_settings(settings)
    token, port = uuid.uuid4().hex, free_port()
    log = tmp_path / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={paths.REPO_ROOT}", f"--LabApp.user_settings_dir={settings}",
               f"--LabApp.workspaces_dir={workspaces}", "--LabApp.expose_app_in_browser=True"]
    if os.getuid() == 0:
        command.append("--allow-root")
    work = paths.work_dir() / "jupyterlab"  # inside the tests' work folder (conftest)
    shutil.rmtree(work, ignore_errors=True)
    # The kernel inherits the server's environment, TFX_COURSE_FAST=1 (conftest) included.
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), paths.WORKDIR_ENV: str(work)}
    with log.open("w") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    running = Lab(f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                running.api("/api/status")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"JupyterLab did not start within {START_TIMEOUT} s:\n{running.log_tail()}")
                time.sleep(0.3)
        docmanager = running.api("/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
        assert docmanager["settings"]["autosave"] is False, "the test's server would autosave the notebook"
        yield running
    finally:
        server.terminate()  # shuts its kernels down too
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"no Chromium at {CHROMIUM}: as root `apt-get update && apt-get install -y"
                    " chromium` (or point COURSE_CHROMIUM at a Chromium or Chrome binary)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_notebook(page, lab: Lab, path: str) -> str:
    """Open the notebook by its URL; return how its kernel came up: 'kernel' or 'dialog: <title>'."""
    page.add_init_script(PAGE_HELPERS)
    page.goto(f"{lab.base}/lab/tree/{path}?token={lab.token}")
    outcome = page.wait_for_function("([path, name]) => courseTest.kernelCameUp(path, name)",
                                     arg=[path, kernel.KERNEL_DISPLAY_NAME], timeout=START_TIMEOUT * 1000,
                                     polling=250)
    return outcome.json_value()


def run_all_cells(page) -> None:
    """Run › Run All Cells, through the menu bar, as a student does."""
    page.locator(".lm-MenuBar-itemLabel:text-is('Run')").click()
    page.locator(".lm-Menu-itemLabel:text-is('Run All Cells')").click()


def wait_for_the_run(page, path: str, timeout: float = RUN_TIMEOUT) -> dict:
    """Wait until every code cell has an execution count and the kernel is idle, or a cell has failed."""
    page.wait_for_function("(path) => courseTest.runDone(path)", arg=path, timeout=timeout * 1000,
                           polling=500)
    return page.evaluate("(path) => courseTest.runState(path)", path)


@pytest.mark.server
@pytest.mark.notebook
def test_chapter_01_runs_in_jupyterlab_on_the_course_kernel(lab, browser):
    status_before, notebook_before = git_status(), (paths.REPO_ROOT / NOTEBOOK).read_bytes()
    checkpoints = paths.REPO_ROOT / "notebooks" / ".ipynb_checkpoints"
    had_checkpoints = checkpoints.exists()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)))
    try:
        came_up = open_notebook(page, lab, NOTEBOOK)
        assert came_up == "kernel", f"the notebook did not open on the course kernel: {came_up}"
        sessions = [s for s in lab.api("/api/sessions") if s["path"] == NOTEBOOK]
        assert [s["kernel"]["name"] for s in sessions] == [kernel.KERNEL_NAME]
        assert page.locator(".jp-Dialog").count() == 0

        run_all_cells(page)
        state = wait_for_the_run(page, NOTEBOOK)
        assert state["errors"] == [], f"cells ended in an error: {state['errors']}"
        assert state["codeCells"] > 0 and None not in state["counts"], state
        assert state["counts"] == sorted(state["counts"]), f"cells ran out of order: {state['counts']}"
        # The course's settings (jupyter/overrides.json, which make setup installs): no prompt about news.
        assert page.get_by_text("official Jupyter news").count() == 0, \
            "JupyterLab asks about news: the course's overrides are not installed (run `make setup`)"
    except Exception:
        print(f"JupyterLab's log:\n{lab.log_tail()}\npage errors: {page_errors}")
        raise
    finally:
        # Close without saving (autosave is off): the kernel first, then the page. The fixtures stop the
        # browser and the server whatever happens here.
        try:
            for session in [s for s in lab.api("/api/sessions") if s["path"] == NOTEBOOK]:
                lab.api(f"/api/sessions/{session['id']}", "DELETE")
        finally:
            context.close()
        if not had_checkpoints and checkpoints.exists():
            for leftover in checkpoints.iterdir():
                leftover.unlink()
            checkpoints.rmdir()
    assert (paths.REPO_ROOT / NOTEBOOK).read_bytes() == notebook_before, f"{NOTEBOOK} was written"
    assert git_status() == status_before
