"""utils/evaluation.py: the course's views of what TFMA stored, on evaluations written by hand
(tests/evaluation_testing.py), and the TFMA 0.47.1 behaviours chapter 05 relies on."""

import math

import pandas as pd
import pytest
import tensorflow_model_analysis as tfma
from tensorflow_model_analysis.evaluators import metrics_validator
from tensorflow_model_analysis.metrics import metric_types
from tensorflow_model_analysis.proto import validation_result_pb2
from tensorflow_model_analysis.writers import metrics_plots_and_validations_writer as writer

from utils import config, evaluation


def test_the_metrics_table_has_one_row_per_slice_and_names_classes(course):
    table = evaluation.metrics_table(course)
    assert list(table.index) == ["Overall", "island = Biscoe", "island = Dream", "island = Torgersen",
                                 "sex = female", "sex = male"]
    assert table.columns[0] == "example_count" and table["example_count"].dtype.kind == "i"
    assert {f"recall ({label})" for label in config.LABELS} <= set(table.columns)
    assert table.loc["island = Dream", "accuracy"] == pytest.approx(1.0)
    assert math.isnan(table.loc["island = Dream", "recall (Gentoo)"]), "no Gentoo on Dream"


def test_a_candidate_evaluated_against_a_baseline_is_read_by_its_model_name(candidate):
    table = evaluation.metrics_table(candidate, "candidate")
    assert table.loc["island = Dream", "accuracy"] == pytest.approx(0.667)
    assert table.loc["Overall", "accuracy change"] == pytest.approx(0.864 - 0.993)
    assert evaluation.metrics_table(candidate, "baseline").loc["Overall", "accuracy"] == pytest.approx(0.993)
    with pytest.raises(KeyError, match="'candidate' and 'baseline'"):
        evaluation.metrics_table(candidate)


def test_the_course_config_blesses_the_course_model_and_names_the_candidates_failures(course, candidate):
    without_change = tfma.EvalConfig()
    without_change.CopyFrom(evaluation.EVAL_CONFIG)
    for spec in without_change.metrics_specs:
        for metric in spec.metrics:
            for per_slice in metric.per_slice_thresholds:
                per_slice.threshold.ClearField("change_threshold")
    assert evaluation.validate_stored(course, without_change).validation_ok
    result = evaluation.validate_stored(candidate, evaluation.EVAL_CONFIG, "candidate")
    failures = evaluation.failures_table(result)
    assert sorted(zip(failures["slice"], failures["metric"], strict=True)) == [
        ("Overall", "accuracy"), ("Overall", "accuracy change"), ("island = Dream", "accuracy")]
    assert failures.loc[failures["metric"] == "accuracy", "threshold"].tolist() in (
        ["value >= 0.9", "value >= 0.8"], ["value >= 0.8", "value >= 0.9"])


def test_a_change_threshold_needs_an_evaluation_with_a_baseline(course):
    with pytest.raises(ValueError, match="no baseline"):
        evaluation.validate_stored(course, evaluation.EVAL_CONFIG)


def test_a_threshold_on_a_slice_the_data_does_not_have_is_a_missing_slice(course):
    lowercase = tfma.PerSliceMetricThreshold(
        slicing_specs=[tfma.SlicingSpec(feature_values={"island": "dream"})],
        threshold=tfma.MetricThreshold(
            value_threshold=tfma.GenericValueThreshold(lower_bound={"value": 0.5})))
    accuracy = tfma.MetricConfig(class_name="SparseCategoricalAccuracy", per_slice_thresholds=[lowercase])
    config_ = tfma.EvalConfig(model_specs=evaluation.EVAL_CONFIG.model_specs,
                              metrics_specs=[tfma.MetricsSpec(metrics=[accuracy])])
    result = evaluation.validate_stored(course, config_)
    assert not result.validation_ok and list(result.missing_slices[0].feature_values.values()) == ["dream"]
    assert evaluation.failures_table(result)["slice"].tolist() == ["missing: island = dream"]


def test_a_cross_slice_threshold_never_passes_in_tfma_0_47_1():
    """metrics_validator.validate_metrics checks the gap and records the check under the SlicingDetails'
    cross_slicing_spec field, but _hashed_slicing_details indexes every record by its slicing_spec field only
    (unset for a cross slice: the record counts as the overall slice), so get_missing_slices never finds the
    CrossSlicingSpec and the Evaluator's writer fails every model with a 'missing cross slice', even when
    every gap is within bounds."""
    gap = tfma.CrossSlicingSpec(baseline_spec=tfma.SlicingSpec(),
                                slicing_specs=[tfma.SlicingSpec(feature_keys=["island"])])
    at_most = tfma.MetricThreshold(value_threshold=tfma.GenericValueThreshold(upper_bound={"value": 0.1}))
    accuracy = tfma.MetricConfig(class_name="SparseCategoricalAccuracy", cross_slice_thresholds=[
        tfma.CrossSliceMetricThreshold(cross_slicing_specs=[gap], threshold=at_most)])
    config_ = tfma.EvalConfig(model_specs=[tfma.ModelSpec(label_key="y")], cross_slicing_specs=[gap],
                              metrics_specs=[tfma.MetricsSpec(metrics=[accuracy])])
    key = metric_types.MetricKey(evaluation.ACCURACY)
    overall_vs_dream = ((), (("island", "Dream"),))
    checked = metrics_validator.validate_metrics((overall_vs_dream, {key: 0.01}), config_)
    assert checked.validation_ok and not checked.metric_validations_per_slice, "a gap of 0.01 is within 0.1"
    [details] = checked.validation_details.slicing_details
    assert details.WhichOneof("slicing_spec_oneof") == "cross_slicing_spec"
    assert details.cross_slicing_spec == gap
    combine = writer.CombineValidations(config_)
    result = combine.extract_output(combine.add_input(combine.create_accumulator(), checked))
    assert not result.validation_ok and list(result.missing_cross_slices) == [gap]


def test_tfx_1_16_evaluator_never_reads_fairness_indicator_thresholds():
    import inspect

    from tfx.components.evaluator import executor
    from tfx.types import standard_component_specs

    source = inspect.getsource(executor)
    assert "FAIRNESS_INDICATOR_THRESHOLDS_KEY" not in source and "fairness_indicator_thresholds" not in source
    assert standard_component_specs.FAIRNESS_INDICATOR_THRESHOLDS_KEY == "fairness_indicator_thresholds"
    assert not hasattr(tfma.metrics, "FairnessIndicators"), "no such metric in TFMA 0.47.1 either"


def test_the_slices_plot_draws_one_bar_per_model_and_slice(course, candidate):
    tables = {"course": evaluation.metrics_table(course),
              "candidate": evaluation.metrics_table(candidate, "candidate")}
    fig = evaluation.slices_plot(tables, floor=evaluation.GROUP_FLOOR)
    [ax] = fig.axes
    assert len(ax.patches) == 2 * len(tables["course"])
    assert [t.get_text() for t in ax.get_xticklabels()] == list(tables["course"].index)


def test_an_empty_failures_table_for_a_model_that_passed():
    table = evaluation.failures_table(validation_result_pb2.ValidationResult(validation_ok=True))
    assert isinstance(table, pd.DataFrame) and table.empty and list(table.columns) == [
        "slice", "metric", "threshold", "value"]
