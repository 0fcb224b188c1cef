"""The student's path: a headless JupyterLab, the course kernel started through the REST API, a cell run."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
import websocket

from utils import committed_form, kernel, paths

TOKEN = uuid.uuid4().hex


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base, path, method="GET", body=None):
    request = urllib.request.Request(
        f"{base}{path}", method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read().decode()
        return response.status, (json.loads(text) if text.strip().startswith(("{", "[")) else text)


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    port = free_port()
    runtime = tmp_path_factory.mktemp("jupyter-runtime")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={paths.REPO_ROOT}",
         "--allow-root"],
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            api(base, "/api/status")
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start within 60 s")
            time.sleep(0.5)
    yield base
    server.terminate()
    server.wait(timeout=30)


def execute(base, kernel_id, code, timeout=120) -> str:
    ws = websocket.create_connection(
        f"{base.replace('http', 'ws')}/api/kernels/{kernel_id}/channels?token={TOKEN}", timeout=timeout)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False},
    }))
    printed = []
    try:
        while True:
            message = json.loads(ws.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                raise AssertionError("\n".join(message["content"]["traceback"]))
            elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                return "".join(printed)  # iopub's idle comes after every output (execute_reply may not)
    finally:
        ws.close()


@pytest.mark.server
def test_lab_serves_its_page(lab):
    status, page = api(lab, "/lab")
    assert status == 200 and "JupyterLab" in page


@pytest.mark.server
def test_the_course_kernel_starts_and_imports_tfx(lab):
    status, specs = api(lab, "/api/kernelspecs")
    assert kernel.KERNEL_NAME in specs["kernelspecs"]
    status, started = api(lab, "/api/kernels", "POST", {"name": kernel.KERNEL_NAME})
    assert status == 201
    try:
        printed = execute(lab, started["id"],
                          "import os, tfx\nprint(tfx.__version__, os.environ['TF_USE_LEGACY_KERAS'])")
        assert printed.split() == ["1.16.0", "1"]
    finally:
        api(lab, f"/api/kernels/{started['id']}", "DELETE")


@pytest.mark.server
def test_saving_a_run_course_notebook_leaves_it_as_committed(lab):
    """JupyterLab's save goes through the course's pre-save hook (utils/committed_form.py)."""
    relative = "notebooks/01_example_gen.ipynb"
    path = paths.REPO_ROOT / relative
    before = path.read_text()
    status, model = api(lab, f"/api/contents/{relative}")
    for count, cell in enumerate((c for c in model["content"]["cells"] if c["cell_type"] == "code"), 50):
        cell["execution_count"] = count  # a golden cell keeps its (deterministic) output, gets a new count
        if not committed_form.is_golden(cell):
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"run output {count}\n"}]
    try:
        status, _ = api(lab, f"/api/contents/{relative}", "PUT",
                        {"type": "notebook", "format": "json", "content": model["content"]})
        assert status == 200
        assert "run output" not in path.read_text()
        assert path.read_text() == committed_form.committed_text(path)
    finally:
        path.write_text(before)
