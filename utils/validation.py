"""Read what the validators found: anomalies per split, as tables and as {feature: [anomaly types]}."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tensorflow_metadata.proto.v0 import anomalies_pb2

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


def anomaly_name(kind: int) -> str:
    """The name of an anomaly type number, e.g. 'SCHEMA_MISSING_COLUMN'."""
    return anomalies_pb2.AnomalyInfo.Type.Name(kind)


def found(anomalies: anomalies_pb2.Anomalies) -> dict[str, list[str]]:
    """{feature: [anomaly type, ...]}, sorted; empty when no feature broke the schema.

    An empty result is not a pass on its own: see :func:`dataset_found` and ``anomalies.data_missing``."""
    return {feature: sorted(anomaly_name(r.type) for r in info.reason)
            for feature, info in sorted(anomalies.anomaly_info.items())}


def dataset_found(anomalies: anomalies_pb2.Anomalies) -> list[str]:
    """The anomalies of the data set as a whole (e.g. DATASET_LOW_NUM_EXAMPLES), sorted."""
    return sorted(anomaly_name(r.type) for r in anomalies.dataset_anomaly_info.reason)


def table(anomalies: anomalies_pb2.Anomalies) -> pd.DataFrame:
    """One row per (feature, reason): the anomaly type, its short and long description; anomalies of the
    data set as a whole come last, as feature '[data set]'."""
    reasons = [(feature, reason) for feature, info in sorted(anomalies.anomaly_info.items())
               for reason in info.reason]
    reasons += [("[data set]", reason) for reason in anomalies.dataset_anomaly_info.reason]
    rows = [{"feature": feature, "anomaly": anomaly_name(reason.type),
             "short": reason.short_description, "description": reason.description}
            for feature, reason in reasons]
    return pd.DataFrame(rows, columns=["feature", "anomaly", "short", "description"])


def drift_measurements(anomalies: anomalies_pb2.Anomalies) -> dict[str, tuple[str, float, float]]:
    """{feature: (measure, value, threshold)} of every drift or skew comparison made."""
    measured = {}
    for info in list(anomalies.drift_skew_info):
        for measurement in list(info.drift_measurements) + list(info.skew_measurements):
            kind = type(measurement).Type.Name(measurement.type)
            measured[info.path.step[0]] = (kind, round(measurement.value, 3), measurement.threshold)
    return dict(sorted(measured.items()))
