"""Around the model server in chapter 07, what is not the lesson: the servers a notebook starts (and stops,
whatever happens), waiting for a server to change state, its status as a table, a loop of requests in the
background, latency tables and plots, and which real TF Serving this machine could run.

The requests themselves (REST JSON, gRPC protos) are the lesson: the chapter writes them inline, and the
functions here take them as callables. Latency is timed by ``utils/serving/bench.py``'s own functions, the
ones ``python tools/bench.py --only serving`` runs, so the notebook and the project benchmark measure alike.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pandas as pd

from utils.serving import bench
from utils.serving.process import ModelServerProcess


class NotebookServers:
    """The model servers a notebook starts. All of them stop together: at :meth:`close` (the chapter's last
    cell), as soon as a cell fails (IPython's ``post_run_cell`` event: a run that stops halfway leaves no
    server behind), and at the kernel's exit; each server also exits by itself once the kernel is gone
    (``--parent_pid``). After a failed cell, start them again from their own cells. A new object stops the
    servers of the one before it (a notebook run again in the same kernel)."""

    _latest: NotebookServers | None = None

    def __init__(self):
        # Run All a second time in the same kernel makes a new object: stop what the last one started.
        if NotebookServers._latest is not None:
            NotebookServers._latest.close()
        NotebookServers._latest = self
        self.servers: list[ModelServerProcess] = []
        self._shell = _ipython()
        if self._shell is not None:
            self._shell.events.register("post_run_cell", self._after_cell)

    def start(self, **kwargs) -> ModelServerProcess:
        """Start ``ModelServerProcess(**kwargs)`` and keep it for :meth:`close`."""
        server = ModelServerProcess(**kwargs)
        self.servers.append(server)
        return server.start()

    def stop(self, server: ModelServerProcess) -> int | None:
        """Stop one server; returns its exit code (0: it stopped cleanly on SIGTERM)."""
        code = server.stop()
        if server in self.servers:
            self.servers.remove(server)
        return code

    def running(self) -> list[ModelServerProcess]:
        return [server for server in self.servers if server.running()]

    def close(self) -> None:
        """Stop every server this object started, and stop watching the cells."""
        for server in list(self.servers):
            self.stop(server)
        if self._shell is not None:
            try:
                self._shell.events.unregister("post_run_cell", self._after_cell)
            except ValueError:  # closed twice
                pass
            self._shell = None

    def _after_cell(self, result) -> None:
        if getattr(result, "error_in_exec", None) is not None and self.running():
            names = ", ".join(server.rest_url if server.ready else "starting" for server in self.running())
            for server in list(self.servers):
                self.stop(server)
            print(f"A cell failed: the model servers this notebook started ({names}) were stopped. "
                  "Fix the cell, then run the cell that starts the server again.")


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def wait_for(condition, timeout: float = 60.0, interval: float = 0.1, what: str = "the server"):
    """Call ``condition()`` until it returns something true (returned) or ``timeout`` seconds pass (then
    TimeoutError naming ``what``). An exception inside ``condition`` counts as "not yet"."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as error:  # noqa: BLE001 - e.g. a connection refused while the server starts
            value, last_error = None, error
        if value:
            return value
        time.sleep(interval)
    detail = f"; last error: {last_error}" if last_error else ""
    raise TimeoutError(f"waited {timeout:g} s for {what}{detail}")


def status_table(status: dict) -> pd.DataFrame:
    """A REST status answer (``GET /v1/models/{name}``) as one row per version: state, error code, message."""
    rows = [{"version": int(entry["version"]), "state": entry["state"],
             "error code": entry.get("status", {}).get("error_code", "OK"),
             "error message": entry.get("status", {}).get("error_message", "")}
            for entry in status["model_version_status"]]
    columns = ["version", "state", "error code", "error message"]
    return pd.DataFrame(rows, columns=columns).set_index("version")


@dataclass
class RequestLoop:
    """Call ``call()`` again and again in a background thread until :meth:`stop`, recording each call's end
    time, its result (what ``call`` returned) or its error. ``pause`` seconds between calls."""

    call: object
    pause: float = 0.01
    records: list = field(default_factory=list)  # (seconds since start, result or None, error or None)

    def start(self) -> RequestLoop:
        self._stop = threading.Event()
        self._start = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="request-loop", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                result, error = self.call(), None
            except Exception as e:  # noqa: BLE001 - a failed request is what the loop counts
                result, error = None, f"{type(e).__name__}: {e}"
            self.records.append((time.monotonic() - self._start, result, error))
            self._stop.wait(self.pause)

    def stop(self) -> RequestLoop:
        self._stop.set()
        self._thread.join(timeout=30)
        return self

    @property
    def failures(self) -> list:
        return [(t, error) for t, _, error in self.records if error is not None]

    @property
    def results(self) -> list:
        return [result for _, result, error in self.records if error is None]

    def timeline(self) -> pd.DataFrame:
        """Consecutive calls with the same result merged: from, to (seconds), result, calls."""
        rows = []
        for t, result, error in self.records:
            answer = error if error is not None else result
            if rows and rows[-1]["answer"] == answer:
                rows[-1]["to (s)"], rows[-1]["calls"] = round(t, 2), rows[-1]["calls"] + 1
            else:
                rows.append({"from (s)": round(t, 2), "to (s)": round(t, 2), "answer": answer, "calls": 1})
        return pd.DataFrame(rows, columns=["from (s)", "to (s)", "answer", "calls"])


def timed(call, n: int, warmup: int = 30) -> list[float]:
    """Seconds per call of ``n`` sequential calls after ``warmup`` untimed ones (utils/serving/bench.py)."""
    return bench.timed_calls(call, n, warmup)


def latency_table(samples: dict[str, list[float]]) -> pd.DataFrame:
    """p50 and p99 in milliseconds (and the number of calls) per way of calling, as the benchmark reports
    them (``bench.percentiles``)."""
    return pd.DataFrame({name: bench.percentiles(s) for name, s in samples.items()}).T.astype(
        {"n": int}).rename(columns={"p50_ms": "p50 (ms)", "p99_ms": "p99 (ms)", "n": "calls"})


def latency_plot(samples: dict[str, list[float]]):
    """The distribution of each way of calling: one box per way, on a log scale, the dots beyond the
    whiskers being the slow calls p99 is made of. Returns the matplotlib figure (renders offline)."""
    import matplotlib.pyplot as plt

    names = list(samples)
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(names) + 1.2))
    ax.boxplot([[s * 1000 for s in samples[name]] for name in names], orientation="horizontal", whis=(1, 99),
               flierprops={"markersize": 2, "alpha": 0.5})
    ax.set_yticks(range(1, len(names) + 1), names)
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds per request (log scale); box: p25-p75, line: p50, whiskers: p1-p99")
    ax.invert_yaxis()
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    plt.close(fig)
    return fig


def real_tf_serving() -> dict[str, str | None]:
    """Which real TF Serving this machine can start: ``docker`` (a Docker engine that answers, not only the
    ``docker`` command) and ``tensorflow_model_server`` (the binary on PATH); None for what is missing,
    else a short description."""
    found: dict[str, str | None] = {"docker": None, "tensorflow_model_server": None}
    docker = shutil.which("docker")
    if docker:
        try:
            answer = subprocess.run([docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True,
                                    text=True, timeout=20)
            if answer.returncode == 0 and answer.stdout.strip():
                found["docker"] = f"Docker engine {answer.stdout.strip()}"
        except (OSError, subprocess.TimeoutExpired):
            pass
    binary = shutil.which("tensorflow_model_server")
    if binary and os.access(binary, os.X_OK):
        found["tensorflow_model_server"] = binary
    return found


def docker_command_only() -> bool:
    """True when the ``docker`` command exists but no engine answers it (a client without a daemon)."""
    return shutil.which("docker") is not None and real_tf_serving()["docker"] is None
