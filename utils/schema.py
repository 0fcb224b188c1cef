"""Schemas: read one from an artifact, save a curated one, and hand it to ImportSchemaGen safely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import schema_pb2

from utils import paths

FILE_NAME = "schema.pbtxt"


def load(schema) -> schema_pb2.Schema:
    """The schema of a Schema artifact, of a channel holding one, or of a .pbtxt file."""
    if hasattr(schema, "get"):
        [schema] = list(schema.get())
    path = Path(schema) if isinstance(schema, (str, Path)) else Path(schema.uri) / FILE_NAME
    return tfdv.load_schema_text(str(path))


def save(schema: schema_pb2.Schema, path: Path) -> bool:
    """Write the schema as text; return True when the file changed (False: it already held this schema)."""
    path = Path(path)
    scratch = paths.scratch_dir("schema") / "candidate.pbtxt"
    tfdv.write_schema_text(schema, str(scratch))
    if path.is_file() and path.read_bytes() == scratch.read_bytes():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(scratch, path)
    return True


def content_addressed_copy(path: Path = paths.CURATED_SCHEMA) -> Path:
    """A copy of the schema file in a folder named by its content hash.

    ImportSchemaGen's cache key is the file's *path*: fed the repository file directly, TFX would reuse an
    old import after the file was edited. A path that changes with the content makes the cache exact.
    """
    return paths.content_addressed_copy(path, "schemas")


def features_table(schema: schema_pb2.Schema) -> pd.DataFrame:
    """One row per feature: type, presence, the domain or range, and the environments it is left out of."""
    domains = {d.name: list(d.value) for d in schema.string_domain}
    rows = []
    for feature in schema.feature:
        kind = feature.WhichOneof("domain_info")
        if kind == "domain":
            allowed = ", ".join(domains.get(feature.domain, []))
        elif kind == "int_domain":
            allowed = f"[{feature.int_domain.min}, {feature.int_domain.max}]"
        elif kind == "float_domain":
            allowed = f"[{feature.float_domain.min:g}, {feature.float_domain.max:g}]"
        else:
            allowed = ""
        rows.append({
            "feature": feature.name,
            "type": schema_pb2.FeatureType.Name(feature.type),
            "min fraction present": feature.presence.min_fraction,
            "allowed values": allowed,
            "not in environments": ", ".join(feature.not_in_environment),
        })
    return pd.DataFrame(rows).set_index("feature")
