"""Chapter 09's checks: right answers pass, typical wrong ones fail with their hint, None waits. 9.1 and 9.2
read the course pipeline object (nothing runs), 9.3 the delivery the exercise writes."""

import pytest

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import course_pipeline, exercises
from utils.exercises import ch09

STARTS = {"CsvExampleGen", "ImportSchemaGen", "tuned_hyperparameters"}
AFTER_TRANSFORM = {"Transform", "Trainer", "baseline_resolver", "Evaluator", "ModelServerInfraValidator",
                   "Pusher"}
WHY = ("Team a is offline on laptops, team b already runs its ETL on Airflow, and team c has no servers, "
       "so Vertex runs its containers.")


@pytest.fixture(scope="module")
def penguins(tmp_path_factory):
    layout = course_pipeline.Layout.for_run("penguins_local", base=tmp_path_factory.mktemp("ch09"))
    return course_pipeline.create_pipeline(layout)


@pytest.fixture(scope="module")
def everything(penguins):
    return {node.id for node in penguins.components}


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    return ch09.refused_delivery(tmp_path_factory.mktemp("station"))


def test_none_means_not_attempted(capsys, penguins, station):
    assert_not_attempted(exercises.check_09_starting_nodes(penguins, None))
    assert_not_attempted(exercises.check_09_predict_reruns(penguins, None))
    assert_not_attempted(exercises.check_09_diagnose_delivery(station, None))
    assert_not_attempted(exercises.check_09_choose_orchestrator(None, ""))
    assert capsys.readouterr().out.count("not attempted yet") == 4


def test_9_1_the_starts(penguins):
    assert exercises.check_09_starting_nodes(penguins, STARTS)
    assert_wrong(exercises.check_09_starting_nodes(penguins, {"CsvExampleGen"}),
                 "importer reads a file")
    assert_wrong(exercises.check_09_starting_nodes(penguins, STARTS | {"StatisticsGen"}),
                 "StatisticsGen waits for")
    assert_wrong(exercises.check_09_starting_nodes(penguins, STARTS | {"Schemagen"}), "not a node")
    assert_wrong(exercises.check_09_starting_nodes(penguins, "CsvExampleGen"), "a set of node ids")


def test_9_2_predicted_reruns(penguins, everything):
    new_file = everything - {"ImportSchemaGen", "tuned_hyperparameters"}
    assert exercises.check_09_predict_reruns(penguins, {"transform_module": AFTER_TRANSFORM,
                                                        "new_file": new_file})
    assert exercises.check_09_predict_reruns(  # the resolver runs anyway: with or without it
        penguins, {"transform_module": AFTER_TRANSFORM - {"baseline_resolver"}, "new_file": new_file})
    assert_wrong(exercises.check_09_predict_reruns(penguins, {"transform_module": {"Transform"},
                                                              "new_file": new_file}),
                 "reads an output of a node that runs again")
    assert_wrong(exercises.check_09_predict_reruns(
        penguins, {"transform_module": AFTER_TRANSFORM | {"CsvExampleGen"}, "new_file": new_file}),
        "CsvExampleGen does not read anything Transform wrote")
    assert_wrong(exercises.check_09_predict_reruns(penguins, {"transform_module": AFTER_TRANSFORM,
                                                              "new_file": everything}), "importer")
    assert_wrong(exercises.check_09_predict_reruns(
        penguins, {"transform_module": AFTER_TRANSFORM - {"ModelServerInfraValidator"},
                   "new_file": new_file}),
        "ModelServerInfraValidator reads an output")
    assert_wrong(exercises.check_09_predict_reruns(
        penguins, {"transform_module": AFTER_TRANSFORM - {"Transform"}, "new_file": new_file}),
        "input of Transform itself")
    assert_wrong(exercises.check_09_predict_reruns(penguins, {"transform": AFTER_TRANSFORM}), "a dict")


def test_9_3_diagnosis(station):
    right = {"file": "colony_c.csv", "column": "flipper_length_mm", "cause": "c"}
    assert exercises.check_09_diagnose_delivery(station, right)
    assert_wrong(exercises.check_09_diagnose_delivery(station, {**right, "file": "colony_a.csv"}),
                 "not the file the message names")
    assert_wrong(exercises.check_09_diagnose_delivery(station, {**right, "column": "body_mass_g"}),
                 "another column")
    assert_wrong(exercises.check_09_diagnose_delivery(station, {**right, "cause": "d"}), "form problem")
    assert_wrong(exercises.check_09_diagnose_delivery(station, {**right, "cause": "b"}), "island")
    assert_wrong(exercises.check_09_diagnose_delivery(station, {**right, "cause": "a"}), "missing column")
    assert_wrong(exercises.check_09_diagnose_delivery(station, {"file": "colony_c.csv"}), "a dict")


def test_9_3_the_delivery_is_refused_for_one_file_only(station):
    from utils import own_data

    with pytest.raises(own_data.OwnDataError) as refused:
        own_data.check_folder(station)
    problems = [line for line in str(refused.value).splitlines() if line.startswith("  - ")]
    assert problems and all(line.startswith("  - colony_c.csv: column 'flipper_length_mm'")
                            for line in problems)


def test_9_4_choices():
    right = {"a": "local", "b": "airflow", "c": "vertex"}
    assert exercises.check_09_choose_orchestrator(right, WHY)
    assert_wrong(exercises.check_09_choose_orchestrator({**right, "a": "airflow"}, WHY),
                 "offline on laptops")
    assert_wrong(exercises.check_09_choose_orchestrator({**right, "b": "local"}, WHY), "already runs Airflow")
    assert_wrong(exercises.check_09_choose_orchestrator({**right, "c": "airflow"}, WHY), "no servers")
    assert_wrong(exercises.check_09_choose_orchestrator({**right, "c": "kubernetes"}, WHY), "not one of")
    assert_wrong(exercises.check_09_choose_orchestrator(right, "because"), "words at least")
