"""utils/lineage.py and utils/lineage_plot.py on a small store built in memory (utils/metadata_fakes.py),
shaped as InteractiveContext writes it: cache hits and a Resolver re-output artifacts, an Importer is
recorded cached."""

import pandas as pd
import pytest
from ml_metadata.proto import metadata_store_pb2

from utils import lineage, lineage_plot, metadata_fakes


@pytest.fixture(scope="module")
def fake():
    return metadata_fakes.course_store()


def test_the_producer_is_the_first_execution_that_output_the_artifact(fake):
    store, ids = fake
    events = store.get_events_by_artifact_ids([ids["model"]])
    outputs = [e.execution_id for e in events if e.type == metadata_store_pb2.Event.OUTPUT]
    assert len(outputs) == 3, "the Trainer, its cache hit and the Resolver all output the course model"
    assert lineage.producers(events)[ids["model"]] == ids["trainer_execution"] == min(outputs)


def test_upstream_of_the_course_model_are_its_data_schema_and_hyperparameters(fake):
    store, ids = fake
    assert [a.id for a in lineage.upstream_artifacts(store, ids["model"], "Schema")] == [ids["schema"]]
    assert [a.id for a in lineage.upstream_artifacts(store, ids["model"], "HyperParameters")] == [
        ids["hyperparameters"]]
    raw = [a.id for a in lineage.upstream_artifacts(store, ids["model"], "Examples")]
    assert ids["examples"] in raw and ids["examples_2"] not in raw
    assert lineage.upstream_artifacts(store, ids["model"], "PushedModel") == []


def test_without_cache_records_keeps_the_executions_that_did_the_work(fake):
    store, ids = fake
    graph = lineage.subgraph(store, [ids["model"]])
    pruned = lineage.without_cache_records(graph)
    kept = {lineage.component_id(e) for e in pruned.executions}
    assert kept == {"CsvExampleGen", "ImportSchemaGen", "Transform", "tuned_hyperparameters", "Trainer"}
    assert not any(lineage.is_cache_hit(e) and lineage.component_id(e) != "tuned_hyperparameters"
                   for e in pruned.executions), "the Importer stays: recorded cached, it made its artifact"
    assert len(graph.executions) - len(pruned.executions) == 3  # CsvExampleGen and Trainer hits, Resolver
    assert {e.execution_id for e in pruned.events} <= {e.id for e in pruned.executions}


def test_subgraph_refuses_an_empty_start():
    with pytest.raises(ValueError, match="at least one artifact id"):
        lineage.subgraph(metadata_fakes.FakeStore().store, [])


def test_the_models_table_has_trainer_data_verdicts_and_pushes(fake):
    store, ids = fake
    table = lineage.models_table(store)
    assert list(table.index) == [ids["model"], ids["candidate"], ids["retrained"], ids["other_model"]]
    course = table.loc[ids["model"]]
    assert (course["trainer"], course["train steps"], course["span/version"]) == ("Trainer", 100, "0/-")
    assert course["blessed"] == "Evaluator: yes" and course["pushed version"] == metadata_fakes.PUSHED_VERSION
    candidate = table.loc[ids["candidate"]]
    assert candidate["blessed"] == "without_bill_length_evaluator: no" and candidate["pushed version"] == ""
    assert table.loc[ids["other_model"], "span/version"] == "2/2"
    retrained = table.loc[ids["retrained"]]
    assert (retrained["train steps"], retrained["blessed"]) == (200, "retrained_evaluator: yes")
    assert retrained["pushed version"] == metadata_fakes.RETRAINED_VERSION


def test_pushes_into_another_folder_are_left_out_when_a_folder_is_named(fake):
    """Chapter 07 pushes the same models again into a demo folder of its own; chapter 08 asks about chapter
    06's folder only."""
    store, ids = fake
    assert lineage.pushes(store, "/work/serving/penguins") == lineage.pushes(store)
    assert lineage.pushes(store, "/work/serving/penguins_live") == {}
    assert lineage.models_table(store, "/work/serving/penguins_live")["pushed version"].eq("").all()


def test_a_model_without_a_trainer_has_no_steps_and_the_others_stay_integers():
    fake = metadata_fakes.FakeStore()
    imported = fake.artifact("Model", "/elsewhere/model")
    fake.execution("model_exported_again", kind="Importer", cached=True, outputs={"result": [imported]})
    trained = fake.artifact("Model", "/p/Trainer/model")
    fake.execution("Trainer", outputs={"model": [trained]}, train_args='{"num_steps": 100}')
    table = lineage.models_table(fake.store)
    assert table.loc[trained, "train steps"] == 100 and str(table["train steps"].dtype) == "Int64"
    assert table.loc[imported, "trainer"] == "model_exported_again"
    assert table.loc[imported, "train steps"] is pd.NA
    assert "100.0" not in table.to_string()


def test_runs_per_component_counts_real_runs_and_cache_hits(fake):
    store, _ = fake
    runs = lineage.runs_per_component(store)
    assert list(runs.columns) == ["ran", "cache hits"]
    assert runs.loc["Trainer"].tolist() == [2, 1]
    assert runs.loc["tuned_hyperparameters"].tolist() == [0, 1], "an Importer is recorded as a cache hit"
    assert runs.loc["latest_blessed_model_resolver"].tolist() == [0, 1]


def test_the_picture_has_one_box_per_node_and_marks_cache_hits(fake):
    store, ids = fake
    graph = lineage.subgraph(store, [ids["model"]])
    figure = lineage_plot.draw(graph, "upstream", highlight=[ids["model"]], notes={ids["examples"]: "span 0"})
    texts = [t.get_text() for t in figure.axes[0].texts if t.get_text()]  # arrows are empty texts
    assert len(texts) == len(graph.artifacts) + len(graph.executions)
    assert f"Examples #{ids['examples']}\nspan 0" in texts and f"Model #{ids['model']}" in texts
    assert sum("(cache hit)" in t for t in texts) == 4  # ExampleGen, Importer, Trainer, Resolver records
    assert figure.axes[0].get_title() == "upstream"


def test_the_picture_of_an_empty_graph_says_why():
    with pytest.raises(ValueError, match="empty"):
        lineage_plot.draw(metadata_store_pb2.LineageGraph())
