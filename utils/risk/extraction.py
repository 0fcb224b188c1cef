"""Model extraction: a surrogate trained only on the served model's answers to queries an outsider can
make up (random penguins within the ranges a schema, or common sense, gives), then compared with the
served model on real penguins it never saw."""

from __future__ import annotations

import json
import urllib.request

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from tensorflow_metadata.proto.v0 import schema_pb2

from utils import config
from utils.tfx_modules.trainer import model_settings


def random_penguins(schema: schema_pb2.Schema, n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` made-up penguins: every measurement uniform in its schema domain, island and sex uniform
    among the schema's values. No real penguin is used."""
    rng = np.random.default_rng(seed)
    columns = {}
    domains = {domain.name: list(domain.value) for domain in schema.string_domain}
    for feature in schema.feature:
        if feature.name in config.NUMERIC_FEATURES:
            domain = feature.float_domain if feature.HasField("float_domain") else feature.int_domain
            low, high = domain.min, domain.max
            values = rng.uniform(low, high, n)
            integer = feature.type == schema_pb2.INT
            columns[feature.name] = np.round(values) if integer else np.round(values, 1)
        elif feature.name in config.CATEGORICAL_FEATURES:
            columns[feature.name] = rng.choice(domains[feature.domain or feature.name], n)
    return pd.DataFrame(columns)[list(config.NUMERIC_FEATURES) + list(config.CATEGORICAL_FEATURES)]


def raw_instances(penguins: pd.DataFrame) -> list[dict]:
    """Rows as a JSON client sends them to ``serving_raw``: NaN for a missing number, "" for a missing
    string."""
    rows = []
    for record in penguins.to_dict("records"):
        row = {}
        for name in config.NUMERIC_FEATURES:
            value = record.get(name)
            row[name] = float("nan") if value is None or pd.isna(value) else float(value)
        for name in config.CATEGORICAL_FEATURES:
            value = record.get(name)
            row[name] = "" if value is None or pd.isna(value) else str(value)
        rows.append(row)
    return rows


def served_classes(rest_url: str, model_name: str, penguins: pd.DataFrame, batch: int = 64) -> np.ndarray:
    """The served model's class ids for each penguin, asked through REST (``serving_raw``), in batches."""
    instances, answers = raw_instances(penguins), []
    for start in range(0, len(instances), batch):
        body = json.dumps({"signature_name": model_settings.RAW_SIGNATURE,
                           "instances": instances[start:start + batch]}).encode()
        request = urllib.request.Request(f"{rest_url}/v1/models/{model_name}:predict", data=body,
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            answers += [row[model_settings.CLASS_IDS] for row in json.loads(response.read())["predictions"]]
    return np.asarray(answers, dtype=np.int64)


def fit_surrogate(penguins: pd.DataFrame, classes: np.ndarray, seed: int = 0):
    """A small scikit-learn network fitted to (penguin, the served model's answer) pairs."""
    columns = ColumnTransformer([("numbers", StandardScaler(), list(config.NUMERIC_FEATURES)),
                                 ("categories", OneHotEncoder(handle_unknown="ignore"),
                                  list(config.CATEGORICAL_FEATURES))])
    network = MLPClassifier(hidden_layer_sizes=(32,), max_iter=2000, random_state=seed)
    surrogate = make_pipeline(columns, network)
    return surrogate.fit(penguins, classes)


def agreement(first: np.ndarray, second: np.ndarray) -> float:
    """Share of examples on which two models give the same class."""
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape:
        raise ValueError(f"{first.shape} answers against {second.shape}")
    return float(np.mean(first == second))
