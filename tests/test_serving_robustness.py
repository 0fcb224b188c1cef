# ruff: noqa: F811 - pytest fixtures imported from tests/serving_testing.py are redefined as arguments
"""The model server stays up and keeps answering: a bounded corpus of malformed requests, requests that try to
name files, the loopback-only bind, and a server that never outlives the process that started it."""

import json
import random
import subprocess
import sys
import textwrap
import time

import pytest

from tests.penguin_model import SERVING, read_penguins
from tests.serving_testing import (  # noqa: F401 - fixtures
    http,
    penguin_savedmodel,
    pid_alive,
    raw_instance,
    server,
    server_root,
    tiny_savedmodel,
)
from utils.serving import flags
from utils.tfx_modules.trainer import model_settings as settings


def malformed_corpus(seed: int = 11) -> list[tuple[str, str, bytes]]:
    """(method, path, body): broken JSON, wrong types and shapes, odd paths, binary noise. Deterministic."""
    good = json.dumps(
        {
            "signature_name": settings.RAW_SIGNATURE,
            "instances": [raw_instance(read_penguins(SERVING, every=10)[0])],
        }
    )
    rng = random.Random(seed)
    predict = "/v1/models/penguins:predict"
    corpus = [("POST", predict, good[:n].encode()) for n in range(0, len(good), max(1, len(good) // 15))]
    corpus += [
        ("POST", predict, bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))) for _ in range(15)
    ]
    for _ in range(15):  # one character of the good body changed
        i = rng.randrange(len(good))
        corpus.append(("POST", predict, (good[:i] + rng.choice('{}[]",:0a\\') + good[i + 1 :]).encode()))
    corpus += [
        ("POST", predict, body.encode())
        for body in [
            "[" * 100000 + "]" * 100000,
            '{"instances": ' + "[" * 5000 + "1" + "]" * 5000 + "}",
            '{"instances": [1e999999]}',
            '{"instances": [-0.0, 123456789012345678901234567890]}',
            '{"inputs": {"examples": [' + ",".join(['{"b64": "AAAA"}'] * 2000) + "]}}",
            '{"instances": [{"b64": "' + "A" * 10001 + '"}]}',
            '{"signature_name": null, "instances": [1]}',
            '{"instances": [{}]}',
            '{"instances": [[]]}',
            '{"inputs": {}}',
            '{"inputs": null}',
            '{"instances": [{"island": ["Biscoe", "Dream"]}]}',
            "\ufeff{}",
            '{"instances": "\\ud800"}',
            json.dumps({"signature_name": settings.RAW_SIGNATURE, "inputs": {"island": [[["x"]]]}}),
            json.dumps({"signature_name": settings.RAW_SIGNATURE, "instances": [{"island": 3}]}),
            json.dumps({"signature_name": "__saved_model_init_op", "instances": [1]}),
        ]
    ]
    corpus += [
        (method, path, b"{}")
        for method, path in [
            ("GET", "/v1/models/..%2F..%2Fetc%2Fpasswd"),
            ("GET", "/v1/models/%2Fetc%2Fpasswd/metadata"),
            ("POST", "/v1/models/..%2Fpenguins:predict"),
            ("GET", "/v1/models/penguins/labels/..%2F1"),
            ("GET", "/v1/models/penguins/versions/-1"),
            ("GET", "/v1/models/penguins/versions/1.5"),
            ("POST", "/v1/models/penguins/versions/1/labels/stable:predict"),
            ("GET", "/v1/models/" + "m" * 5000),
            ("DELETE", "/v1/models/penguins"),
            ("POST", "/v1/models/penguins"),
            ("GET", "/v1/models/penguins:predict"),
            ("POST", "/v1/models/penguins/metadata"),
            ("GET", "/"),
            ("GET", "/v1/"),
            ("POST", "/v1/models/:predict"),
        ]
    ]
    return corpus


def test_a_corpus_of_malformed_requests_gets_4xx_and_the_server_still_answers_correctly(server):
    corpus = malformed_corpus()
    assert 70 <= len(corpus) <= 150
    before = http("POST", server.rest_url + "/v1/models/penguins:predict", raw=corpus[-1][2])
    unexpected = []
    for method, path, body in corpus:
        status, answer = http(method, server.rest_url + path, raw=body if method != "GET" else None)
        if not (400 <= status < 500 and isinstance(answer.get("error"), str)):
            if not (status == 200 and method == "POST" and path.endswith(":predict")):  # a valid mutation
                unexpected.append((method, path, body[:60], status, answer))
    assert unexpected == []
    assert server.running()
    good = json.dumps(
        {
            "signature_name": settings.RAW_SIGNATURE,
            "instances": [raw_instance(read_penguins(SERVING, every=10)[0])],
        }
    ).encode()
    status, answer = http("POST", server.rest_url + "/v1/models/penguins:predict", raw=good)
    assert status == 200 and len(answer["predictions"][0][settings.PROBABILITIES]) == 3
    assert http("GET", server.rest_url + "/v1/models/penguins")[0] == 200
    assert before[0] == 400


def test_no_request_reaches_a_file_outside_the_configured_folders(server):
    for path in ("/v1/models/..%2F..%2Fetc/metadata", "/v1/models/%2Ftmp/metadata"):
        status, answer = http("GET", server.rest_url + path)
        assert status == 404 and "Servable not found" in answer["error"]


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.0.2.1"])
def test_the_server_refuses_an_address_beyond_loopback_unless_asked(tmp_path, address):
    command = [
        sys.executable,
        "-m",
        "utils.serving",
        f"--bind_address={address}",
        f"--model_base_path={tmp_path}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--allow_non_loopback" in result.stderr and "MODEL_SERVER_READY" not in result.stdout
    assert (
        flags.parse(
            [f"--bind_address={address}", "--allow_non_loopback", f"--model_base_path={tmp_path}"]
        ).bind_address
        == address
    )


def test_loopback_addresses_are_accepted_by_default(tmp_path):
    for address in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        assert (
            flags.parse([f"--bind_address={address}", f"--model_base_path={tmp_path}"]).bind_address
            == address
        )


@pytest.mark.parametrize(
    "argv, words",
    [
        ([], "say what to serve"),
        (["--model_base_path=relative/folder"], "absolute path"),
        (["--model_base_path=/m", "--port=8500", "--rest_api_port=8500"], "two ports"),
        (["--model_base_path=/m", "--port=70000"], "not a port number"),
        (["--model_config_file=/no/such/file"], "cannot read"),
    ],
)
def test_bad_command_lines_say_what_to_change(argv, words):
    with pytest.raises(flags.FlagError, match=words):
        flags.parse(argv)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "model_config_list { config { name: 'a' base_path: '/a' } config { name: 'a' base_path: '/b' } }",
            "more than once",
        ),
        (
            "model_config_list { config { name: 'a' base_path: '/a' model_platform: 'pytorch' } }",
            "model_platform",
        ),
        (
            "model_config_list { config { name: 'a' base_path: '/a' "
            "model_version_policy { specific { } } } }",
            "names no version",
        ),
        ("model_config_list { config { nme: 'a' } }", "not a text-format ModelServerConfig"),
        ("custom_model_config { }", "model_config_list"),
    ],
)
def test_bad_model_config_files_say_what_to_change(text, words):
    with pytest.raises(flags.FlagError, match=words):
        flags.parse_config(text)


def test_the_server_stops_when_the_process_that_started_it_dies(tmp_path, tiny_savedmodel):
    """As when a notebook's kernel dies without stopping it: --parent_pid makes it exit by itself."""
    (tmp_path / "1").symlink_to(tiny_savedmodel, target_is_directory=True)
    starter = textwrap.dedent(f"""
        import sys, time
        from utils.serving.process import ModelServerProcess
        server = ModelServerProcess(model_name="tiny", model_base_path={str(tmp_path)!r}).start()
        print(server.process.pid, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", starter], stdout=subprocess.PIPE, text=True)
    try:
        server_pid = int(parent.stdout.readline())
        assert pid_alive(server_pid)
    finally:
        parent.kill()
        parent.wait()
    deadline = time.monotonic() + 20
    while pid_alive(server_pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_alive(server_pid), "the server outlived its parent"
