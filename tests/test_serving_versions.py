# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""Folders of numbered versions: version policies, half-written versions, failed loads, warmup, unloads (the
loader in-process, on the tiny model), and a version swap under concurrent REST and gRPC load on a running
server with the course model: no request may fail."""

import json
import shutil
import threading
import time
from http.client import HTTPConnection

import grpc
import pytest
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
from tensorflow_serving.config import model_server_config_pb2

from tests.penguin_model import SERVING, read_penguins, serialized
from tests.serving_testing import (  # noqa: F401 - fixtures
    POLL_SECONDS,
    copy_version,
    http,
    penguin_savedmodel,
    raw_instance,
    server,
    server_root,
    tiny_savedmodel,
    tiny_warmup_records,
    write_warmup,
)
from utils.serving import repository
from utils.tfx_modules.trainer import model_settings as settings


def model_at(base, policy: str = "") -> repository.Model:
    config = model_server_config_pb2.ModelConfig(name="m", base_path=str(base))
    if policy:
        from google.protobuf import text_format

        text_format.Parse(policy, config.model_version_policy)
    return repository.Model(config)


def poll(model, times: int = 2) -> None:
    for i in range(times):
        model.update(first=(i == 0 and not model.statuses))


def states(model) -> dict:
    return {v: s.state for v, s in model.statuses.items()}


@pytest.mark.parametrize(
    "policy, loaded",
    [
        ("", {3}),
        ("latest { num_versions: 2 }", {2, 3}),
        ("specific { versions: 1 versions: 3 }", {1, 3}),
        ("all {}", {1, 2, 3}),
    ],
)
def test_the_version_policy_chooses_the_versions_served(tmp_path, tiny_savedmodel, policy, loaded):
    for version in (1, 2, 3):
        copy_version(tiny_savedmodel, tmp_path, version)
    (tmp_path / "notes").mkdir()  # not a version: ignored
    model = model_at(tmp_path, policy)
    poll(model)
    assert set(model.servables) == loaded
    assert all(states(model)[v] == "AVAILABLE" for v in loaded)


def test_a_half_written_version_is_never_loaded(tmp_path, tiny_savedmodel):
    copy_version(tiny_savedmodel, tmp_path, 1)
    model = model_at(tmp_path)
    poll(model)
    partial = tmp_path / "2"
    shutil.copytree(tiny_savedmodel / "variables", partial / "variables")  # no saved_model.pb yet
    poll(model, 3)
    assert set(model.servables) == {1} and 2 not in model.statuses
    shutil.copy(tiny_savedmodel / "saved_model.pb", partial / "saved_model.pb")
    model.update()
    assert set(model.servables) == {1}, "the listing changed at this poll: not stable yet"
    model.update()
    assert set(model.servables) == {2} and states(model) == {1: "END", 2: "AVAILABLE"}


def test_a_version_still_being_written_waits_until_its_listing_stops_changing(tmp_path, tiny_savedmodel):
    copy_version(tiny_savedmodel, tmp_path, 1)
    model = model_at(tmp_path)
    poll(model)
    copy_version(tiny_savedmodel, tmp_path, 2)
    for i in range(3):
        (tmp_path / "2" / "variables" / f"shard-{i}").write_bytes(b"x" * i)
        model.update()
        assert set(model.servables) == {1}
    model.update()
    assert set(model.servables) == {2}


def test_a_failed_load_is_reported_the_old_version_keeps_serving_and_it_is_not_retried(
    tmp_path, tiny_savedmodel, monkeypatch
):
    copy_version(tiny_savedmodel, tmp_path, 1)
    model = model_at(tmp_path)
    poll(model)
    broken = tmp_path / "2"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    poll(model)
    assert set(model.servables) == {1}
    status = model.statuses[2]
    assert (status.state, status.error_code) == ("END", "UNKNOWN") and status.error_message
    loads = []
    monkeypatch.setattr(repository, "Servable", lambda *a: loads.append(a))
    poll(model, 3)
    assert loads == [], "an unchanged folder that failed is not loaded again"
    monkeypatch.undo()
    shutil.rmtree(broken)
    copy_version(tiny_savedmodel, tmp_path, 2)  # fixed: the folder changed, so it is tried again
    poll(model)
    assert set(model.servables) == {2} and states(model) == {1: "END", 2: "AVAILABLE"}


def test_warmup_requests_run_at_load_and_a_failing_one_fails_the_load(tmp_path, tiny_savedmodel):
    write_warmup(copy_version(tiny_savedmodel, tmp_path, 1), tiny_warmup_records())
    model = model_at(tmp_path)
    poll(model)
    assert set(model.servables) == {1}
    assert model.servables[1].warm_up() == 3
    records = tiny_warmup_records()
    records[0].predict_log.request.inputs["wings"].CopyFrom(tf.make_tensor_proto([1.0]))
    write_warmup(copy_version(tiny_savedmodel, tmp_path, 2), records)
    poll(model)
    assert set(model.servables) == {1}
    assert model.statuses[2].error_code == "INVALID_ARGUMENT"
    assert "input size does not match signature" in model.statuses[2].error_message


def test_a_removed_version_is_unloaded_once_another_is_available(tmp_path, tiny_savedmodel):
    for version in (1, 2):
        copy_version(tiny_savedmodel, tmp_path, version)
    model = model_at(tmp_path)
    poll(model)
    held = model.servables[2]  # a request in flight holds the version it started on
    shutil.rmtree(tmp_path / "2")  # a rollback: the newest version is taken away
    poll(model)
    assert set(model.servables) == {1} and states(model) == {1: "AVAILABLE", 2: "END"}
    assert held.predict("", {"x": [1.0], "tag": [b"a"]})[1]["y"].tolist() == [3.0], "still answers"


# ---- on the running server
def test_warmup_ran_when_the_server_loaded_the_model(server):
    assert "model tiny version 1: 3 warmup requests replayed" in server.log()


def test_a_broken_version_shows_in_the_status_as_tf_serving_reports_it(server, tiny_savedmodel):
    broken = server_root(server) / "staging" / "2"
    broken.mkdir()
    (broken / "saved_model.pb").write_bytes(b"not a SavedModel")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status, body = http("GET", server.rest_url + "/v1/models/staging")
            if len(body["model_version_status"]) == 2 and body["model_version_status"][0]["state"] == "END":
                break
            time.sleep(POLL_SECONDS)
        failed, serving = body["model_version_status"]
        assert (failed["version"], failed["state"], failed["status"]["error_code"]) == ("2", "END", "UNKNOWN")
        assert failed["status"]["error_message"]
        assert (serving["version"], serving["state"]) == ("1", "AVAILABLE")
        status, answer = http(
            "POST", server.rest_url + "/v1/models/staging:predict", {"instances": [{"x": 1.0, "tag": "a"}]}
        )
        assert status == 200 and answer["predictions"][0]["y"] == 3.0
    finally:
        shutil.rmtree(broken)


class Load:
    """Clients sending predictions in loops (REST with keep-alive, and gRPC) until stopped."""

    def __init__(self, server, penguin):
        self.server, self.stop, self.lock = server, threading.Event(), threading.Lock()
        self.ok, self.failures, self.grpc_versions = 0, [], set()
        self.rest_body = json.dumps(
            {"signature_name": settings.RAW_SIGNATURE, "instances": [raw_instance(penguin)]}
        )
        self.grpc_request = predict_pb2.PredictRequest()
        self.grpc_request.model_spec.name = "swapping"
        self.grpc_request.inputs[settings.EXAMPLES_INPUT].CopyFrom(
            tf.make_tensor_proto([serialized(penguin)])
        )
        self.threads = [threading.Thread(target=self.rest) for _ in range(2)] + [
            threading.Thread(target=self.grpc)
        ]

    def record(self, failure=None):
        with self.lock:
            if failure is None:
                self.ok += 1
            else:
                self.failures.append(failure)

    def rest(self):
        host, port = self.server.ready["host"], self.server.ready["rest_api_port"]
        connection = HTTPConnection(host, port, timeout=30)
        while not self.stop.is_set():
            try:
                connection.request("POST", "/v1/models/swapping:predict", self.rest_body)
                response = connection.getresponse()
                body = json.loads(response.read())
                ok = response.status == 200 and len(body["predictions"]) == 1
                self.record(None if ok else (response.status, body))
            except Exception as e:  # noqa: BLE001 - every failure is counted
                self.record(repr(e))
                connection.close()

    def grpc(self):
        with grpc.insecure_channel(self.server.grpc_target) as channel:
            stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
            while not self.stop.is_set():
                try:
                    response = stub.Predict(self.grpc_request, timeout=30)
                    self.grpc_versions.add(response.model_spec.version.value)
                    self.record()
                except grpc.RpcError as e:
                    self.record(f"{e.code()}: {e.details()}")

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(30)


def test_a_new_version_swaps_in_under_load_without_a_failed_request(server, penguin_savedmodel):
    """The new version is copied file by file (as the Pusher copies), while three clients send requests."""
    url = server.rest_url + "/v1/models/swapping"
    penguin = read_penguins(SERVING, every=10)[0]
    with Load(server, penguin) as load:
        time.sleep(0.5)
        copy_version(penguin_savedmodel, server_root(server) / "swapping", 2)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = {s["version"]: s["state"] for s in http("GET", url)[1]["model_version_status"]}
            if states == {"2": "AVAILABLE", "1": "END"}:
                break
            time.sleep(POLL_SECONDS)
        time.sleep(0.5)
    assert states == {"2": "AVAILABLE", "1": "END"}
    assert load.failures == []
    assert load.ok > 20 and load.grpc_versions == {1, 2}, "requests ran before, during and after the swap"


def test_an_edited_config_file_is_read_again_at_its_poll_interval(tmp_path, tiny_savedmodel):
    """--model_config_file_poll_wait_seconds: labels move (a canary rolled back) without a restart; a broken
    edit is refused and the config before it keeps serving."""
    from utils.serving.flags import read_config_file

    for version in (1, 2):
        copy_version(tiny_savedmodel, tmp_path / "m", version)
    config_file = tmp_path / "models.config"

    def write(canary: int, policy: str = "all {}") -> None:
        config_file.write_text(
            f'model_config_list {{ config {{ name: "m" base_path: "{tmp_path / "m"}" '
            f'model_version_policy {{ {policy} }} version_labels {{ key: "canary" value: {canary} }} }} }}'
        )

    write(canary=2)
    manager = repository.ModelManager(read_config_file(str(config_file)), 0.0, str(config_file), 0.1)
    manager.load_initial()
    manager.start()
    try:
        assert manager.servable("m", label="canary").version == 2
        write(canary=1)
        deadline = time.monotonic() + 10
        while manager.servable("m", label="canary").version != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert manager.servable("m", label="canary").version == 1
        config_file.write_text("model_config_list { config { name: ")  # half-saved edit
        time.sleep(0.5)
        assert manager.servable("m", label="canary").version == 1
        write(canary=1, policy="specific { versions: 1 }")
        deadline = time.monotonic() + 10
        while set(manager.models["m"].servables) != {1} and time.monotonic() < deadline:
            time.sleep(0.1)
        assert set(manager.models["m"].servables) == {1}, "version 2 unloaded: the policy dropped it"
    finally:
        manager.stop()
