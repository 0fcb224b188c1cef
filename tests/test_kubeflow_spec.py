"""The course pipeline compiled by KubeflowV2DagRunner (utils/kubeflow_spec.py): every component is a task,
the DAG's edges are the pipeline's data flow (and DataGate's execution order), every container runs the
course image with the right executor, and the module files are built into wheels under the pipeline root."""

from __future__ import annotations

import json

import pytest

from utils import kubeflow_spec

IMAGE = "example.org/course/tfx-step-by-step:test"
RUN_EXECUTOR = "tfx.orchestration.kubeflow.v2.container.kubeflow_v2_run_executor"
EDGES = {
    "StatisticsGen": {"CsvExampleGen"},
    "ExampleValidator": {"StatisticsGen", "ImportSchemaGen"},
    "DataGate": {"ExampleValidator"},
    "Transform": {"CsvExampleGen", "ImportSchemaGen", "DataGate"},
    "Trainer": {"Transform", "tuned_hyperparameters"},
    "Evaluator": {"CsvExampleGen", "Trainer", "latest_blessed_model_resolver-model-resolver"},
    "ModelServerInfraValidator": {"CsvExampleGen", "Trainer"},
    "Pusher": {"Evaluator", "ModelServerInfraValidator"},
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    base = tmp_path_factory.mktemp("kubeflow")
    path = kubeflow_spec.compile_spec(base / "out", base / "root", image=IMAGE)
    return json.loads(path.read_text()), base / "root"


def test_every_component_is_a_task_with_its_upstream(compiled):
    spec, _ = compiled
    tasks = spec["pipelineSpec"]["root"]["dag"]["tasks"]
    assert set(EDGES) | {"CsvExampleGen", "ImportSchemaGen", "tuned_hyperparameters"} <= set(tasks)
    for task, upstream in EDGES.items():
        assert set(tasks[task].get("dependentTasks", [])) == upstream, task
    assert tasks["Pusher"]["inputs"]["artifacts"]["infra_blessing"]["taskOutputArtifact"] == {
        "outputArtifactKey": "blessing", "producerTask": "ModelServerInfraValidator"}


def test_every_container_runs_the_course_image_with_its_executor(compiled):
    spec, _ = compiled
    executors = spec["pipelineSpec"]["deploymentSpec"]["executors"]
    classes = {}
    for name, executor in executors.items():
        if "container" in executor:
            container = executor["container"]
            assert container["image"] == IMAGE, name
            assert container["command"] == ["python", "-m", RUN_EXECUTOR], name
            args = container["args"]
            classes[name] = args[args.index("--executor_class_path") + 1]
    assert classes["DataGate_executor"] == "utils.components.data_gate.DataGate_Executor"
    assert classes["ModelServerInfraValidator_executor"] == "utils.components.model_server_validator.Executor"
    assert classes["Trainer_executor"] == "tfx.components.trainer.executor.GenericExecutor"
    assert "importer" in executors["tuned_hyperparameters_executor"]


def test_the_spec_names_its_root_and_the_module_wheels_are_built_there(compiled):
    spec, root = compiled
    assert spec["runtimeConfig"]["gcsOutputDirectory"] == str(root)
    assert spec["pipelineSpec"]["pipelineInfo"]["name"] == kubeflow_spec.PIPELINE_NAME
    assert spec["labels"]["tfx_runner"] == "kubeflow_v2" and spec["labels"]["tfx_version"] == "1-16-0"
    transform = spec["pipelineSpec"]["root"]["dag"]["tasks"]["Transform"]["inputs"]["parameters"]
    module_path = transform["module_path"]["runtimeValue"]["constantValue"]["stringValue"]
    module, wheel = module_path.split("@")
    assert module == "penguin_transform" and wheel.startswith(str(root / "_wheels"))
    assert (root / "_wheels").is_dir() and any((root / "_wheels").glob("tfx_user_code_transform-*.whl"))
