# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""utils/serving_client.py, chapter 07's helpers around the model server: the notebook's servers stop
together (at close, on a failing cell, never left running), waiting, the status table, the request loop,
latency tables and plots, and which real TF Serving a machine has."""

import shutil
import time
from types import SimpleNamespace

import pytest

from tests.serving_testing import copy_version, pid_alive, tiny_savedmodel  # noqa: F401
from utils import serving_client


class FakeEvents:
    def __init__(self):
        self.callbacks = {}

    def register(self, event, callback):
        self.callbacks.setdefault(event, []).append(callback)

    def unregister(self, event, callback):
        self.callbacks[event].remove(callback)


@pytest.fixture
def shell(monkeypatch):
    fake = SimpleNamespace(events=FakeEvents())
    monkeypatch.setattr(serving_client, "_ipython", lambda: fake)
    return fake


def test_a_failing_cell_stops_every_server_and_close_stops_watching(tmp_path, tiny_savedmodel, shell, capsys):
    copy_version(tiny_savedmodel, tmp_path / "tiny", 1)
    servers = serving_client.NotebookServers()
    [after_cell] = shell.events.callbacks["post_run_cell"]
    first = servers.start(model_name="tiny", model_base_path=tmp_path / "tiny", log_path=tmp_path / "1.log")
    second = servers.start(model_name="tiny", model_base_path=tmp_path / "tiny", log_path=tmp_path / "2.log")
    after_cell(SimpleNamespace(error_in_exec=None))  # a cell that ran fine changes nothing
    assert first.running() and second.running()
    after_cell(SimpleNamespace(error_in_exec=ZeroDivisionError()))
    assert not first.running() and not second.running() and not servers.running()
    assert not pid_alive(first.process.pid) and not pid_alive(second.process.pid)
    assert "A cell failed: the model servers" in capsys.readouterr().out
    servers.close()
    assert shell.events.callbacks["post_run_cell"] == [], "close() stops watching the cells"
    servers.close()  # twice is fine


def test_close_stops_the_servers(tmp_path, tiny_savedmodel, shell):
    copy_version(tiny_savedmodel, tmp_path / "tiny", 1)
    servers = serving_client.NotebookServers()
    server = servers.start(model_name="tiny", model_base_path=tmp_path / "tiny", log_path=tmp_path / "s.log")
    assert servers.running() == [server]
    servers.close()
    assert not server.running() and servers.servers == []


def test_a_notebook_run_again_stops_the_servers_of_the_run_before(tmp_path, tiny_savedmodel, shell):
    copy_version(tiny_savedmodel, tmp_path / "tiny", 1)
    before = serving_client.NotebookServers()
    server = before.start(model_name="tiny", model_base_path=tmp_path / "tiny", log_path=tmp_path / "s.log")
    again = serving_client.NotebookServers()  # Run All again: the cell that makes the object runs again
    assert not server.running() and before.servers == []
    assert shell.events.callbacks["post_run_cell"] == [again._after_cell]
    again.close()


def test_without_ipython_nothing_is_watched(monkeypatch):
    monkeypatch.setattr(serving_client, "_ipython", lambda: None)
    servers = serving_client.NotebookServers()
    servers.close()
    assert servers.servers == []


def test_wait_for_returns_the_value_or_says_what_it_waited_for():
    calls = []

    def ready():
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("refused")
        return len(calls) >= 3 and "yes"

    assert serving_client.wait_for(ready, timeout=5, interval=0.01) == "yes"
    with pytest.raises(TimeoutError, match="waited 0.1 s for the answer; last error: refused"):
        serving_client.wait_for(lambda: (_ for _ in ()).throw(ConnectionError("refused")), timeout=0.1,
                                interval=0.01, what="the answer")


def test_status_table_has_a_row_per_version():
    status = {"model_version_status": [
        {"version": "3", "state": "LOADING", "status": {"error_code": "OK", "error_message": ""}},
        {"version": "2", "state": "END", "status": {"error_code": "UNKNOWN", "error_message": "bad"}}]}
    table = serving_client.status_table(status)
    assert table.index.tolist() == [3, 2]
    assert table.loc[2, "state"] == "END" and table.loc[2, "error message"] == "bad"


def test_the_request_loop_records_answers_and_failures_in_order():
    answers = iter([1, 1, ValueError("boom"), 2, 2])

    def call():
        answer = next(answers, 2)
        if isinstance(answer, Exception):
            raise answer
        return answer

    loop = serving_client.RequestLoop(call, pause=0.001).start()
    serving_client.wait_for(lambda: len(loop.records) >= 6, timeout=5)
    loop.stop()
    assert loop.results[:2] == [1, 1] and set(loop.results[2:]) == {2}
    assert [error for _, error in loop.failures] == ["ValueError: boom"]
    timeline = loop.timeline()
    assert timeline["answer"].tolist()[:3] == [1, "ValueError: boom", 2]
    assert timeline["calls"].sum() == len(loop.records)


def test_latency_table_and_plot():
    samples = {"fast": [0.001] * 50 + [0.004] * 2, "slow": [0.002] * 99 + [0.010]}
    table = serving_client.latency_table(samples)
    assert table.loc["fast", "p50 (ms)"] == pytest.approx(1.0) and table.loc["slow", "calls"] == 100
    assert table.loc["slow", "p99 (ms)"] > table.loc["slow", "p50 (ms)"]
    figure = serving_client.latency_plot(samples)
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["fast", "slow"]


def test_real_tf_serving_needs_an_engine_not_only_the_docker_command(tmp_path, monkeypatch):
    fake_docker = tmp_path / "docker"
    fake_docker.write_text("#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n")
    fake_docker.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert serving_client.real_tf_serving() == {"docker": None, "tensorflow_model_server": None}
    assert serving_client.docker_command_only()
    fake_docker.write_text("#!/bin/sh\necho 28.2.2\n")
    binary = tmp_path / "tensorflow_model_server"
    shutil.copy(fake_docker, binary)
    found = serving_client.real_tf_serving()
    assert found == {"docker": "Docker engine 28.2.2", "tensorflow_model_server": str(binary)}
    assert not serving_client.docker_command_only()


def test_timed_measures_each_call():
    samples = serving_client.timed(lambda: time.sleep(0.002), 5, warmup=1)
    assert len(samples) == 5 and all(s >= 0.002 for s in samples)
