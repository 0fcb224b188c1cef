"""Read what the validators found: anomalies per split, as tables and as {feature: [anomaly types]}."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2
from tfx.proto import distribution_validator_pb2

ANOMALIES_FILE = "SchemaDiff.pb"


def load(anomalies, split: str) -> anomalies_pb2.Anomalies:
    """The anomalies of one split of an ExampleAnomalies artifact (or of a channel holding one).

    ExampleValidator names its splits like the examples ('train'); DistributionValidator names pairs
    ('SplitPair-train_train' on disk: pass 'train_train')."""
    artifact = list(anomalies.get())[0] if hasattr(anomalies, "get") else anomalies
    folder = Path(artifact.uri) / f"Split-{split}"
    if not folder.is_dir():
        folder = Path(artifact.uri) / f"SplitPair-{split}"
    if not folder.is_dir():
        names = sorted(p.name for p in Path(artifact.uri).iterdir())
        raise KeyError(f"no split '{split}' in these anomalies; found {names}")
    return anomalies_pb2.Anomalies.FromString((folder / ANOMALIES_FILE).read_bytes())


def found(anomalies: anomalies_pb2.Anomalies) -> dict[str, list[str]]:
    """{feature: [anomaly type, ...]}, sorted; empty when the data passed."""
    return {feature: sorted(anomalies_pb2.AnomalyInfo.Type.Name(r.type) for r in info.reason)
            for feature, info in sorted(anomalies.anomaly_info.items())}


def table(anomalies: anomalies_pb2.Anomalies) -> pd.DataFrame:
    """One row per (feature, reason): the anomaly type, its short and long description."""
    rows = [{"feature": feature,
             "anomaly": anomalies_pb2.AnomalyInfo.Type.Name(reason.type),
             "short": reason.short_description,
             "description": reason.description}
            for feature, info in sorted(anomalies.anomaly_info.items()) for reason in info.reason]
    return pd.DataFrame(rows, columns=["feature", "anomaly", "short", "description"])


def drift_config(schema: schema_pb2.Schema) -> distribution_validator_pb2.DistributionValidatorConfig:
    """DistributionValidator's configuration made from the drift comparators set in a schema, so the
    thresholds live in one place: the curated schema."""
    config = distribution_validator_pb2.DistributionValidatorConfig()
    config.default_slice_config.SetInParent()
    for feature in schema.feature:
        if feature.HasField("drift_comparator"):
            comparator = config.default_slice_config.feature.add()
            comparator.path.step.append(feature.name)
            comparator.distribution_comparator.CopyFrom(feature.drift_comparator)
    return config


def drift_measurements(anomalies: anomalies_pb2.Anomalies) -> dict[str, tuple[str, float, float]]:
    """{feature: (measure, value, threshold)} of every drift or skew comparison made."""
    measured = {}
    for info in list(anomalies.drift_skew_info):
        for measurement in list(info.drift_measurements) + list(info.skew_measurements):
            kind = type(measurement).Type.Name(measurement.type)
            measured[info.path.step[0]] = (kind, round(measurement.value, 3), measurement.threshold)
    return dict(sorted(measured.items()))
