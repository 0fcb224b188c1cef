"""The REST API, wire-compatible with TF Serving's (``g3doc/api_rest.md``), on aiohttp.

Paths are matched with TF Serving's patterns (case-insensitive); every answer is JSON, errors as
``{"error": "..."}`` with TF Serving's status. Request bodies are parsed, run and encoded in a thread pool,
never on the event loop. Bodies above ``--max_request_bytes`` get 413. No request names a file: a path
only selects a model by name, a version by number and a label among those of the config.
"""

from __future__ import annotations

import asyncio
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

from aiohttp import web

from utils.serving import json_tensor, protos, request_log
from utils.serving.errors import ServingError, invalid
from utils.serving.repository import ModelManager

log = logging.getLogger("utils.serving")
_VERSION_OR_LABEL = r"(?:(?:/versions/(\d+))|(?:/labels/([^/:]+)))?"
PREDICT_PATH = re.compile(r"/v1/models/([^/:]+)" + _VERSION_OR_LABEL + r":(classify|regress|predict)", re.I)
STATUS_PATH = re.compile(r"/v1/models(?:/([^/:]+))?" + _VERSION_OR_LABEL + r"(?:/(metadata))?", re.I)
V1 = re.compile(r"/v1/.*", re.I)
MAX_INT64 = 2**63 - 1


def parse_path(match: re.Match) -> tuple[str, int | None, str | None]:
    name, version, label = match.group(1), match.group(2), match.group(3)
    if version is not None:
        if int(version) > MAX_INT64:
            raise invalid(f"Failed to convert version: {version} to numeric.")
        version = int(version)
    return unquote(name or ""), version, (unquote(label) if label is not None else None)


class RestApi:
    def __init__(self, manager: ModelManager, pool: ThreadPoolExecutor, max_request_bytes: int):
        self.manager, self.pool, self.max_request_bytes = manager, pool, max_request_bytes

    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.max_request_bytes)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        path = request.rel_url.raw_path
        try:
            if not V1.fullmatch(path):
                raise ServingError("NOT_FOUND", f"No API at {path}: the REST API is under /v1/models/")
            if request.method == "POST":
                match = PREDICT_PATH.fullmatch(path)
            elif request.method == "GET":
                match = STATUS_PATH.fullmatch(path)
            else:
                match = None
            if match is None:
                raise invalid(f"Malformed request: {request.method} {path}")
            name, version, label = parse_path(match)
            if request.method == "GET":
                work, args = self._get, (name, version, label, match.group(4))
            else:
                body = await request.read()
                work, args = self._post, (name, version, label, match.group(4).lower(), body)
            payload = await asyncio.get_running_loop().run_in_executor(self.pool, work, *args)
            return web.Response(body=payload, status=200, content_type="application/json")
        except ServingError as e:
            return error_response(e.http_status, e.message)
        except web.HTTPRequestEntityTooLarge:
            return error_response(
                413,
                f"The request body is larger than the server accepts "
                f"({self.max_request_bytes} bytes, --max_request_bytes)",
            )
        except Exception as e:  # noqa: BLE001 - a bug must not take the server down
            log.exception("REST %s %s failed", request.method, path)
            return error_response(500, f"Internal error: {type(e).__name__}: {e}")

    def _get(self, name, version, label, subresource) -> bytes:
        if not name:
            raise invalid("Missing model name in request.")
        if subresource:  # metadata
            return json_tensor.dumps(
                protos.metadata_json(protos.model_metadata(self.manager, name, version, label))
            )
        return json_tensor.dumps(protos.status_json(protos.model_status(self.manager, name, version, label)))

    def _post(self, name, version, label, method, body) -> bytes:
        if version is not None and label is not None:  # the patterns allow one or the other
            raise invalid("Both model version and model version label cannot be supplied.")
        doc = json_tensor.parse_body(body)  # TF Serving reads the body before it looks up the model
        signature_name = json_tensor.signature_name(doc)
        if method == "predict":
            servable = self.manager.servable(name, version, label)
            inputs, fmt = json_tensor.predict_inputs(
                doc, servable.input_dtypes(signature_name), signature_name
            )
            used, outputs = servable.predict(signature_name, inputs)
            request_log.log_predict(self.manager, servable, used, inputs, outputs)
            return json_tensor.dumps(json_tensor.predict_response(outputs, fmt))
        examples = json_tensor.examples_from_body(doc, method)
        servable = self.manager.servable(name, version, label)
        if method == "classify":
            _, results = servable.classify(signature_name, examples)
            return json_tensor.dumps(json_tensor.classify_response(results))
        _, values = servable.regress(signature_name, examples)
        return json_tensor.dumps(json_tensor.regress_response(values))


def error_response(status: int, message: str) -> web.Response:
    return web.Response(
        body=json_tensor.dumps({"error": message}), status=status, content_type="application/json"
    )
