"""Command-line flags, named as ``tensorflow_model_server`` names them, and the models to serve.

Only the protos are imported here (no TensorFlow), so a bad command line fails in a fraction of a second.
Differences from ``tensorflow_model_server``, all on purpose:
  * the server binds to 127.0.0.1 and refuses any address beyond loopback unless ``--allow_non_loopback``
    (TF Serving listens on every interface);
  * port 0 asks the operating system for a free port (TF Serving: 0 switches the REST API off); the ports
    bound are announced on stdout in one machine-readable line (see ``READY_PREFIX``);
  * ``--file_system_poll_wait_seconds`` accepts fractions of a second;
  * a version label may name a version that is not loaded (yet): requests through it get NOT_FOUND until it
    is (TF Serving refuses such a config unless --allow_version_labels_for_unavailable_models).
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import os
import socket

from google.protobuf import text_format
from tensorflow_serving.config import model_server_config_pb2

READY_PREFIX = "MODEL_SERVER_READY "  # followed by a JSON object: host, grpc_port, rest_api_port, pid
LOOPBACK = "127.0.0.1"


class FlagError(ValueError):
    """A command line or model config file the server cannot run with; the message says what to change."""


@dataclasses.dataclass(frozen=True)
class Options:
    grpc_port: int
    rest_api_port: int
    bind_address: str
    config: model_server_config_pb2.ModelServerConfig
    model_config_file: str | None
    model_config_file_poll_wait_seconds: float
    file_system_poll_wait_seconds: float
    rest_api_num_threads: int
    max_request_bytes: int
    parent_pid: int | None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m utils.serving",
        description="A model server that speaks TF Serving's REST and gRPC APIs (the course's stand-in for "
        "tensorflow_model_server).",
    )
    p.add_argument("--port", type=int, default=8500, help="gRPC port (0: any free port)")
    p.add_argument("--rest_api_port", type=int, default=8501, help="REST port (0: any free port)")
    p.add_argument(
        "--model_name", default="default", help="name of the model (ignored with --model_config_file)"
    )
    p.add_argument(
        "--model_base_path",
        default="",
        help="absolute path of a folder of numbered versions (ignored with --model_config_file)",
    )
    p.add_argument(
        "--model_config_file",
        default="",
        help="text-format ModelServerConfig: several models, version policies, version labels",
    )
    p.add_argument(
        "--model_config_file_poll_wait_seconds",
        type=float,
        default=0.0,
        help="seconds between re-reads of --model_config_file (0: read once)",
    )
    p.add_argument(
        "--file_system_poll_wait_seconds",
        type=float,
        default=1.0,
        help="seconds between polls of the model folders for new versions (0: poll once)",
    )
    p.add_argument(
        "--rest_api_num_threads",
        type=int,
        default=max(2, os.cpu_count() or 2),
        help="threads that run the models for requests",
    )
    p.add_argument("--bind_address", default=LOOPBACK, help="address to listen on (default: loopback only)")
    p.add_argument(
        "--allow_non_loopback",
        action="store_true",
        help="allow a --bind_address other machines can reach (the server has no authentication)",
    )
    p.add_argument(
        "--max_request_bytes",
        type=int,
        default=8 * 1024 * 1024,
        help="largest request body accepted (REST and gRPC)",
    )
    p.add_argument(
        "--parent_pid",
        type=int,
        default=None,
        help="exit when this process is gone (a notebook's kernel that started the server)",
    )
    return p


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:  # a host name: loopback only if every address it resolves to is
        try:
            infos = socket.getaddrinfo(address, None)
        except socket.gaierror:
            return False
        return bool(infos) and all(ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def parse(argv: list[str] | None = None) -> Options:
    """Flags -> Options; raises FlagError with what to change."""
    args = parser().parse_args(argv)
    if not is_loopback(args.bind_address) and not args.allow_non_loopback:
        raise FlagError(
            f"--bind_address={args.bind_address} is reachable from other machines, and this server has no "
            "authentication: bind to 127.0.0.1 (the default), or pass --allow_non_loopback if you mean it."
        )
    for flag in ("port", "rest_api_port"):
        if not 0 <= getattr(args, flag) <= 65535:
            raise FlagError(
                f"--{flag}={getattr(args, flag)} is not a port number (0-65535; 0: any free port)"
            )
    if args.port and args.port == args.rest_api_port:
        raise FlagError(f"--port and --rest_api_port are both {args.port}: gRPC and REST need two ports")
    if args.rest_api_num_threads < 1 or args.max_request_bytes < 1024:
        raise FlagError("--rest_api_num_threads must be >= 1 and --max_request_bytes >= 1024")
    if args.model_config_file:
        config = read_config_file(args.model_config_file)
    elif args.model_base_path:
        config = single_model_config(args.model_name, args.model_base_path)
    else:
        raise FlagError(
            "say what to serve: --model_base_path=/absolute/folder/of/versions (and --model_name), "
            "or --model_config_file=models.config"
        )
    return Options(
        grpc_port=args.port,
        rest_api_port=args.rest_api_port,
        bind_address=args.bind_address,
        config=config,
        model_config_file=args.model_config_file or None,
        model_config_file_poll_wait_seconds=args.model_config_file_poll_wait_seconds,
        file_system_poll_wait_seconds=args.file_system_poll_wait_seconds,
        rest_api_num_threads=args.rest_api_num_threads,
        max_request_bytes=args.max_request_bytes,
        parent_pid=args.parent_pid,
    )


def single_model_config(name: str, base_path: str) -> model_server_config_pb2.ModelServerConfig:
    config = model_server_config_pb2.ModelServerConfig()
    model = config.model_config_list.config.add()
    model.name, model.base_path, model.model_platform = name, base_path, "tensorflow"
    validate(config)
    return config


def read_config_file(path: str) -> model_server_config_pb2.ModelServerConfig:
    try:
        with open(path) as f:
            text = f.read()
    except OSError as e:
        raise FlagError(f"cannot read --model_config_file={path}: {e.strerror}") from None
    return parse_config(text, path)


def parse_config(text: str, where: str = "model config") -> model_server_config_pb2.ModelServerConfig:
    config = model_server_config_pb2.ModelServerConfig()
    try:
        text_format.Parse(text, config)
    except text_format.ParseError as e:
        raise FlagError(f"{where} is not a text-format ModelServerConfig: {e}") from None
    validate(config)
    return config


def validate(config: model_server_config_pb2.ModelServerConfig) -> None:
    """What TF Serving's ServerCore checks, with messages that say what to change."""
    if config.WhichOneof("config") != "model_config_list":
        raise FlagError("the config must hold a model_config_list { config { name: ... base_path: ... } }")
    names = set()
    for model in config.model_config_list.config:
        if not model.name:
            raise FlagError("a model in the config has no name")
        if model.name in names:
            raise FlagError(f"model {model.name!r} is listed more than once in the config")
        names.add(model.name)
        if not model.base_path or not os.path.isabs(model.base_path):
            raise FlagError(
                f"model {model.name!r}: base_path must be an absolute path (TF Serving requires "
                f"it too); got {model.base_path!r}"
            )
        if model.model_platform not in ("", "tensorflow"):
            raise FlagError(
                f'model {model.name!r}: only model_platform "tensorflow" is served; got '
                f"{model.model_platform!r}"
            )
        policy = model.model_version_policy
        if policy.WhichOneof("policy_choice") == "latest" and policy.latest.num_versions < 0:
            raise FlagError(f"model {model.name!r}: latest {{ num_versions }} must be >= 1")
        if policy.WhichOneof("policy_choice") == "specific" and not policy.specific.versions:
            raise FlagError(f"model {model.name!r}: specific {{ versions: N }} names no version")
