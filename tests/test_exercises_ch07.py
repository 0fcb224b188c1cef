# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""Chapter 07's checks: right answers pass, typical wrong ones fail with their hint, None waits. 7.1 asks
the shared test server (tests/serving_testing.py: penguins versions 1 and 2, stable on 1, canary on 2); 7.2
reads latency tables written here; 7.3's check starts a server of its own on a folder of two versions, and
stops it."""

import pandas as pd
import pytest

from tests.exercise_testing import assert_not_attempted, assert_wrong
from tests.serving_testing import copy_version, penguin_savedmodel, pid_alive, server, tiny_savedmodel  # noqa: F401
from utils import exercises
from utils.exercises import ch07

pytestmark = pytest.mark.model_server  # starts model servers: runs beside them in tools/test.sh

RIGHT_BODY = {"signature_name": "serving_raw", "instances": [dict(ch07.FIELD_PENGUIN, sex="")]}


def request(body=None, path="/v1/models/penguins:predict"):
    return {"path": path, "json": RIGHT_BODY if body is None else body}


def test_none_means_not_attempted(capsys, server):
    assert_not_attempted(exercises.check_07_rest_request(server, None))
    assert_not_attempted(exercises.check_07_choose_calls(latency_table(), None))
    assert_not_attempted(exercises.check_07_safety_net(None, "/x", 2, 1))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_7_1_the_request_rows_or_columns_by_any_route(server):
    assert exercises.check_07_rest_request(server, request())
    values = {name: ["" if value is None else value] for name, value in ch07.FIELD_PENGUIN.items()}
    columns = {"signature_name": "serving_raw", "inputs": values}
    assert exercises.check_07_rest_request(server, request(columns))
    assert exercises.check_07_rest_request(server, request(path="/v1/models/penguins/labels/stable:predict"))


def test_7_1_typical_wrong_requests_get_their_hint(server):
    row = RIGHT_BODY["instances"][0]

    def wrong(answer, hint):
        assert_wrong(exercises.check_07_rest_request(server, answer), hint)

    wrong(request({"instances": [row]}), "without \"signature_name\"")
    without_sex = {k: v for k, v in row.items() if k != "sex"}
    wrong(request({"signature_name": "serving_raw", "instances": [without_sex]}), "the missing sex too")
    wrong(request({"signature_name": "serving_raw", "instances": [dict(row, sex="unknown")]}), "never saw")
    wrong(request({"signature_name": "serving_raw", "instances": [dict(row, sex=None)]}), "never saw")
    wrong(request({"signature_name": "serving_raw", "instances": [dict(row, body_mass_g="3550")]}),
          "not a string")
    wrong(request(path="/v1/models/penguins:classify"), "classification")
    wrong(request(path="/v1/models/penguin:predict"), "the model's name")
    wrong(request(path="/v1/models/penguins/versions/7:predict"), "answered 404")
    wrong(request({"signature_name": "serving_raw", "instances": [dict(row, island="Biscoe")]}),
          "compare your values")
    wrong(request({"signature_name": "serving_raw", "instances": [dict(row, body_mass_g=3505.0)]}),
          "compare your values")
    wrong(request({"signature_name": "serving_raw", "instances": [row, row]}), "one penguin, not 2")
    wrong(request({"signature_name": "serving_raw", "instances": row}), "a list with one object")
    wrong(request({"signature_name": "serving_raw"}), "\"instances\"")
    wrong(RIGHT_BODY, "a dict")


def test_7_1_needs_the_running_server():
    assert_wrong(exercises.check_07_rest_request(None, request()), "not running")


def latency_table(rest_1=1.5, rest_32=2.1, grpc_1=1.4, grpc_32=1.7, p99_factor=3.0):
    """Section 8's table as a test writes it: p50 per row, p99 a few times more."""
    p50 = {"REST, 1": rest_1, "gRPC, 1": grpc_1, "REST, 32": rest_32, "gRPC, 32": grpc_32}
    return pd.DataFrame({"p50 (ms)": p50, "p99 (ms)": {k: v * p99_factor for k, v in p50.items()}})


RIGHT_CHOICES = {"field": ("gRPC", 1), "archive": ("gRPC", 32), "browser": ("REST", 1),
                 "archive_seconds": 5.3}


def test_7_2_choices_that_meet_the_needs_by_the_measured_numbers():
    table = latency_table()
    assert exercises.check_07_choose_calls(table, RIGHT_CHOICES)
    rest = dict(RIGHT_CHOICES, field=("REST", 1), archive=("REST", 32), archive_seconds=6.6)
    assert exercises.check_07_choose_calls(table, rest)
    assert ch07.archive_seconds(table, "REST", 32) == pytest.approx(3125 * 2.1 / 1000)
    fast = latency_table(rest_1=0.5)  # a machine where one penguin per request is fast enough
    assert exercises.check_07_choose_calls(fast, dict(rest, archive=("REST", 1), archive_seconds=50))


def test_7_2_typical_wrong_choices_get_their_hint():
    table = latency_table()

    def wrong(answer, hint, latency=table):
        assert_wrong(exercises.check_07_choose_calls(latency, answer), hint)

    wrong(dict(RIGHT_CHOICES, field=("gRPC", 32)), "nothing to put in a batch")
    wrong(RIGHT_CHOICES, "which row of the table stays under it", latency_table(grpc_1=20.0))
    wrong(dict(RIGHT_CHOICES, archive=("REST", 1), archive_seconds=150), "paid per request")
    wrong(dict(RIGHT_CHOICES, archive_seconds=100), "far from what your table says")
    wrong(dict(RIGHT_CHOICES, archive_seconds="5 s"), "a number")
    wrong(dict(RIGHT_CHOICES, browser=("gRPC", 1)), "gRPC-Web")
    wrong(dict(RIGHT_CHOICES, field=("HTTP", 1)), "the protocol one of")
    wrong(dict(RIGHT_CHOICES, field=("gRPC", 16)), "the size one of")
    wrong({"field": ("gRPC", 1)}, "with the keys")
    wrong(RIGHT_CHOICES, "no row 'gRPC, 32'", latency_table().drop(index="gRPC, 32"))


def config(base, policy="specific { versions: 1 versions: 2 }", labels=(("stable", 2), ("previous", 1)),
           name="penguins"):
    policy_line = f"    model_version_policy {{ {policy} }}\n" if policy else ""
    label_lines = "".join(f'    version_labels {{ key: "{k}" value: {v} }}\n' for k, v in labels)
    return (f'model_config_list {{\n  config {{\n    name: "{name}"\n    base_path: "{base}"\n'
            f'    model_platform: "tensorflow"\n{policy_line}{label_lines}  }}\n}}\n')


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory, penguin_savedmodel):
    base = tmp_path_factory.mktemp("exercise_7_3") / "penguins"
    for version in (1, 2):
        copy_version(penguin_savedmodel, base, version)
    return base


def test_7_3_the_safety_net_passes_on_a_server_the_check_starts_and_stops(two_versions, monkeypatch):
    started = []
    from utils.serving import process

    original = process.ModelServerProcess.start

    def recording_start(self):
        started.append(self)
        return original(self)

    monkeypatch.setattr(process.ModelServerProcess, "start", recording_start)
    assert exercises.check_07_safety_net(config(two_versions), two_versions, promoted=2, previous=1)
    [checked] = started
    assert not checked.running() and not pid_alive(checked.process.pid), "the check stops its server"


def test_7_3_typical_wrong_configs_get_their_hint(two_versions):
    def wrong(text, hint):
        assert_wrong(exercises.check_07_safety_net(text, two_versions, promoted=2, previous=1), hint)

    wrong(config(two_versions, policy=""), "latest 1")
    wrong(config(two_versions, policy="latest { num_versions: 2 }"), "the next push")
    wrong(config(two_versions, policy="all {}"), "every version pushed later")
    wrong(config(two_versions, policy="specific { versions: 2 }"), "exactly the two labelled versions")
    wrong(config(two_versions, labels=(("stable", 1), ("previous", 2))), "stable is the version being")
    wrong(config(two_versions, labels=(("stable", 2), ("canary", 1))), "the label previous keeps 1")
    wrong(config(two_versions, name="penguins_v2"), 'ask for the model "penguins"')
    wrong(config(two_versions / "2"), "not one of them")
    wrong(config("serving/penguins"), "absolute path")
    wrong("model_config_list { config { name: penguins } }", "not a text-format ModelServerConfig")
    wrong(42, "a str")
