"""Checks for chapter 07 (the model server).

7.1 sends the student's REST request to the chapter's running server and compares the answer with the one a
right request gets (sections 3 and 4 showed that the server answers as the SavedModel in-process). 7.2
judges the choices of protocol and batch size by the latencies the student measured in section 8. 7.3 reads
the student's model config, then starts a server on it (and stops it) to see the labels answer.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import requests

from utils.exercises.common import NOT_ATTEMPTED, ExerciseError, exercise_check, require
from utils.tfx_modules.trainer import model_settings

CHAPTER = "07_model_server"
MODEL = "penguins"

# Exercise 7.1: a penguin measured in the field; nobody recorded its sex.
FIELD_PENGUIN = {"island": "Dream", "bill_length_mm": 50.9, "bill_depth_mm": 19.1,
                 "flipper_length_mm": 196.0, "body_mass_g": 3550.0, "sex": None}

# Exercise 7.2: three clients and what each needs; the check judges the choices by the measured latencies.
FIELD_P99_MS = 50.0  # the field app: one penguin as it is measured, an answer within 50 ms in 99 % of cases
ARCHIVE_PENGUINS, ARCHIVE_SECONDS = 100_000, 60.0  # the archive job: one request after the other
PROTOCOLS, SIZES = ("REST", "gRPC"), (1, 32)
CLIENTS = {
    "field": f"a field app sends each penguin as it is measured; the answer must come within "
             f"{FIELD_P99_MS:.0f} ms in 99 requests of 100",
    "archive": f"a job scores {ARCHIVE_PENGUINS:,} archived penguins, one request after the other, and must "
               f"finish within {ARCHIVE_SECONDS:.0f} s",
    "browser": "a web page calls the server straight from the user's browser, with the browser's fetch()",
}


def _right_body() -> dict:
    instance = {name: (model_settings.MISSING_STRING if value is None else value)
                for name, value in FIELD_PENGUIN.items()}
    return {"signature_name": model_settings.RAW_SIGNATURE, "instances": [instance]}


def _one_row(body: dict) -> dict:
    """The one penguin of a row-format (instances) or columnar (inputs) body, as {feature: value}."""
    if "instances" in body:
        rows = body["instances"]
        require(isinstance(rows, list) and all(isinstance(r, dict) for r in rows),
                '"instances" is a list with one object per penguin: [{"island": ..., ...}]')
        require(len(rows) == 1, f"send one penguin, not {len(rows)}")
        return rows[0]
    columns = body.get("inputs")
    require(isinstance(columns, dict), 'the body holds the penguin under "instances" (a list of rows) or '
            '"inputs" (one list per feature)')
    require(all(isinstance(v, list) and len(v) == 1 for v in columns.values()),
            '"inputs" holds one list per feature, each with the one penguin\'s value')
    return {name: values[0] for name, values in columns.items()}


@exercise_check("7.1", CHAPTER)
def check_07_rest_request(server, answer):
    """7.1: ``answer`` = {"path": "/v1/models/penguins...:predict", "json": body} for FIELD_PENGUIN."""
    if answer is None:
        return NOT_ATTEMPTED
    require(server is not None and server.running(), "the chapter's server is not running: run the cells of "
            "section 6 that start it, then this check again")
    require(isinstance(answer, dict) and set(answer) == {"path", "json"},
            'answer with a dict {"path": "/v1/models/...", "json": the request body as a dict}')
    path, body = answer["path"], answer["json"]
    require(isinstance(path, str) and path.startswith(f"/v1/models/{MODEL}"),
            f'"path" starts with /v1/models/{MODEL}: the REST API, then the model\'s name')
    require(path.endswith(":predict"), '"path" ends with :predict (a POST); :classify needs a classification '
            "signature, which this model does not have (section 3)")
    require(isinstance(body, dict),
            '"json" is the body as a dict: {"signature_name": ..., "instances": [...]}')
    row = _one_row(body)
    require(body.get("signature_name") == model_settings.RAW_SIGNATURE,
            f'named features go to the signature "{model_settings.RAW_SIGNATURE}": without "signature_name" '
            "the server calls serving_default, which takes serialized tf.Examples")
    require(set(row) >= set(FIELD_PENGUIN), "send every input of serving_raw, the missing sex too "
            f"(missing: {sorted(set(FIELD_PENGUIN) - set(row))})")
    require(row["sex"] == model_settings.MISSING_STRING, 'an unknown sex is sent as "" (the model\'s missing '
            f"string), not {row['sex']!r}: null is refused, and any other word is a sex the model never saw")
    for name, value in FIELD_PENGUIN.items():
        if isinstance(value, float):
            require(isinstance(row[name], (int, float)) and not isinstance(row[name], bool),
                    f"{name} is the number {value}, not a string: JSON numbers for the float inputs")
            require(math.isclose(row[name], value), f"{name}: compare your values with the penguin above "
                    f"({value}, not {row[name]})")
        elif value is not None:
            require(row[name] == value, f"{name}: compare your values with the penguin above ({value!r}, "
                    f"not {row[name]!r})")
    response = requests.post(server.rest_url + path, json=body, timeout=30)
    require(response.status_code == 200, f"the server answered {response.status_code}: "
            f"{response.json().get('error', response.text)[:300]}")
    got = response.json()
    prediction = (got["predictions"][0] if "predictions" in got
                  else {name: values[0] for name, values in got["outputs"].items()})
    expected = requests.post(server.rest_url + path, json=_right_body(), timeout=30)  # the same route
    want = expected.json()["predictions"][0]
    require(prediction.get("classes") == want["classes"], f"the server says {prediction.get('classes')!r}, "
            f"a right request gets {want['classes']!r}: compare your values with the penguin above")
    return (f"the server says {want['classes']} (probability {max(want['probabilities']):.2f}) for the "
            "penguin without a recorded sex")


def _row(latency, protocol: str, size: int):
    name = f"{protocol}, {size}"
    require(name in latency.index, f"the latency table has no row {name!r}: run section 8 first")
    return latency.loc[name]


def archive_seconds(latency, protocol: str, size: int) -> float:
    """How long the archive job takes, one request after the other, at the measured p50."""
    return math.ceil(ARCHIVE_PENGUINS / size) * _row(latency, protocol, size)["p50 (ms)"] / 1000


@exercise_check("7.2", CHAPTER)
def check_07_choose_calls(latency, answer):
    """7.2: ``answer`` = {"field": (protocol, size), "archive": (protocol, size), "browser": (protocol,
    size), "archive_seconds": estimate}; ``latency``: section 8's table (rows "REST, 1" ... "gRPC, 32")."""
    if answer is None:
        return NOT_ATTEMPTED
    require(isinstance(answer, dict) and set(answer) == {*CLIENTS, "archive_seconds"},
            f'answer with a dict with the keys {sorted(CLIENTS)} (each a (protocol, penguins per request) '
            'pair) and "archive_seconds"')
    for client in CLIENTS:
        choice = answer[client]
        require(isinstance(choice, tuple) and len(choice) == 2 and choice[0] in PROTOCOLS
                and choice[1] in SIZES, f'"{client}": a pair (protocol, penguins per request), the protocol '
                f"one of {PROTOCOLS}, the size one of {SIZES} (the rows of section 8's table)")
    protocol, size = answer["field"]
    require(size == 1, '"field": the app has one penguin at a time, and a user waiting for it: there is '
            "nothing to put in a batch")
    p99 = _row(latency, protocol, 1)["p99 (ms)"]
    require(p99 <= FIELD_P99_MS, f'"field": {protocol} took {p99:.1f} ms at p99 in your measurement, over '
            f"{FIELD_P99_MS:.0f} ms; which row of the table stays under it?")
    protocol, size = answer["archive"]
    seconds = archive_seconds(latency, protocol, size)
    require(seconds <= ARCHIVE_SECONDS, f'"archive": {ARCHIVE_PENGUINS:,} penguins, {size} per request, at '
            f"{_row(latency, protocol, size)['p50 (ms)']:.2f} ms a request, take {seconds:.0f} s, over "
            f"{ARCHIVE_SECONDS:.0f} s: the server's price is paid per request")
    estimate = answer["archive_seconds"]
    require(isinstance(estimate, (int, float)) and not isinstance(estimate, bool) and estimate > 0,
            '"archive_seconds": your estimate of the archive job\'s time, in seconds (a number)')
    require(abs(estimate - seconds) <= 0.25 * seconds,
            f'"archive_seconds": {estimate:g} s is far from what your table says for {size} per request over '
            f"{protocol}: (penguins / penguins per request) requests x the p50 of that row")
    protocol, size = answer["browser"]
    require(protocol == "REST", '"browser": a page\'s fetch() speaks HTTP and JSON; gRPC needs HTTP/2 '
            "framing and trailers that a page cannot use, so a browser reaches a gRPC server only through a "
            "proxy (gRPC-Web): REST")
    return (f"the field app gets its answer within {p99:.1f} ms at p99, the archive takes about "
            f"{seconds:.0f} s in batches, and the browser speaks REST")


def _config(text):
    from tensorflow_serving.config import model_server_config_pb2

    from utils.serving.flags import FlagError, parse_config

    require(isinstance(text, str), "answer with the config's text (a str), as the file holds it")
    try:
        return parse_config(text, "your config")
    except FlagError as error:
        raise ExerciseError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - e.g. a proto parse error of another kind
        name = model_server_config_pb2.ModelServerConfig.__name__
        raise ExerciseError(f"your config does not parse as a {name}: {error}") from None


@exercise_check("7.3", CHAPTER)
def check_07_safety_net(config_text, base_path, promoted: int, previous: int):
    """7.3: a config that serves ``promoted`` as stable and keeps ``previous`` loaded under the label
    previous, whatever is pushed next; a server is started on it (and stopped) to see the labels answer."""
    if config_text is None:
        return NOT_ATTEMPTED
    config = _config(config_text)
    models = list(config.model_config_list.config)
    require(len(models) == 1, f"serve one model, {MODEL}; your config lists {len(models)}")
    [model] = models
    require(model.name == MODEL, f'the clients ask for the model "{MODEL}", not "{model.name}"')
    require(Path(model.base_path) == Path(base_path), f"base_path is the folder of versions, {base_path} "
            "(the folder that holds the numbered folders, not one of them)")
    labels = dict(model.version_labels)
    require(labels.get("stable") == promoted, f"stable is the version being promoted, {promoted}; yours "
            f"points to {labels.get('stable')}")
    require(labels.get("previous") == previous, f"the label previous keeps {previous}, the version that was "
            f"stable, one label change away; yours points to {labels.get('previous')}")
    policy = model.model_version_policy.WhichOneof("policy_choice")
    hints = {None: "without a policy the server loads the newest version only (latest 1): "
                   f"{previous} would not be loaded, and its label would answer 404",
             "latest": "latest { num_versions: 2 } serves both today, but after the next push the newest "
                       f"two are {promoted} and the new version, so {previous}, the safety net, is unloaded: "
                       "name the versions",
             "all": "all {} loads every version of the folder, and every version pushed later too: name "
                    "the two versions"}
    require(policy == "specific", hints.get(policy, "name the versions: specific { versions: ... }"))
    require(set(model.model_version_policy.specific.versions) == {promoted, previous},
            f"the specific policy serves exactly the two labelled versions, {previous} and {promoted}")
    from utils.serving.process import ModelServerProcess

    with tempfile.TemporaryDirectory(prefix="exercise_7_3_") as folder:
        config_file = Path(folder) / "models.config"
        config_file.write_text(config_text)
        log = Path(folder) / "server.log"
        with ModelServerProcess(model_config_file=config_file, log_path=log) as server:
            answered = {}
            for label in ("stable", "previous"):
                status = requests.get(f"{server.rest_url}/v1/models/{MODEL}/labels/{label}", timeout=30)
                require(status.status_code == 200, f"the server on your config answers {status.status_code} "
                        f"for the label {label}: {status.json().get('error')}")
                [entry] = status.json()["model_version_status"]
                answered[label] = (int(entry["version"]), entry["state"])
    require(answered == {"stable": (promoted, "AVAILABLE"), "previous": (previous, "AVAILABLE")},
            f"a server started on your config says {answered}")
    return (f"a server on your config serves {promoted} as stable and keeps {previous} loaded as previous; "
            "a roll-back is one label change, and a new push changes nothing until you name it")
