"""Status and metadata answers as TF Serving's protos (shared by the REST and gRPC APIs)."""

from __future__ import annotations

from google.protobuf import json_format
from tensorflow_serving.apis import get_model_metadata_pb2, get_model_status_pb2, model_pb2

from utils.serving.errors import invalid
from utils.serving.repository import ModelManager

SIGNATURE_DEF_FIELD = "signature_def"


def spec_version(spec: model_pb2.ModelSpec) -> tuple[int | None, str | None]:
    choice = spec.WhichOneof("version_choice")
    return (
        spec.version.value if choice == "version" else None,
        spec.version_label if choice == "version_label" else None,
    )


def model_status(manager: ModelManager, name: str, version=None, label=None):
    response = get_model_status_pb2.GetModelStatusResponse()
    for status in manager.status(name, version, label):
        entry = response.model_version_status.add()
        entry.version = status.version
        entry.state = get_model_status_pb2.ModelVersionStatus.State.Value(status.state)
        entry.status.error_code = status_code_value(status.error_code)
        entry.status.error_message = status.error_message
    return response


def status_code_value(code: str) -> int:
    from tensorflow.core.protobuf import error_codes_pb2

    return error_codes_pb2.Code.Value(code)


def model_metadata(manager: ModelManager, name: str, version=None, label=None, fields=(SIGNATURE_DEF_FIELD,)):
    if not fields:
        raise invalid("GetModelMetadataRequest must specify at least one metadata_field")
    for field in fields:
        if field != SIGNATURE_DEF_FIELD:
            raise invalid(f"Metadata field {field} is not supported")
    servable = manager.servable(name, version, label)
    response = get_model_metadata_pb2.GetModelMetadataResponse()
    response.model_spec.name = name
    response.model_spec.version.value = servable.version
    signatures = get_model_metadata_pb2.SignatureDefMap()
    for key, signature in servable.signature_defs.items():
        signatures.signature_def[key].CopyFrom(signature)
    response.metadata[SIGNATURE_DEF_FIELD].Pack(signatures)
    return response


def status_json(response) -> dict:
    return json_format.MessageToDict(response, including_default_value_fields=True)


def metadata_json(response) -> dict:
    """As TF Serving writes it: field names as in the protos, defaults included."""
    options = {"including_default_value_fields": True, "preserving_proto_field_name": True}
    signatures = get_model_metadata_pb2.SignatureDefMap()
    response.metadata[SIGNATURE_DEF_FIELD].Unpack(signatures)
    return {
        "model_spec": json_format.MessageToDict(response.model_spec, **options),
        "metadata": {SIGNATURE_DEF_FIELD: json_format.MessageToDict(signatures, **options)},
    }
