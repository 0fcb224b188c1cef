"""DataGate (utils/components/data_gate.py): passes clean splits, stops on anomalies, dataset anomalies and
missing data, and says which split failed and why."""

import pandas as pd
import pytest
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2, statistics_pb2
from tfx import v1 as tfx
from tfx.types import artifact_utils, standard_artifacts

from utils import pipeline
from utils.components import data_gate
from utils.components.data_gate import DataGate, DataGateError


def stats_of(islands):
    return tfdv.generate_statistics_from_dataframe(pd.DataFrame({"island": islands}))


@pytest.fixture(scope="module")
def schema():
    """Islands Biscoe and Dream, at least three examples per data set."""
    inferred = tfdv.infer_schema(stats_of(["Biscoe", "Dream", "Dream"]))
    inferred.dataset_constraints.min_examples_count = 3
    return inferred


@pytest.fixture(scope="module")
def validated(schema):
    """One Anomalies proto per kind of delivery, as ExampleValidator writes them (with TFDV)."""
    empty = statistics_pb2.DatasetFeatureStatisticsList(datasets=[statistics_pb2.DatasetFeatureStatistics()])
    return {
        "clean": tfdv.validate_statistics(stats_of(["Biscoe", "Dream", "Dream", "Biscoe"]), schema),
        "new_island": tfdv.validate_statistics(stats_of(["Biscoe", "Anvers", "Dream"]), schema),
        "empty": tfdv.validate_statistics(empty, schema),
        "tiny": tfdv.validate_statistics(stats_of(["Biscoe", "Dream"]), schema),
    }


def artifact(folder, splits: dict) -> standard_artifacts.ExampleAnomalies:
    """An ExampleAnomalies artifact laid out as ExampleValidator lays it out: Split-<name>/SchemaDiff.pb."""
    anomalies = standard_artifacts.ExampleAnomalies()
    anomalies.uri = str(folder)
    anomalies.split_names = artifact_utils.encode_split_names(list(splits))
    for split, proto in splits.items():
        (folder / f"Split-{split}").mkdir(parents=True)
        (folder / f"Split-{split}" / "SchemaDiff.pb").write_bytes(proto.SerializeToString())
    return anomalies


def test_tfdv_flags_the_empty_data_set_only_with_data_missing(validated):
    """The reason the gate exists: no anomaly at all for a data set without examples."""
    empty = validated["empty"]
    assert empty.data_missing and not empty.anomaly_info and not empty.HasField("dataset_anomaly_info")


def test_clean_splits_pass(tmp_path, validated):
    assert data_gate.check(artifact(tmp_path, {"train": validated["clean"], "eval": validated["clean"]})) \
        == ["train", "eval"]


@pytest.mark.parametrize("delivery, found", [
    ("new_island", "feature 'island': ENUM_TYPE_UNEXPECTED_STRING_VALUES"),
    ("empty", "no examples at all (data_missing)"),
    ("tiny", "DATASET_LOW_NUM_EXAMPLES"),
])
def test_a_bad_split_stops_the_run_naming_split_problem_and_remedy(tmp_path, validated, delivery, found):
    gated = artifact(tmp_path, {"train": validated["clean"], delivery: validated[delivery]})
    with pytest.raises(DataGateError) as caught:
        data_gate.check(gated)
    message = str(caught.value)
    assert "1 of 2 split(s) failed" in message
    assert f"split '{delivery}'" in message and "split 'train'" not in message
    assert found in message
    assert "What to do" in message and "schema.pbtxt" in message


def test_anomalies_naming_no_split_are_refused(tmp_path):
    with pytest.raises(DataGateError, match="name no split"):
        data_gate.check(artifact(tmp_path, {}))


def test_the_component_runs_the_check(tmp_path, validated):
    executor = DataGate.EXECUTOR_SPEC.executor_class()
    clean = artifact(tmp_path / "clean", {"train": validated["clean"]})
    executor.Do({"anomalies": [clean]}, {}, {})
    empty = artifact(tmp_path / "empty", {"train": validated["empty"]})
    with pytest.raises(DataGateError, match="data_missing"):
        executor.Do({"anomalies": [empty]}, {}, {})


def test_pipeline_declares_the_gate_on_the_validators_anomalies_and_transform_can_wait_for_it():
    example_gen = pipeline.example_gen()
    statistics_gen = pipeline.statistics_gen(example_gen)
    schema_gen = pipeline.import_schema_gen()
    validator = pipeline.example_validator(statistics_gen, schema_gen)
    gate = pipeline.data_gate(validator)
    assert gate.id == "DataGate" and pipeline.data_gate(validator, "corrupted").id == "corrupted_gate"
    assert gate.inputs["anomalies"] is validator.outputs["anomalies"]
    assert gate.inputs["anomalies"].type is standard_artifacts.ExampleAnomalies
    transform = pipeline.transform(example_gen, schema_gen)
    transform.add_upstream_node(gate)
    declared = tfx.dsl.Pipeline(pipeline_name="gate_order", pipeline_root="unused",
                                components=[transform, gate, validator, schema_gen, statistics_gen,
                                            example_gen])
    order = [component.id for component in declared.components]
    assert order.index("ExampleValidator") < order.index("DataGate") < order.index("Transform")


def test_split_problems_lists_every_kind_once():
    anomalies = anomalies_pb2.Anomalies(data_missing=True)
    anomalies.dataset_anomaly_info.reason.add(type=anomalies_pb2.AnomalyInfo.DATASET_LOW_NUM_EXAMPLES,
                                              description="too few")
    anomalies.anomaly_info["sex"].reason.add(type=anomalies_pb2.AnomalyInfo.SCHEMA_MISSING_COLUMN)
    problems = data_gate.split_problems(anomalies)
    assert len(problems) == 3
    assert problems[1] == "the data set as a whole: DATASET_LOW_NUM_EXAMPLES (too few)"
    assert problems[2] == "feature 'sex': SCHEMA_MISSING_COLUMN"
    assert data_gate.split_problems(anomalies_pb2.Anomalies()) == []


@tfx.dsl.components.component
def AfterTheGate(examples: tfx.dsl.components.InputArtifact[standard_artifacts.Examples]):
    """Stands for Transform in the orchestrated test: it must not run when the gate fails."""


def test_an_orchestrated_run_stops_at_the_gate_on_a_header_only_delivery(tmp_path):
    """LocalDagRunner, as chapter 09 will run it: a CSV with only its header is refused by the gate, and the
    component that waits for the gate (add_upstream_node) never runs."""
    source = tmp_path / "delivery"
    source.mkdir()
    (source / "penguins.csv").write_text("species,island,body_mass_g\n")
    example_gen = tfx.components.CsvExampleGen(input_base=str(source))
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    schema_file = tmp_path / "schema" / "schema.pbtxt"
    schema_file.parent.mkdir()
    tfdv.write_schema_text(tfdv.infer_schema(tfdv.generate_statistics_from_dataframe(
        pd.DataFrame({"species": ["Adelie"], "island": ["Dream"], "body_mass_g": [3000]}))), str(schema_file))
    schema_gen = tfx.components.ImportSchemaGen(schema_file=str(schema_file))
    validator = tfx.components.ExampleValidator(statistics=statistics_gen.outputs["statistics"],
                                                schema=schema_gen.outputs["schema"])
    gate = pipeline.data_gate(validator)
    after = AfterTheGate(examples=example_gen.outputs["examples"])
    after.add_upstream_node(gate)
    run = tfx.dsl.Pipeline(
        pipeline_name="gate_test", pipeline_root=str(tmp_path / "root"),
        metadata_connection_config=tfx.orchestration.metadata.sqlite_metadata_connection_config(
            str(tmp_path / "metadata.sqlite")),
        components=[example_gen, statistics_gen, schema_gen, validator, gate, after])
    with pytest.raises(DataGateError) as caught:
        tfx.orchestration.LocalDagRunner().run(run)
    assert "data_missing" in str(caught.value) and "split 'train'" in str(caught.value)
    assert not (tmp_path / "root" / "AfterTheGate").exists(), "the component after the gate ran"
