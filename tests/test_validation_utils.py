"""utils.statistics, utils.validation and utils.schema on small hand-made data."""

import matplotlib
import pandas as pd
import pytest
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2, statistics_pb2

from utils import paths, schema, statistics, validation

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def stats():
    frame = pd.DataFrame({"island": ["Dream", "Dream", "Biscoe", "Torgersen"],
                          "body_mass_g": [3000, 4000, 5000, 0]})
    return tfdv.generate_statistics_from_dataframe(frame)


def test_numeric_table_summarises_numbers(stats):
    table = statistics.numeric_table(stats)
    row = table.loc["body_mass_g"]
    assert list(table.index) == ["body_mass_g"]
    assert (row["examples"], row["missing"], row["min"], row["max"], row["zeros"]) == (4, 0, 0, 5000, 1)
    assert row["mean"] == 3000


def test_categorical_table_and_top_values(stats):
    table = statistics.categorical_table(stats)
    assert table.loc["island", "distinct"] == 3
    assert table.loc["island", "top values"].startswith("Dream (2)")
    assert statistics.top_values(stats, "island") == {"Dream": 2, "Biscoe": 1, "Torgersen": 1}
    assert statistics.num_examples(stats) == 4


def test_plot_draws_one_panel_per_feature(stats):
    figure = statistics.plot({"a": stats, "b": stats})
    visible = [axis for axis in figure.axes if axis.get_visible()]
    assert sorted(axis.get_title() for axis in visible) == ["body_mass_g", "island"]


def test_an_integer_feature_gets_integer_ticks():
    years = tfdv.generate_statistics_from_dataframe(pd.DataFrame({"year": [2007, 2008, 2008, 2009],
                                                                 "mass": [3.5, 4.25, 3.75, 5.0]}))
    figure = statistics.plot({"train": years})
    axes = {axis.get_title(): axis for axis in figure.axes if axis.get_visible()}
    figure.canvas.draw()
    ticks = [t for t in axes["year"].get_xticks() if 2007 <= t <= 2009]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
    assert not all(float(t).is_integer() for t in axes["mass"].get_xticks())  # floats keep their ticks


def test_unknown_feature_is_named(stats):
    with pytest.raises(KeyError, match="no feature 'beak'"):
        statistics.top_values(stats, "beak")


def test_found_and_table_read_anomalies(stats):
    strict = tfdv.infer_schema(stats)
    tfdv.get_domain(strict, "island").value.remove("Torgersen")
    anomalies = tfdv.validate_statistics(stats, strict)
    assert validation.found(anomalies) == {"island": ["ENUM_TYPE_UNEXPECTED_STRING_VALUES"]}
    assert list(validation.table(anomalies)["feature"]) == ["island"]
    assert validation.found(anomalies_pb2.Anomalies()) == {}


def test_jsd_measures_categories_too_and_l_infinity_measures_nothing_on_numbers(stats):
    """The course says: L-infinity for category shares only, TFDV's approximate JSD for both."""
    schema_ = tfdv.infer_schema(stats)
    tfdv.get_feature(schema_, "island").drift_comparator.jensen_shannon_divergence.threshold = 0.1
    tfdv.get_feature(schema_, "body_mass_g").drift_comparator.infinity_norm.threshold = 0.1
    moved = tfdv.generate_statistics_from_dataframe(
        pd.DataFrame({"island": ["Biscoe"] * 4, "body_mass_g": [6000, 7000, 8000, 9000]}))
    anomalies = tfdv.validate_statistics(moved, schema_, previous_statistics=stats)
    measured = validation.drift_measurements(anomalies)
    assert measured["island"][0] == "JENSEN_SHANNON_DIVERGENCE" and measured["island"][1] > 0.1
    assert measured["body_mass_g"] == ("L_INFTY", 0.0, 0.1)  # a very different mass, and L-infinity says 0
    assert validation.found(anomalies) == {"island": ["COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"]}


def test_dataset_found_reads_dataset_anomalies_and_empty_data_only_sets_data_missing(stats):
    schema_ = tfdv.infer_schema(stats)
    schema_.dataset_constraints.min_examples_count = 10
    too_few = tfdv.validate_statistics(stats, schema_)
    assert validation.dataset_found(too_few) == ["DATASET_LOW_NUM_EXAMPLES"]
    assert list(validation.table(too_few)["feature"]) == ["[data set]"]
    empty = statistics_pb2.DatasetFeatureStatisticsList(datasets=[statistics_pb2.DatasetFeatureStatistics()])
    nothing = tfdv.validate_statistics(empty, schema_)
    assert nothing.data_missing
    assert validation.dataset_found(nothing) == [] and validation.found(nothing) == {}


def test_drift_is_measured_and_flagged(stats):
    curated = tfdv.infer_schema(stats)
    tfdv.get_feature(curated, "island").drift_comparator.infinity_norm.threshold = 0.25
    moved = tfdv.generate_statistics_from_dataframe(
        pd.DataFrame({"island": ["Biscoe"] * 4, "body_mass_g": [3000, 4000, 5000, 0]}))
    anomalies = tfdv.validate_statistics(moved, curated, previous_statistics=stats)
    assert validation.found(anomalies) == {"island": ["COMPARATOR_L_INFTY_HIGH"]}
    assert validation.drift_measurements(anomalies)["island"] == ("L_INFTY", 0.75, 0.25)


def test_curated_schema_is_the_contract_the_course_relies_on():
    curated = schema.load(paths.CURATED_SCHEMA)
    table = schema.features_table(curated)
    assert table.loc["species", "not in environments"] == "SERVING"
    assert table.loc["island", "allowed values"] == "Biscoe, Dream, Torgersen"
    assert table.loc["body_mass_g", "allowed values"] == "[2000, 8000]"
    assert list(curated.default_environment) == ["TRAINING", "SERVING"]
    assert curated.dataset_constraints.min_examples_count == 50
    assert not any(feature.HasField("shape") for feature in curated.feature)


def test_save_reports_change_and_content_addressed_copy_follows_content(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.WORKDIR_ENV, str(tmp_path / "work"))
    target = tmp_path / "schema.pbtxt"
    small = schema_pb2.Schema()
    small.feature.add(name="x", type=schema_pb2.INT)
    assert schema.save(small, target) is True
    assert schema.save(small, target) is False
    first = schema.content_addressed_copy(target)
    assert first.read_bytes() == target.read_bytes() and first == schema.content_addressed_copy(target)
    small.feature.add(name="y", type=schema_pb2.FLOAT)
    schema.save(small, target)
    assert schema.content_addressed_copy(target) != first
    assert [f.name for f in schema.load(target).feature] == ["x", "y"]


def test_shapes_go_only_to_features_never_empty_and_a_gap_is_flagged_without_one(tmp_path):
    """Chapter 02's reason for infer_feature_shape=False, checked on tf.Examples as CsvExampleGen writes them
    (a missing CSV value is an empty list)."""
    import tensorflow as tf

    def example(island, mass):
        return tf.train.Example(features=tf.train.Features(feature={
            "island": tf.train.Feature(bytes_list=tf.train.BytesList(value=[island] if island else [])),
            "body_mass_g": tf.train.Feature(int64_list=tf.train.Int64List(value=[mass] if mass else [])),
        })).SerializeToString()

    def stats_of(rows, name):
        path = str(tmp_path / f"{name}.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            for row in rows:
                writer.write(example(*row))
        return tfdv.generate_statistics_from_tfrecord(path)

    seen = stats_of([(b"Dream", 3000), (b"Biscoe", None), (b"Dream", 4000)], "seen")
    shaped = tfdv.infer_schema(seen, infer_feature_shape=True)
    assert [f.name for f in shaped.feature if f.HasField("shape")] == ["island"]
    unshaped = tfdv.infer_schema(seen, infer_feature_shape=False)
    gap = stats_of([(b"Dream", 3000), (None, 3500)], "gap")
    assert validation.found(tfdv.validate_statistics(gap, unshaped)) == {
        "island": ["FEATURE_TYPE_LOW_NUMBER_VALUES"]}


def test_distribution_validator_is_outside_tfx_v1_but_its_config_is_in_tfx_proto():
    """What chapter 02 says about importing DistributionValidator in TFX 1.16."""
    from tfx import v1 as tfx
    from tfx.components.distribution_validator.component import DistributionValidator
    from tfx.proto import distribution_validator_pb2

    assert not hasattr(tfx.components, "DistributionValidator") and DistributionValidator
    assert tfx.proto.DistributionValidatorConfig is distribution_validator_pb2.DistributionValidatorConfig
