"""Latency and throughput of the model server next to the SavedModel called in-process (the limit).

    python -m utils.serving.bench --model_dir /abs/penguin/model [--seconds 3]
    python tools/bench.py --only serving --repeats 1

The course model's ``serving_raw`` signature (what a JSON client calls), one penguin or a batch of 32:
  in-process   the signature function called with tensors, in this process
  REST         POST :predict, row format, one keep-alive connection, one request after the other
  gRPC         PredictionService.Predict through the official stub, one after the other
p50/p99 in milliseconds over sequential requests; throughput (requests/s) with 8 requests in flight from an
asyncio client (aiohttp / grpc.aio) for ``seconds``. The clients run on the same machine as the server and
share its cores: on 2 cores they take a good part of the CPU the server could use.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import shutil
import statistics
import time
from pathlib import Path

import numpy as np

SINGLE, BATCH = 1, 32
CONCURRENCY = 8
PENGUIN = {
    "island": "Biscoe",
    "bill_length_mm": 39.1,
    "bill_depth_mm": 18.7,
    "flipper_length_mm": 181.0,
    "body_mass_g": 3750.0,
    "sex": "MALE",
}
TARGETS = {"added_p50_ms": 1.0, "rest_single_rps": 300.0}


def percentiles(samples: list[float]) -> dict:
    ms = np.array(samples) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "n": len(samples),
    }


def timed_calls(call, n: int, warmup: int = 30) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def instances(size: int) -> list[dict]:
    return [PENGUIN] * size


def in_process(model_dir: Path, size: int, n: int) -> dict:
    import tensorflow as tf

    signature = tf.saved_model.load(str(model_dir)).signatures["serving_raw"]
    columns = {k: [row[k] for row in instances(size)] for k in PENGUIN}
    tensors = {
        k: tf.constant(v, dtype=tf.string if isinstance(v[0], str) else tf.float32)
        for k, v in columns.items()
    }
    return percentiles(timed_calls(lambda: signature(**tensors), n))


def rest_sequential(server, size: int, n: int) -> dict:
    connection = http.client.HTTPConnection(server.ready["host"], server.ready["rest_api_port"], timeout=30)
    body = json.dumps({"signature_name": "serving_raw", "instances": instances(size)})

    def call():
        connection.request("POST", "/v1/models/penguins:predict", body)
        response = connection.getresponse()
        payload = response.read()
        if response.status != 200:
            raise RuntimeError(payload)

    try:
        return percentiles(timed_calls(call, n))
    finally:
        connection.close()


def grpc_request(size: int):
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name, request.model_spec.signature_name = "penguins", "serving_raw"
    for k in PENGUIN:
        values = [row[k] for row in instances(size)]
        request.inputs[k].CopyFrom(
            tf.make_tensor_proto(values, dtype=tf.string if k in ("island", "sex") else tf.float32)
        )
    return request


def grpc_sequential(server, size: int, n: int) -> dict:
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    request = grpc_request(size)
    with grpc.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        return percentiles(timed_calls(lambda: stub.Predict(request, timeout=30), n))


async def _rest_throughput(server, size: int, seconds: float) -> float:
    import aiohttp

    url = f"{server.rest_url}/v1/models/penguins:predict"
    body = json.dumps({"signature_name": "serving_raw", "instances": instances(size)})
    done, stop_at = 0, time.perf_counter() + seconds
    async with aiohttp.ClientSession() as session:

        async def worker():
            nonlocal done
            while time.perf_counter() < stop_at:
                async with session.post(url, data=body) as response:
                    await response.read()
                    if response.status != 200:
                        raise RuntimeError(response.status)
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - start)


async def _grpc_throughput(server, size: int, seconds: float) -> float:
    import grpc
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    request = grpc_request(size)
    done, stop_at = 0, time.perf_counter() + seconds
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)

        async def worker():
            nonlocal done
            while time.perf_counter() < stop_at:
                await stub.Predict(request, timeout=30)
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return done / (time.perf_counter() - start)


def run(model_dir: Path, workdir: Path, seconds: float = 3.0, n: int = 300) -> dict:
    """Measure everything once; returns {name: numbers}."""
    from utils.serving.process import ModelServerProcess

    base = workdir / "models" / "penguins"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(model_dir, base / "1")
    results = {
        f"in_process_{label}": in_process(model_dir, size, n)
        for label, size in (("single", SINGLE), ("batch32", BATCH))
    }
    with ModelServerProcess(
        model_name="penguins", model_base_path=base, log_path=workdir / "server.log"
    ) as server:
        for label, size in (("single", SINGLE), ("batch32", BATCH)):
            results[f"rest_{label}"] = rest_sequential(server, size, n)
            results[f"grpc_{label}"] = grpc_sequential(server, size, n)
        for label, size in (("single", SINGLE), ("batch32", BATCH)):
            results[f"rest_{label}"]["rps"] = round(asyncio.run(_rest_throughput(server, size, seconds)), 1)
            results[f"grpc_{label}"]["rps"] = round(asyncio.run(_grpc_throughput(server, size, seconds)), 1)
    base_p50 = results["in_process_single"]["p50_ms"]
    results["targets"] = {
        "rest_added_p50_ms": round(results["rest_single"]["p50_ms"] - base_p50, 3),
        "grpc_added_p50_ms": round(results["grpc_single"]["p50_ms"] - base_p50, 3),
        "added_p50_target_ms": TARGETS["added_p50_ms"],
        "rest_single_rps": results["rest_single"]["rps"],
        "rest_single_rps_target": TARGETS["rest_single_rps"],
    }
    return results


def report(results: dict) -> str:
    lines = [f"\n{'serving (serving_raw)':<24} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}"]
    for name, r in results.items():
        if "p50_ms" in r:
            rps = f"{r['rps']:.0f}" if "rps" in r else "-"
            lines.append(f"{name:<24} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {rps:>8}")
    t = results.get("targets")
    if t:
        lines.append(
            f"added p50 over in-process: REST {t['rest_added_p50_ms']:.2f} ms, gRPC "
            f"{t['grpc_added_p50_ms']:.2f} ms (target <= {t['added_p50_target_ms']:.0f} ms); REST single "
            f"{t['rest_single_rps']:.0f} req/s (target >= {t['rest_single_rps_target']:.0f})"
        )
    return "\n".join(lines)


def median_of(runs: list[dict]) -> dict:
    """Several runs -> one, each number the median over the runs."""
    if len(runs) == 1:
        return runs[0]
    return {
        name: {k: round(statistics.median(r[name][k] for r in runs), 3) for k in runs[0][name]}
        for name in runs[0]
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model_dir", required=True, type=Path, help="a SavedModel with serving_raw")
    parser.add_argument("--workdir", type=Path, default=Path("build/bench/serving"))
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args(argv)
    print(report(run(args.model_dir.resolve(), args.workdir.resolve(), args.seconds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
