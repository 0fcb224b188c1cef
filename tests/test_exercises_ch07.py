# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""Chapter 07's checks: right answers pass, typical wrong ones fail with their hint, None waits. 7.1 and 7.2
ask the shared test server (tests/serving_testing.py: penguins versions 1 and 2, stable on 1, canary on 2);
7.3's check starts a server of its own on a folder of two versions, and stops it."""

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
    assert_not_attempted(exercises.check_07_unlabelled_client(server, None))
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


def test_7_1_and_7_2_need_the_running_server(server):
    assert_wrong(exercises.check_07_rest_request(None, request()), "not running")
    assert_wrong(exercises.check_07_unlabelled_client(None, {"version": 2, "cause": "b", "fix": "a"}),
                 "not running")


def test_7_2_the_version_the_cause_and_the_fix(server):
    right = {"version": 2, "cause": "b", "fix": "a"}
    assert exercises.check_07_unlabelled_client(server, right)
    wrong = lambda answer, hint: assert_wrong(exercises.check_07_unlabelled_client(server, answer), hint)  # noqa: E731
    wrong(dict(right, version=1), "which version answered")
    wrong(dict(right, version=5), "is not loaded")
    wrong(dict(right, version="2"), "an int")
    wrong(dict(right, cause="a"), "that is what a canary is for")
    wrong(dict(right, cause="c"), "the same version answers every time")
    wrong(dict(right, cause="d"), "bit for bit")
    wrong(dict(right, fix="b"), "still the canary")
    wrong(dict(right, fix="c"), "for everyone")
    wrong(dict(right, fix="d"), "the same version as REST")
    wrong(("2", "b", "a"), "a dict")


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
