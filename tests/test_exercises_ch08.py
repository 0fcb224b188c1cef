"""Chapter 08's checks: right answers pass, typical wrong ones fail with their hint, None waits. They run on a
store built in memory with the course's shape (utils/metadata_fakes.py), so no pipeline runs."""

import pytest
from ml_metadata.proto import metadata_store_pb2

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import exercises, lineage, metadata_fakes


@pytest.fixture(scope="module")
def fake():
    return metadata_fakes.course_store()


def test_none_means_not_attempted(capsys, fake):
    store, ids = fake
    assert_not_attempted(exercises.check_08_trainer_schema(store, ids["model"], None))
    assert_not_attempted(exercises.check_08_incident(store, ids["retrained_pushed"], None))
    assert_not_attempted(exercises.check_08_models_to_retrain(None, store, ids["examples"]))
    assert capsys.readouterr().out.count("not attempted yet") == 3


def test_8_1_the_schema_is_found_through_transform(fake):
    store, ids = fake
    assert exercises.check_08_trainer_schema(store, ids["model"], ids["schema"])
    assert_wrong(exercises.check_08_trainer_schema(store, ids["model"], ids["transform_graph"]),
                 "is a TransformGraph, not a Schema")
    assert_wrong(exercises.check_08_trainer_schema(store, ids["model"], ids["model"]), "the model itself")
    assert_wrong(exercises.check_08_trainer_schema(store, ids["model"], 999), "no artifact 999")
    assert_wrong(exercises.check_08_trainer_schema(store, ids["model"], str(ids["schema"])), "an int")


def test_8_1_a_schema_off_the_models_path_is_named_by_its_maker():
    fake = metadata_fakes.FakeStore()
    store, ids = fake.store, {}
    ids["inferred"] = fake.artifact("Schema", "/p/SchemaGen/schema/1")
    fake.execution("ImportSchemaGen", kind="ImportSchemaGen", outputs={"schema": [ids["inferred"]]})
    ids["curated"] = fake.artifact("Schema")
    ids["graph"] = fake.artifact("TransformGraph")
    fake.execution("Transform", inputs={"schema": [ids["curated"]]},
                   outputs={"transform_graph": [ids["graph"]]})
    ids["model"] = fake.artifact("Model")
    fake.execution("Trainer", inputs={"transform_graph": [ids["graph"]]}, outputs={"model": [ids["model"]]})
    assert exercises.check_08_trainer_schema(store, ids["model"], ids["curated"])
    assert_wrong(exercises.check_08_trainer_schema(store, ids["model"], ids["inferred"]),
                 "made by ImportSchemaGen, and no execution on the model's path read it")


def right_incident(store, ids):
    [trainer] = store.get_executions_by_id([ids["trainer_execution"]])
    return {"model": ids["retrained"], "examples": ids["examples"], "span": 0, "schema": ids["schema"],
            "trainer_code": exercises.ch08.module_hash(trainer),
            "same_data_models": {ids["model"], ids["candidate"]}}


def test_8_2_the_incident_right_and_each_typical_mistake(fake):
    store, ids = fake
    right = right_incident(store, ids)
    assert right["trainer_code"] == metadata_fakes.TRAINER_HASH
    assert exercises.check_08_incident(store, ids["retrained_pushed"], right)
    transformed = lineage.upstream_artifacts(store, ids["retrained"], "Examples")
    [transformed_id] = [a.id for a in transformed if a.id != ids["examples"]]
    wrong = {
        "the baseline the Evaluator compared": dict(right, model=ids["model"]),
        "follow the Pusher's inputs": dict(right, model=ids["candidate"]),
        "written by Transform": dict(right, examples=transformed_id),
        "not upstream of model": dict(right, examples=ids["examples_2"]),
        "custom_properties\\['span'\\]": dict(right, span=2),
        "exercise 8.1": dict(right, schema=ids["transform_graph"]),
        "Transform module's hash": dict(right, trainer_code="cd" * 32),
        "after '0.0\\+'": dict(right, trainer_code="penguin_trainer@/p/_wheels/t.whl"),
        "leave model": dict(right, same_data_models={ids["candidate"], ids["model"], ids["retrained"]}),
        "walk DOWNSTREAM": dict(right, same_data_models={ids["model"]}),
        "were not trained on examples": dict(right, same_data_models={ids["candidate"], ids["model"],
                                                                       ids["other_model"]}),
        "exactly the keys": {k: v for k, v in right.items() if k != "span"},
        "a set of model artifact ids": dict(right, same_data_models="9"),
    }
    for hint, answer in wrong.items():
        assert_wrong(exercises.check_08_incident(store, ids["retrained_pushed"], answer), hint)


def downstream_models(store, examples_id):
    Query = metadata_store_pb2.LineageSubgraphQueryOptions
    graph = store.get_lineage_subgraph(Query(
        starting_artifacts=Query.StartingNodes(filter_query=f"id = {examples_id}"), max_num_hops=20,
        direction=Query.DOWNSTREAM))
    model_types = {t.id for t in graph.artifact_types if t.name == "Model"}
    return {a.id for a in graph.artifacts if a.type_id in model_types}


def test_8_3_a_downstream_walk_passes(fake):
    store, ids = fake
    assert exercises.check_08_models_to_retrain(downstream_models, store, ids["examples"])


def test_8_3_typical_wrong_queries_fail_with_their_hint(fake):
    store, ids = fake

    def direct_consumers(store, examples_id):  # the executions that read the span, and the models they wrote
        readers = {e.execution_id for e in store.get_events_by_artifact_ids([examples_id])
                   if e.type == metadata_store_pb2.Event.INPUT}
        return {e.artifact_id for e in store.get_events_by_execution_ids(list(readers))
                if e.type == metadata_store_pb2.Event.OUTPUT and e.path.steps[0].key == "model"}

    def evaluated_on(store, examples_id):  # every model an Evaluator read beside the span
        readers = {e.execution_id for e in store.get_events_by_artifact_ids([examples_id])
                   if e.type == metadata_store_pb2.Event.INPUT}
        return {e.artifact_id for e in store.get_events_by_execution_ids(list(readers))
                if e.type == metadata_store_pb2.Event.INPUT and e.path.steps[0].key == "model"}

    def everything_downstream(store, examples_id):
        Query = metadata_store_pb2.LineageSubgraphQueryOptions
        graph = store.get_lineage_subgraph(Query(
            starting_artifacts=Query.StartingNodes(filter_query=f"id = {examples_id}"), max_num_hops=20,
            direction=Query.DOWNSTREAM))
        return {a.id for a in graph.artifacts}

    def hard_coded(store, examples_id):
        return {ids["model"], ids["candidate"], ids["retrained"]}

    def broken(store, examples_id):
        return store.get_artifacts_by_id(examples_id)

    assert_wrong(exercises.check_08_models_to_retrain(direct_consumers, store, ids["examples"]),
                 "not the raw examples, so the models are several hops downstream")
    assert_wrong(exercises.check_08_models_to_retrain(evaluated_on, store, ids["examples"]),
                 "only \\*evaluated\\* on these examples")
    assert_wrong(exercises.check_08_models_to_retrain(everything_downstream, store, ids["examples"]),
                 "keep only the artifacts of type Model")
    assert_wrong(exercises.check_08_models_to_retrain(hard_coded, store, ids["examples"]),
                 "on a test store, span 2 you missed")
    assert_wrong(exercises.check_08_models_to_retrain(broken, store, ids["examples"]), "raised TypeError")
    assert_wrong(exercises.check_08_models_to_retrain(lambda s, e: "8", store, ids["examples"]),
                 "return the model ids")
    assert_wrong(exercises.check_08_models_to_retrain({1, 2}, store, ids["examples"]), "a function")
