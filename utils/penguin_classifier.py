"""Chapter 00's small penguin classifier: one training code, run under two configurations.

The course model (chapter 04) does not exist yet when the course opens, so chapter 00 ships this one: a
few dense units on the penguins' measurements, trained in seconds with tf-keras. Chapter 00 runs the same
code twice: in the notebook with :data:`DEVELOPMENT` (all cores, no fixed seed, incomplete rows dropped
silently, the model kept in memory) and as a separate process with :data:`PRODUCTION`
(``python -m utils.penguin_classifier --config prod.json``: one thread, a fixed seed, every refused row
reported, a log file of JSON lines, the model exported as a SavedModel with a record of how it was made).

    from utils import penguin_classifier as pc
    run = pc.train(pc.DEVELOPMENT)          # -> Run: the Keras model, its report, the data it used

Split: the 2007 and 2008 field seasons train, the 2009 season evaluates (the newest data play "production").
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from utils import config, data

MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
# Chapter 00's looked-up feature: the mean body mass of the penguins of the bird's island, as the seed's
# apartment model uses the mean price of the zip code area. The client sends the island, not the mean.
ISLAND_MEAN = "island_mean_body_mass_g"
TRAIN_SEASONS, EVAL_SEASONS = (2007, 2008), (2009,)
# Plausible ranges (the curated schema's): a row outside them is refused by the "refuse" validation.
RANGES = {"bill_length_mm": (30, 65), "bill_depth_mm": (12, 23), "flipper_length_mm": (170, 235),
          "body_mass_g": (2500, 6500)}


@dataclass(frozen=True)
class RunConfig:
    """Everything about a training run that is not the model itself."""

    name: str
    data: str = config.PENGUINS  # a shipped data set, read after checking its checksum
    features: tuple[str, ...] = MEASUREMENTS
    units: int = 8  # the model: one hidden layer of `units`
    epochs: int = 40
    batch_size: int = 32
    seed: int | None = None  # None: another initialisation and data order every run
    threads: int = 0  # TensorFlow's intra- and inter-op threads; 0 = TensorFlow decides (all cores)
    validation: str = "drop"  # "drop": drop incomplete rows silently; "refuse": refuse and report each row
    max_refused_share: float = 0.05  # "refuse": stop the run when more rows than this share are refused
    log: str = "notebook"  # "notebook": nothing but the result; "jsonl": one JSON line per epoch in log_file
    log_file: str | None = None
    export_dir: str | None = None  # a SavedModel is written here (with run.json beside it) when set

    def differences(self, other: RunConfig) -> dict[str, tuple]:
        """{setting: (mine, other's)} for every setting the two configurations set differently."""
        mine, theirs = dataclasses.asdict(self), dataclasses.asdict(other)
        return {key: (mine[key], theirs[key]) for key in mine if mine[key] != theirs[key]}

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        values = json.loads(text)
        unknown = sorted(set(values) - {f.name for f in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown settings {unknown}: RunConfig knows "
                             f"{[f.name for f in dataclasses.fields(cls)]}")
        values["features"] = tuple(values.get("features", MEASUREMENTS))
        return cls(**values)


DEVELOPMENT = RunConfig(name="development")
PRODUCTION = RunConfig(name="production", seed=42, threads=1, validation="refuse", log="jsonl")


@dataclass
class Run:
    """One training run: the model, what it reports, and the rows it trained and was evaluated on."""

    config: RunConfig
    model: object
    report: dict
    train_rows: pd.DataFrame = field(repr=False)
    eval_rows: pd.DataFrame = field(repr=False)


class RefusedDataError(ValueError):
    """Too many rows failed the production validation."""


def island_means(rows: pd.DataFrame) -> dict[str, float]:
    """The mean body mass per island over ``rows`` (what the lookup table holds)."""
    return {island: float(mean) for island, mean in rows.groupby("island")["body_mass_g"].mean().items()}


def with_island_mean(rows: pd.DataFrame, means: dict[str, float]) -> pd.DataFrame:
    """``rows`` with the column ISLAND_MEAN from ``means`` (NaN for an island it does not hold)."""
    return rows.assign(**{ISLAND_MEAN: rows["island"].map(means).astype(float)})


def refusals(rows: pd.DataFrame, features: tuple[str, ...]) -> list[str]:
    """Why each refused row is refused, one line per row (line numbers as in the CSV file)."""
    reasons = []
    for index, row in rows.iterrows():
        why = [f"{name} missing" for name in features if pd.isna(row.get(name))]
        why += [f"{name}={row[name]} outside {RANGES[name]}" for name in features
                if name in RANGES and not pd.isna(row[name])
                and not RANGES[name][0] <= row[name] <= RANGES[name][1]]
        if why:
            reasons.append(f"line {index + 2}: " + ", ".join(why))
    return reasons


def load(run_config: RunConfig, means: dict[str, float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                list]:
    """Train and eval rows as the configuration's validation leaves them, and the refusals it reported."""
    rows = pd.read_csv(data.dataset_file(run_config.data))
    if ISLAND_MEAN in run_config.features:
        if means is None:
            means = island_means(rows[rows["year"].isin(TRAIN_SEASONS)])
        rows = with_island_mean(rows, means)
    refused = []
    if run_config.validation == "refuse":
        refused = refusals(rows, run_config.features)
        if len(refused) > run_config.max_refused_share * len(rows):
            raise RefusedDataError(f"{len(refused)} of {len(rows)} rows refused (more than "
                                   f"{run_config.max_refused_share:.0%}): " + "; ".join(refused[:5]))
    elif run_config.validation != "drop":
        raise ValueError(f"validation must be 'drop' or 'refuse', not {run_config.validation!r}")
    rows = rows.dropna(subset=list(run_config.features))
    return (rows[rows["year"].isin(TRAIN_SEASONS)], rows[rows["year"].isin(EVAL_SEASONS)], refused)


def inputs(rows: pd.DataFrame, features: tuple[str, ...]) -> np.ndarray:
    return rows[list(features)].to_numpy(dtype=np.float32)


def labels(rows: pd.DataFrame) -> np.ndarray:
    return rows[config.LABEL_KEY].map(config.LABELS.index).to_numpy(dtype=np.int64)


def build_model(train_x: np.ndarray, units: int):
    """Normalise with the training rows' mean and variance (frozen into the model), one hidden layer,
    softmax over config.LABELS."""
    import tf_keras

    return tf_keras.Sequential([
        tf_keras.Input(shape=(train_x.shape[1],), name="features"),
        tf_keras.layers.Normalization(mean=train_x.mean(axis=0), variance=train_x.var(axis=0),
                                      name="normalise"),
        tf_keras.layers.Dense(units, activation="relu", name="hidden"),
        tf_keras.layers.Dense(len(config.LABELS), activation="softmax", name="probabilities"),
    ])


def fit(model, train_x: np.ndarray, train_y: np.ndarray, epochs: int, batch_size: int, seed: int | None,
        on_epoch=None) -> None:
    """Mini-batch Adam on the cross-entropy. A plain loop around one traced step: Keras' ``fit`` spends
    most of its first call converting its own Python code to a graph (AutoGraph), longer than this whole
    training on a loaded 2-core machine."""
    import tensorflow as tf
    import tf_keras

    optimizer = tf_keras.optimizers.Adam(0.02)
    loss_fn = tf_keras.losses.SparseCategoricalCrossentropy()
    signature = (tf.TensorSpec([None, train_x.shape[1]], tf.float32), tf.TensorSpec([None], tf.int64))

    @tf.function(input_signature=signature, autograph=False)
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables, strict=True))
        return loss

    order = np.random.default_rng(seed)
    for epoch in range(epochs):
        shuffled = order.permutation(len(train_x))
        losses = [float(step(train_x[batch], train_y[batch]))
                  for batch in np.array_split(shuffled, max(1, -(-len(train_x) // batch_size)))]
        if on_epoch:
            on_epoch({"epoch": epoch + 1, "loss": round(float(np.mean(losses)), 5)})


def predict(model, x: np.ndarray) -> np.ndarray:
    """Class probabilities, one row per example (the model called directly: no tracing)."""
    return model(x, training=False).numpy()


def accuracy(model, rows: pd.DataFrame, features: tuple[str, ...]) -> float:
    return float((predict(model, inputs(rows, features)).argmax(axis=1) == labels(rows)).mean())


def export(model, export_dir) -> str:
    """Write ``model`` as a SavedModel: signature ``serving_default`` (input ``features``, float32
    [batch, n]; output ``probabilities``) and the same function as ``predict``. The network is traced without
    AutoGraph and only its variables are saved: ``tf.saved_model.save`` of the Keras model itself converts
    every layer's Python code to graphs first, about ten seconds on a loaded 2-core machine."""
    import tensorflow as tf

    module = tf.Module()
    module.network_variables = list(model.variables)  # what the SavedModel must hold

    @tf.function(input_signature=[tf.TensorSpec([None, model.input_shape[-1]], tf.float32, name="features")],
                 autograph=False)
    def predict(features):
        return {"probabilities": model(features, training=False)}

    module.predict = predict
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # not the "Assets written to ..." line of every save
    try:
        tf.saved_model.save(module, str(export_dir), signatures={"serving_default": predict})
    finally:
        logger.setLevel(level)
    return str(export_dir)


def weights_digest(model) -> str:
    """A short sha256 of every weight: equal digests mean the very same trained model."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()[:12]


def train(run_config: RunConfig, means: dict[str, float] | None = None) -> Run:
    """Train the classifier under ``run_config``; export it when the configuration says so."""
    import tf_keras

    if run_config.seed is not None:
        tf_keras.utils.set_random_seed(run_config.seed)  # Python, NumPy and TensorFlow's initialisers
    train_rows, eval_rows, refused = load(run_config, means)
    train_x = inputs(train_rows, run_config.features)
    on_epoch = None
    if run_config.log == "jsonl":
        if not run_config.log_file:
            raise ValueError("log='jsonl' needs a log_file")
        log_file = Path(run_config.log_file)
        log_file.write_text("")

        def on_epoch(record):
            with log_file.open("a") as log:
                log.write(json.dumps({"config": run_config.name, **record}) + "\n")
    elif run_config.log != "notebook":
        raise ValueError(f"log must be 'notebook' or 'jsonl', not {run_config.log!r}")
    model = build_model(train_x, run_config.units)
    start = time.perf_counter()
    fit(model, train_x, labels(train_rows), run_config.epochs, run_config.batch_size, run_config.seed,
        on_epoch)
    seconds = time.perf_counter() - start
    eval_accuracy = accuracy(model, eval_rows, run_config.features)
    report = {"config": run_config.name, "train_rows": len(train_rows), "eval_rows": len(eval_rows),
              "refused_rows": refused, "train_seconds": round(seconds, 2),
              "eval_accuracy": round(eval_accuracy, 4),
              "weights": weights_digest(model), "threads": _threads(), "seed": run_config.seed,
              "data_sha256": data.checksums()[_data_rel(run_config.data)][:12]}
    if run_config.export_dir:
        export(model, run_config.export_dir)
        Path(run_config.export_dir, "run.json").write_text(json.dumps(
            {**report, "settings": dataclasses.asdict(run_config), "packages": _versions()}, indent=1))
    return Run(run_config, model, report, train_rows, eval_rows)


def _data_rel(name: str) -> str:
    return data.dataset_file(name).relative_to(data.paths.DATA_DIR).as_posix()


def _threads() -> dict:
    import tensorflow as tf

    return {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
            "inter_op": tf.config.threading.get_inter_op_parallelism_threads(), "cpus": os.cpu_count()}


def _versions() -> dict:
    from importlib import metadata

    return {name: metadata.version(name) for name in ("tensorflow", "tf-keras", "numpy", "pandas")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train chapter 00's penguin classifier under a "
                                     "configuration (a JSON file of RunConfig settings); print its report.")
    parser.add_argument("--config", required=True, help="a JSON file of RunConfig settings")
    run_config = RunConfig.from_json(Path(parser.parse_args(argv).config).read_text())
    if run_config.threads:  # only possible before TensorFlow runs anything: in a process of its own
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(run_config.threads)
        tf.config.threading.set_inter_op_parallelism_threads(run_config.threads)
    try:
        run = train(run_config)
    except RefusedDataError as error:
        print(json.dumps({"config": run_config.name, "error": str(error)}))
        return 2
    print(json.dumps(run.report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
