"""Start the model server as a subprocess and stop it: for notebooks, tests and the benchmark.

    with ModelServerProcess(model_name="penguins", model_base_path="/abs/serving/penguins") as server:
        requests.post(f"{server.rest_url}/v1/models/penguins:predict", json=...)

The server is told the caller's process id (``--parent_pid``) and exits by itself within a second once that
process is gone, so it never outlives a notebook kernel that dies without stopping it; ``stop()`` (also
called at exit and by the ``with`` block) terminates it, then kills it if it does not stop in time.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from utils.serving.flags import READY_PREFIX

REPO_ROOT = Path(__file__).resolve().parents[2]


class ModelServerProcess:
    def __init__(
        self,
        *,
        model_name: str | None = None,
        model_base_path: str | Path | None = None,
        model_config_file: str | Path | None = None,
        port: int = 0,
        rest_api_port: int = 0,
        file_system_poll_wait_seconds: float = 1.0,
        extra_args: tuple[str, ...] = (),
        log_path: str | Path | None = None,
        startup_timeout: float = 180.0,
    ):
        args = [
            f"--port={port}",
            f"--rest_api_port={rest_api_port}",
            f"--file_system_poll_wait_seconds={file_system_poll_wait_seconds}",
            f"--parent_pid={os.getpid()}",
        ]
        if model_config_file is not None:
            args.append(f"--model_config_file={Path(model_config_file).resolve()}")
        if model_base_path is not None:
            args += [
                f"--model_name={model_name or 'default'}",
                f"--model_base_path={Path(model_base_path).resolve()}",
            ]
        self.args = args + list(extra_args)
        self.log_path = (
            Path(log_path) if log_path else Path(tempfile.mkstemp(prefix="model_server_", suffix=".log")[1])
        )
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.ready: dict = {}
        self._lines: queue.Queue = queue.Queue()

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "utils.serving", *self.args]

    @property
    def rest_url(self) -> str:
        return f"http://{self.ready['host']}:{self.ready['rest_api_port']}"

    @property
    def grpc_target(self) -> str:
        return f"{self.ready['host']}:{self.ready['grpc_port']}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self) -> ModelServerProcess:
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p),
        }
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        self._log_file = open(self.log_path, "a")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.command,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        atexit.register(self.stop)
        threading.Thread(target=self._drain, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            try:
                line = self._lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if line is None:
                break
            if line.startswith(READY_PREFIX):
                self.ready = json.loads(line[len(READY_PREFIX) :])
                return self
        code = self.process.poll()
        self.stop()
        reason = (
            f"exited with code {code}" if code is not None else f"not ready after {self.startup_timeout} s"
        )
        raise RuntimeError(
            f"the model server {reason}; its log ({self.log_path}) ends with:\n{self.log()[-3000:]}"
        )

    def _drain(self, stream) -> None:
        for line in stream:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> int | None:
        """Stop the server (SIGTERM, then SIGKILL after ``timeout``); returns its exit code."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if not self._log_file.closed:
            self._log_file.close()
        atexit.unregister(self.stop)
        return self.process.returncode

    def __enter__(self) -> ModelServerProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
