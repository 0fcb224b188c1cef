"""Read and write tf.Examples: look inside what ExampleGen produced, make TFRecords for ImportExampleGen."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import tensorflow as tf
from tensorflow_metadata.proto.v0 import schema_pb2
from tfx.types import artifact_utils


def split_files(examples, split: str) -> list[str]:
    """The TFRecord files of one split of an Examples artifact (or of a channel's single artifact)."""
    artifact = _single(examples)
    if split not in artifact_utils.decode_split_names(artifact.split_names):
        raise KeyError(
            f"split '{split}' is not in this Examples artifact; it has {artifact.split_names}"
        )
    uri = artifact_utils.get_split_uri([artifact], split)
    files = sorted(tf.io.gfile.glob(f"{uri}/*"))
    if not files:
        raise FileNotFoundError(f"no TFRecord files under {uri}")
    return files


def _single(examples):
    """Accept an Examples artifact, a channel holding one, or a component's ExecutionResult output."""
    if hasattr(examples, "get"):  # a channel
        artifacts = list(examples.get())
        if len(artifacts) != 1:
            raise ValueError(f"expected one Examples artifact, the channel holds {len(artifacts)}")
        return artifacts[0]
    return examples


def _compression(path: str) -> str | None:
    return "GZIP" if path.endswith(".gz") else None


def iter_examples(examples, split: str) -> Iterator[tf.train.Example]:
    """Every tf.Example of a split, decoded."""
    for path in split_files(examples, split):
        for record in tf.data.TFRecordDataset(path, compression_type=_compression(path)):
            yield tf.train.Example.FromString(record.numpy())


def count(examples, split: str) -> int:
    """How many examples a split holds."""
    return sum(1 for _ in iter_examples(examples, split))


def split_counts(examples) -> dict[str, int]:
    """Examples per split, in the artifact's split order."""
    artifact = _single(examples)
    return {s: count(artifact, s) for s in artifact_utils.decode_split_names(artifact.split_names)}


def feature_values(example: tf.train.Example) -> dict[str, object]:
    """A tf.Example as {feature: value}; a missing value is None, a one-element list is unwrapped."""
    row = {}
    for name, feature in sorted(example.features.feature.items()):
        kind = feature.WhichOneof("kind")
        values = list(getattr(feature, kind).value) if kind else []
        values = [v.decode() if isinstance(v, bytes) else v for v in values]
        row[name] = None if not values else values[0] if len(values) == 1 else values
    return row


def to_dataframe(examples, split: str, limit: int | None = None) -> pd.DataFrame:
    """The first ``limit`` examples of a split as a table (all of them when limit is None)."""
    rows = []
    for example in iter_examples(examples, split):
        if limit is not None and len(rows) >= limit:
            break
        rows.append(feature_values(example))
    return pd.DataFrame(rows)


def _feature(value: str, kind: str) -> tf.train.Feature:
    """One CSV field as a feature; a missing value is an empty list of the column's type,
    which is how CsvExampleGen writes it."""
    if kind == "int":
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(value)] if value else []))
    if kind == "float":
        return tf.train.Feature(
            float_list=tf.train.FloatList(value=[float(value)] if value else []))
    return tf.train.Feature(
        bytes_list=tf.train.BytesList(value=[value.encode()] if value else []))


def _column_kinds(rows: list[dict[str, str]], columns: list[str]) -> dict[str, str]:
    """int, float or bytes per column: the narrowest type every non-empty value parses as."""
    kinds = {}
    for column in columns:
        values = [r[column] for r in rows if r[column] != ""]
        for kind, parse in (("int", int), ("float", float)):
            try:
                for v in values:
                    parse(v)
            except ValueError:
                continue
            kinds[column] = kind
            break
        else:
            kinds[column] = "bytes"
    return kinds


def schema_kinds(schema: schema_pb2.Schema) -> dict[str, str]:
    """int, float or bytes per feature of a schema: the types a client must send."""
    names = {schema_pb2.INT: "int", schema_pb2.FLOAT: "float", schema_pb2.BYTES: "bytes"}
    return {feature.name: names[feature.type] for feature in schema.feature}


def csv_examples(csv_path: Path, kinds: dict[str, str] | None = None) -> list[tf.train.Example]:
    """Every row of a CSV as a tf.Example, built feature by feature as CsvExampleGen builds them.

    Each column's type is inferred from its values unless ``kinds`` names it (e.g. ``schema_kinds``):
    a client that sends requests knows the schema, and one request alone says little about its types.
    """
    with Path(csv_path).open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows, columns = list(reader), list(reader.fieldnames or [])
    if not columns:
        raise ValueError(f"{csv_path} has no header row: it is empty or not a CSV file")
    kinds = {**_column_kinds(rows, columns), **{c: k for c, k in (kinds or {}).items() if c in columns}}
    return [example_from_values(row, kinds) for row in rows]


def example_from_values(values: dict[str, object], kinds: dict[str, str]) -> tf.train.Example:
    """One tf.Example from {feature: value}, each feature typed by ``kinds`` (int, float or bytes).
    ``None`` or an empty string is a missing value (an empty list); features not given are left out."""
    return tf.train.Example(features=tf.train.Features(feature={
        name: _feature("" if value is None else str(value), kinds[name]) for name, value in values.items()}))


def csv_to_tfrecord(csv_path: Path, tfrecord_path: Path) -> int:
    """Write every row of a CSV as a tf.Example to a (gzipped) TFRecord file; return the row count.

    Converting the same CSV again writes the same file: the same bytes (map keys serialized in sorted order;
    otherwise their order may change from one process to the next) and the CSV's modification time.
    ExampleGen fingerprints its input files by size and time, so TFX's cache can then answer."""
    rows = csv_examples(csv_path)
    tfrecord_path = Path(tfrecord_path)
    tfrecord_path.parent.mkdir(parents=True, exist_ok=True)
    options = tf.io.TFRecordOptions(compression_type=_compression(str(tfrecord_path)))
    with tf.io.TFRecordWriter(str(tfrecord_path), options) as writer:
        for example in rows:
            writer.write(example.SerializeToString(deterministic=True))  # map keys sorted: same bytes
    source_time = os.stat(csv_path).st_mtime_ns
    os.utime(tfrecord_path, ns=(source_time, source_time))
    return len(rows)
