"""Offline views of what chapter 04's Trainer and Tuner wrote: the Tuner's trials as a table, the training
curves from the TensorBoard event files as a static plot, the exported model's signatures as a table.

They read the artifacts' files directly, so they render in JupyterLab, in static HTML and offline (no
TensorBoard server). Each takes an artifact, a channel holding one artifact, or a folder.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import tensorflow as tf
from tensorflow.core.util import event_pb2

TUNER_RESULTS_FILE = "tuner_results.json"  # what TFX's Tuner writes in its tuner_results artifact
HYPERPARAMETERS_FILE = "best_hyperparameters.txt"  # and in its best_hyperparameters artifact
CURVE_METRICS = ("loss", "accuracy")  # what the course model compiles, logged per epoch as epoch_<name>


def uri(artifact_or_channel) -> str:
    """The folder of an artifact, of the one artifact in a channel, or a folder given as a path."""
    if isinstance(artifact_or_channel, str | Path):
        return str(artifact_or_channel)
    if hasattr(artifact_or_channel, "get"):  # a channel
        artifacts = list(artifact_or_channel.get())
        if len(artifacts) != 1:
            raise ValueError(f"expected a channel with one artifact, it holds {len(artifacts)}: run the "
                             "component first (context.run)")
        artifact_or_channel = artifacts[0]
    return artifact_or_channel.uri


def trials_table(tuner_results) -> pd.DataFrame:
    """The Tuner's completed trials, best first: trial id, score (the objective, val_accuracy), values."""
    path = Path(uri(tuner_results)) / TUNER_RESULTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no {TUNER_RESULTS_FILE} in {path.parent}: give the Tuner's "
                                "outputs['tuner_results']")
    rows = json.loads(path.read_text())
    table = pd.DataFrame(rows).set_index("trial_id")
    return table.sort_values("score", ascending=False, kind="stable")


def hyperparameter_values(hyperparameters) -> dict:
    """The values in a HyperParameters artifact (a Tuner's best_hyperparameters, or an Importer's result):
    the folder's one file, as the Trainer reads it into ``fn_args.hyperparameters``."""
    folder = Path(uri(hyperparameters))
    files = [path for path in folder.iterdir() if path.is_file()]
    if len(files) != 1:
        raise ValueError(f"{folder} holds {len(files)} files; a HyperParameters artifact is a folder "
                         "with exactly one file (the Trainer reads the only file in it)")
    return json.loads(files[0].read_text())["values"]


def _event_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("events.out.tfevents.*"))


def curves(model_run) -> pd.DataFrame:
    """Per-epoch loss and accuracy on the train and validation data, read from the TensorBoard event files
    that the Keras TensorBoard callback wrote into the Trainer's ``model_run`` artifact (one sub-folder
    per side, ``train`` and ``validation``). One row per (side, epoch)."""
    root = Path(uri(model_run))
    rows = {}
    for side in ("train", "validation"):
        for path in _event_files(root / side):
            for record in tf.data.TFRecordDataset(str(path)):
                event = event_pb2.Event.FromString(record.numpy())
                for value in event.summary.value:
                    metric = value.tag.removeprefix("epoch_")
                    if value.tag.startswith("epoch_") and metric in CURVE_METRICS:
                        number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") \
                            else value.simple_value
                        rows.setdefault((side, int(event.step) + 1), {})[metric] = number
    if not rows:
        raise FileNotFoundError(f"no epoch summaries under {root}: give the Trainer's outputs['model_run'] "
                                "(run_fn must log there: TensorBoard(log_dir=fn_args.model_run_dir))")
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = pd.MultiIndex.from_tuples(table.index, names=["side", "epoch"])
    return table.sort_index()


def plot_curves(table: pd.DataFrame, title: str = "Training curves"):
    """Loss and accuracy per epoch, train and validation, side by side (a static matplotlib figure)."""
    figure, axes = plt.subplots(1, len(CURVE_METRICS), figsize=(10, 3.5))
    for axis, metric in zip(axes, CURVE_METRICS, strict=True):
        for side, style in (("train", "o-"), ("validation", "s--")):
            if side in table.index.get_level_values("side"):
                series = table.loc[side, metric]
                axis.plot(series.index, series.values, style, label=side)
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_xticks(sorted(set(table.index.get_level_values("epoch"))))
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def signatures_table(loaded) -> pd.DataFrame:
    """Every signature of a loaded SavedModel (``tf.saved_model.load``): its inputs and its outputs, each
    as ``name: dtype shape``, what ``saved_model_cli show --all`` lists too."""
    def describe(specs: dict) -> str:
        return ", ".join(f"{name}: {spec.dtype.name} {spec.shape.as_list()}"
                         for name, spec in sorted(specs.items()))

    rows = []
    for name, function in sorted(loaded.signatures.items()):
        rows.append({"signature": name, "inputs": describe(function.structured_input_signature[1]),
                     "outputs": describe(function.structured_outputs)})
    return pd.DataFrame(rows).set_index("signature")
