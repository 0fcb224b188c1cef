"""Model evaluation you can see everywhere: tables and plots built from what TFMA wrote (chapter 05).

TFMA's own views (``tfma.view.render_slicing_metrics``) are notebook widgets that do not render in
JupyterLab 4 (tensorflow/model-analysis#112), in static HTML or offline. These helpers read the same files,
through TFMA's own loaders (``tfma.load_metrics``, ``tfma.load_validation_result``), and return pandas tables
and matplotlib figures. They are views, not the lesson: chapter 05 shows the protos they read.

``EVAL_CONFIG`` is the course's ``tfma.EvalConfig``, written out once here for the chapters that re-declare
the Evaluator (``utils/pipeline.py``); chapter 05 writes the same config inline and asserts they are equal.
"""

from __future__ import annotations

import math

import pandas as pd
import tensorflow_model_analysis as tfma
from tensorflow_model_analysis.evaluators import metrics_validator
from tensorflow_model_analysis.metrics import metric_types
from tensorflow_model_analysis.proto import validation_result_pb2
from tensorflow_model_analysis.slicer import slicer_lib

from utils import config
from utils.tfx_modules.trainer import model_settings

OVERALL = "Overall"
SLICE_FEATURES = ("island", "sex")  # the groups the course evaluates the model on, one slice per value
ACCURACY = "sparse_categorical_accuracy"  # TFMA's name of the metric class SparseCategoricalAccuracy
ACCURACY_FLOOR = 0.9  # overall accuracy a model needs to be blessed
MAX_DROP = 0.02  # how much lower than the baseline's the overall accuracy may be (about 3 of 140 penguins)
GROUP_FLOOR = 0.8  # accuracy every island and every sex needs (3 mistakes among Torgersen's 16 pass)

CLASS_IDS = list(range(len(config.LABELS)))  # the label's classes, in Transform's fixed order

_ISLAND, _SEX = (tfma.SlicingSpec(feature_keys=[name]) for name in SLICE_FEATURES)
EVAL_CONFIG = tfma.EvalConfig(
    model_specs=[tfma.ModelSpec(
        signature_name=model_settings.EXAMPLES_SIGNATURE,
        preprocessing_function_names=[model_settings.TRANSFORM_SIGNATURE],
        label_key=f"{config.LABEL_KEY}{config.TRANSFORMED_SUFFIX}",
        prediction_key=model_settings.PROBABILITIES,
        model_type=tfma.TF_GENERIC,
    )],
    slicing_specs=[tfma.SlicingSpec(), _ISLAND, _SEX],
    cross_slicing_specs=[tfma.CrossSlicingSpec(baseline_spec=tfma.SlicingSpec(),
                                               slicing_specs=[_ISLAND, _SEX])],
    metrics_specs=[
        tfma.MetricsSpec(metrics=[
            tfma.MetricConfig(class_name="ExampleCount"),
            tfma.MetricConfig(class_name="SparseCategoricalAccuracy", per_slice_thresholds=[
                tfma.PerSliceMetricThreshold(
                    slicing_specs=[tfma.SlicingSpec()],
                    threshold=tfma.MetricThreshold(
                        value_threshold=tfma.GenericValueThreshold(lower_bound={"value": ACCURACY_FLOOR}),
                        change_threshold=tfma.GenericChangeThreshold(
                            direction=tfma.MetricDirection.HIGHER_IS_BETTER, absolute={"value": -MAX_DROP}))),
                tfma.PerSliceMetricThreshold(slicing_specs=[_ISLAND, _SEX], threshold=tfma.MetricThreshold(
                    value_threshold=tfma.GenericValueThreshold(lower_bound={"value": GROUP_FLOOR}))),
            ]),
        ]),
        tfma.MetricsSpec(binarize=tfma.BinarizationOptions(class_ids={"values": CLASS_IDS}),
                         metrics=[tfma.MetricConfig(class_name="Precision"),
                                  tfma.MetricConfig(class_name="Recall")]),
    ],
)


def evaluation_uri(evaluation) -> str:
    """The folder of a ModelEvaluation artifact, given the artifact or a channel holding one."""
    artifact = list(evaluation.get())[0] if hasattr(evaluation, "get") else evaluation
    return artifact.uri


def slice_name(slice_key) -> str:
    """``()`` -> 'Overall'; ``(('island', 'Dream'),)`` -> 'island = Dream'; a cross slice -> 'A vs B'."""
    if slicer_lib.is_cross_slice_key(slice_key):
        return " vs ".join(slice_name(key) for key in slice_key)
    if not slice_key:
        return OVERALL
    return ", ".join(f"{column} = {_text(value)}" for column, value in slice_key)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _metric_name(key: metric_types.MetricKey) -> str:
    name = "accuracy" if key.name == ACCURACY else key.name
    if key.sub_key and key.sub_key.class_id is not None:
        class_id = key.sub_key.class_id
        label = config.LABELS[class_id] if 0 <= class_id < len(config.LABELS) else str(class_id)
        name = f"{name} ({label})"
    return f"{name} change" if key.is_diff else name


def _slice_key(metrics_for_slice):
    if metrics_for_slice.HasField("cross_slice_key"):
        return slicer_lib.deserialize_cross_slice_key(metrics_for_slice.cross_slice_key)
    return slicer_lib.deserialize_slice_key(metrics_for_slice.slice_key)


def stored_metrics(evaluation, model_name: str = "") -> dict:
    """{slice key: {MetricKey: value}} of one model, as TFMA stored them (``tfma.load_metrics``).

    ``model_name``: "" for an Evaluator without a baseline; "candidate" or "baseline" with one. The keys are
    returned without the model name, as an EvalConfig with a single model names them."""
    found = {}
    for metrics_for_slice in tfma.load_metrics(evaluation_uri(evaluation)):
        values = {}
        for item in metrics_for_slice.metric_keys_and_values:
            key = metric_types.MetricKey.from_proto(item.key)
            if key.model_name != model_name or not item.value.HasField("double_value"):
                continue
            values[key._replace(model_name="")] = item.value.double_value.value
        if values:
            found[_slice_key(metrics_for_slice)] = values
    if not found:
        names = sorted({item.key.model_name for m in tfma.load_metrics(evaluation_uri(evaluation))
                        for item in m.metric_keys_and_values})
        raise KeyError(f"no metrics of model '{model_name}' in this evaluation; its models are {names} "
                       "('' without a baseline, 'candidate' and 'baseline' with one)")
    return found


def metrics_table(evaluation, model_name: str = "", cross_slices: bool = False) -> pd.DataFrame:
    """One row per slice (Overall first, then by name), one column per metric; per-class metrics are named
    after their class ('recall (Chinstrap)'), comparisons with a baseline end with 'change'. Cross slices
    ('Overall vs island = Dream': the first slice's value minus the second's) only with ``cross_slices``."""
    rows = {}
    for slice_key, values in stored_metrics(evaluation, model_name).items():
        if slicer_lib.is_cross_slice_key(slice_key) != cross_slices:
            continue
        rows[slice_name(slice_key)] = {_metric_name(key): value for key, value in values.items()}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table = table.loc[sorted(table.index, key=lambda name: (name != OVERALL, name))]
    table.index.name = "cross slice" if cross_slices else "slice"
    if "example_count" in table:
        table["example_count"] = table["example_count"].astype(int)
        table = table[["example_count"] + [c for c in table.columns if c != "example_count"]]
    return table


def slices_plot(tables: dict[str, pd.DataFrame], metric: str = "accuracy", floor: float | None = None):
    """Side-by-side bars of one metric per slice, one bar per model (``{model name: metrics_table}``);
    ``floor`` draws a threshold line. Returns the matplotlib figure (renders offline and in static HTML)."""
    import matplotlib.pyplot as plt  # not at the top: pipeline.py imports this module (see lazy_imports.py)

    frame = pd.DataFrame({name: table[metric] for name, table in tables.items()})
    fig, ax = plt.subplots(figsize=(8, 3.2))
    frame.plot.bar(ax=ax, rot=0, width=0.75)
    if floor is not None:
        ax.axhline(floor, color="black", linestyle="--", linewidth=1, label=f"threshold {floor:g}")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(metric)
    ax.set_xlabel("")
    ax.legend(loc="lower left", fontsize=8)
    for container in ax.containers:
        ax.bar_label(container, fmt="%.2f", fontsize=7, padding=1)
    fig.tight_layout()
    plt.close(fig)  # shown once, where the notebook displays it
    return fig


def _threshold_text(threshold) -> str:
    if threshold.HasField("value_threshold"):
        bounds = threshold.value_threshold
        parts = []
        if bounds.HasField("lower_bound"):
            parts.append(f">= {bounds.lower_bound.value:g}")
        if bounds.HasField("upper_bound"):
            parts.append(f"<= {bounds.upper_bound.value:g}")
        return "value " + " and ".join(parts)
    change = threshold.change_threshold
    direction = tfma.MetricDirection.Name(change.direction).lower().replace("_", " ")
    parts = []
    if change.HasField("absolute"):
        parts.append(f"absolute >= {change.absolute.value:g}" if change.direction
                     == tfma.MetricDirection.HIGHER_IS_BETTER else f"absolute <= {change.absolute.value:g}")
    if change.HasField("relative"):
        parts.append(f"relative {change.relative.value:g}")
    return f"change vs baseline ({direction}): " + ", ".join(parts)


def failures_table(validation: validation_result_pb2.ValidationResult) -> pd.DataFrame:
    """Which threshold failed on which slice: one row per failure of a ``tfma.load_validation_result``,
    plus one row per slice a threshold names but the data did not have. Empty when the model passed."""
    rows = []
    for per_slice in validation.metric_validations_per_slice:
        if per_slice.HasField("cross_slice_key"):
            key = slicer_lib.deserialize_cross_slice_key(per_slice.cross_slice_key)
        else:
            key = slicer_lib.deserialize_slice_key(per_slice.slice_key)
        for failure in per_slice.failures:
            metric = metric_types.MetricKey.from_proto(failure.metric_key)
            value = failure.metric_value.double_value.value if failure.HasField("metric_value") else math.nan
            rows.append({"slice": slice_name(key), "metric": _metric_name(metric),
                         "threshold": _threshold_text(failure.metric_threshold), "value": value})
    for spec in validation.missing_slices:
        rows.append({"slice": f"missing: {_spec_text(spec)}", "metric": "", "threshold": "",
                     "value": math.nan})
    for spec in validation.missing_cross_slices:
        rows.append({"slice": f"missing cross slice: {_spec_text(spec.baseline_spec)} vs "
                              f"{', '.join(_spec_text(s) for s in spec.slicing_specs)}",
                     "metric": "", "threshold": "", "value": math.nan})
    return pd.DataFrame(rows, columns=["slice", "metric", "threshold", "value"])


def _spec_text(spec: tfma.SlicingSpec) -> str:
    parts = list(spec.feature_keys) + [f"{k} = {v}" for k, v in sorted(spec.feature_values.items())]
    return ", ".join(parts) or OVERALL


def validate_stored(evaluation, eval_config: tfma.EvalConfig,
                    model_name: str = "") -> validation_result_pb2.ValidationResult:
    """The validation TFMA's Evaluator would make with ``eval_config``'s thresholds, computed on metrics it
    already stored (no model run, milliseconds): TFMA's own ``metrics_validator`` on every stored slice,
    merged as the Evaluator merges them, missing slices included. ``eval_config`` names a single model; its
    thresholds need metrics the evaluation has: a change threshold needs an evaluation made against a baseline
    (its 'change' metrics), or it fails as 'Metric not found' on every slice, as in TFMA."""
    stored = stored_metrics(evaluation, model_name)
    if tfma.utils.has_change_threshold(eval_config) and not any(
            key.is_diff for values in stored.values() for key in values):
        raise ValueError("this evaluation has no baseline, so no 'change' metrics to check a change "
                         "threshold on: use value thresholds (tfma.GenericValueThreshold)")
    result = validation_result_pb2.ValidationResult(validation_ok=True)
    for slice_key, values in stored.items():
        checked = metrics_validator.validate_metrics((slice_key, values), eval_config)
        result.validation_ok &= checked.validation_ok
        result.metric_validations_per_slice.extend(checked.metric_validations_per_slice)
        metrics_validator.merge_details(result, checked)
    for spec in metrics_validator.get_missing_slices(result.validation_details.slicing_details, eval_config):
        result.validation_ok = False
        if isinstance(spec, tfma.CrossSlicingSpec):
            result.missing_cross_slices.append(spec)
        else:
            result.missing_slices.append(spec)
    return result
