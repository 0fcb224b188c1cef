"""Start the model server: load the models, open the gRPC and REST ports, announce them, serve until told
to stop (SIGTERM, SIGINT, or the end of ``--parent_pid``)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from concurrent.futures import ThreadPoolExecutor

import grpc
from aiohttp import web

from utils.serving import grpc_service
from utils.serving.flags import READY_PREFIX, Options
from utils.serving.repository import ModelManager
from utils.serving.rest import RestApi

log = logging.getLogger("utils.serving")


class StartError(RuntimeError):
    """A port that cannot be bound; the message says which and what to do."""


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def parent_gone(pid: int | None) -> bool:
    if pid is None:
        return False
    if os.getppid() != pid:  # re-parented: the parent exited
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass
    return False


async def start_grpc(options: Options, manager: ModelManager, pool: ThreadPoolExecutor) -> tuple:
    """gRPC on the event loop (grpc.aio); the servicers run the models in ``pool``."""
    limits = [("grpc.max_receive_message_length", options.max_request_bytes), ("grpc.so_reuseport", 0)]
    server = grpc.aio.server(options=limits)
    grpc_service.add_services(server, manager, pool)
    try:
        port = server.add_insecure_port(_address(options.bind_address, options.grpc_port))
    except RuntimeError:
        port = 0
    if not port:
        raise StartError(
            f"cannot listen for gRPC on {_address(options.bind_address, options.grpc_port)}: "
            "the port is taken? choose another --port (0: any free port)"
        )
    await server.start()
    return server, port


async def serve(options: Options) -> None:
    manager = ModelManager(
        options.config,
        options.file_system_poll_wait_seconds,
        options.model_config_file,
        options.model_config_file_poll_wait_seconds,
    )
    manager.load_initial()
    pool = ThreadPoolExecutor(options.rest_api_num_threads, thread_name_prefix="model")
    grpc_server, grpc_port = await start_grpc(options, manager, pool)
    runner = web.AppRunner(
        RestApi(manager, pool, options.max_request_bytes).app(), access_log=None, handle_signals=False
    )
    await runner.setup()
    site = web.TCPSite(runner, options.bind_address, options.rest_api_port, reuse_port=False)
    try:
        await site.start()
    except OSError as e:
        await grpc_server.stop(0)
        raise StartError(
            f"cannot listen for REST on {_address(options.bind_address, options.rest_api_port)}: "
            f"{e.strerror}; choose another --rest_api_port (0: any free port)"
        ) from None
    rest_port = site._server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    def tick() -> None:
        if parent_gone(options.parent_pid):
            log.info("parent process %s is gone: stopping", options.parent_pid)
            loop.call_soon_threadsafe(stop.set)

    manager.start(on_tick=tick)
    for name, model in manager.models.items():
        log.info(
            "model %s: serving versions %s from %s", name, sorted(model.servables), model.config.base_path
        )
    log.info(
        "gRPC on %s, REST on %s",
        _address(options.bind_address, grpc_port),
        _address(options.bind_address, rest_port),
    )
    ready = {
        "host": options.bind_address,
        "grpc_port": grpc_port,
        "rest_api_port": rest_port,
        "pid": os.getpid(),
    }
    print(READY_PREFIX + json.dumps(ready), flush=True)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await runner.cleanup()
        await grpc_server.stop(grace=1)
        manager.stop()
        pool.shutdown(wait=False, cancel_futures=True)


def main(options: Options) -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s model_server: %(message)s"
    )
    try:
        asyncio.run(serve(options))
    except StartError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0
