"""Small ML Metadata stores built by hand, in memory, shaped as the course's InteractiveContext writes them.

Chapter 08's lineage helpers and exercise checks are tested on these instead of a TFX run: a store is built in
milliseconds and holds exactly the traps a query must survive. The shape copies what TFX 1.16's legacy
launcher (InteractiveContext) records, checked on the course store:

* an execution's type is the component's class path; its ``component_id`` and ``state`` (``complete``,
  ``cached``) are string properties, and ``last_known_state`` says COMPLETE or CACHED;
* a cached execution records OUTPUT events to the *same* artifacts as the execution it reused;
* a Resolver records OUTPUT events only (no input), and an Importer is recorded ``cached`` on its first run;
* Examples carry ``span``, ``version`` and ``input_fingerprint`` as custom properties; a ModelBlessing carries
  ``blessed`` and ``current_model_id``; a PushedModel ``pushed`` and ``pushed_version`` (a string);
* chapter 06's Pusher reads no model: it pushes the copy in the infra validator's blessing.
"""

from __future__ import annotations

from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2

COMPONENT_TYPES = {  # component id -> execution type name, as TFX registers them
    "CsvExampleGen": "tfx.components.example_gen.csv_example_gen.component.CsvExampleGen",
    "ImportSchemaGen": "tfx.components.schema_gen.import_schema_gen.component.ImportSchemaGen",
    "StatisticsGen": "tfx.components.statistics_gen.component.StatisticsGen",
    "ExampleValidator": "tfx.components.example_validator.component.ExampleValidator",
    "Transform": "tfx.components.transform.component.Transform",
    "Importer": "tfx.dsl.components.common.importer.Importer",
    "Resolver": "tfx.dsl.components.common.resolver.Resolver",
    "Trainer": "tfx.components.trainer.component.Trainer",
    "Evaluator": "tfx.components.evaluator.component.Evaluator",
    "Pusher": "tfx.components.pusher.component.Pusher",
    "ModelServerInfraValidator": "utils.components.model_server_validator.ModelServerInfraValidator",
}


class FakeStore:
    """An in-memory ML Metadata store and the few calls it takes to fill it like InteractiveContext does."""

    def __init__(self):
        config = metadata_store_pb2.ConnectionConfig(fake_database=metadata_store_pb2.FakeDatabaseConfig())
        self.store = metadata_store.MetadataStore(config)
        self._artifact_types: dict[str, int] = {}
        self._execution_types: dict[str, int] = {}

    def artifact(self, type_name: str, uri: str = "", **custom_properties) -> int:
        """A new artifact of ``type_name`` with int or str custom properties; returns its id."""
        if type_name not in self._artifact_types:
            self._artifact_types[type_name] = self.store.put_artifact_type(
                metadata_store_pb2.ArtifactType(name=type_name))
        artifact = metadata_store_pb2.Artifact(type_id=self._artifact_types[type_name], uri=uri,
                                               state=metadata_store_pb2.Artifact.LIVE)
        for key, value in custom_properties.items():
            if isinstance(value, int):
                artifact.custom_properties[key].int_value = value
            else:
                artifact.custom_properties[key].string_value = str(value)
        [artifact_id] = self.store.put_artifacts([artifact])
        return artifact_id

    def execution(self, component_id: str, inputs: dict | None = None, outputs: dict | None = None,
                  cached: bool = False, kind: str | None = None, **exec_properties) -> int:
        """A finished execution of ``component_id`` (its class given by ``kind``, default the id itself)
        reading ``inputs`` and writing ``outputs`` ({key: [artifact ids]}); returns its id."""
        type_name = COMPONENT_TYPES[kind or component_id]
        if type_name not in self._execution_types:
            execution_type = metadata_store_pb2.ExecutionType(name=type_name)
            for key in ("component_id", "state", "module_path", "train_args", "custom_config"):
                execution_type.properties[key] = metadata_store_pb2.STRING
            self._execution_types[type_name] = self.store.put_execution_type(execution_type)
        execution = metadata_store_pb2.Execution(
            type_id=self._execution_types[type_name],
            last_known_state=(metadata_store_pb2.Execution.CACHED if cached
                              else metadata_store_pb2.Execution.COMPLETE))
        execution.properties["component_id"].string_value = component_id
        execution.properties["state"].string_value = "cached" if cached else "complete"
        for key, value in exec_properties.items():
            execution.properties[key].string_value = str(value)
        [execution_id] = self.store.put_executions([execution])
        events = []
        for event_type, channels in ((metadata_store_pb2.Event.INPUT, inputs or {}),
                                     (metadata_store_pb2.Event.OUTPUT, outputs or {})):
            for key, artifact_ids in channels.items():
                for index, artifact_id in enumerate(artifact_ids):
                    event = metadata_store_pb2.Event(artifact_id=artifact_id, execution_id=execution_id,
                                                     type=event_type)
                    event.path.steps.add().key = key
                    event.path.steps.add().index = index
                    events.append(event)
        self.store.put_events(events)
        return execution_id


PUSHED_VERSION = "1764250000"  # TFX's Pusher names a version by the push's Unix time, as a string
RETRAINED_VERSION = "1764250100"
TRAINER_HASH = "ab" * 32  # what the Trainer's module_path carries: the sha256 of the trainer folder's files


def course_store() -> tuple[metadata_store.MetadataStore, dict[str, int]]:
    """A store with the course's shape after chapters 01–06, and the ids of its named artifacts.

    The course model (``model``) is trained on span 0 through Transform, blessed, validated by the course's
    infra validator and pushed as PUSHED_VERSION, by a Pusher that reads the two blessings (as chapter 06's);
    ``retrained`` (200 steps, same data) is blessed against it as baseline and pushed as RETRAINED_VERSION;
    the weaker ``candidate`` is trained on the same data and not blessed. A second delivery (``examples_2``,
    span 2, version 2) trains ``other_model``, which is only *evaluated* on span 0. Cache hits repeat the
    CsvExampleGen and the Trainer; a Resolver re-outputs the course model; the Importer is recorded cached."""
    fake = FakeStore()
    ids: dict[str, int] = {}
    ids["examples"] = fake.artifact("Examples", "/p/CsvExampleGen/examples/1", span=0,
                                    input_fingerprint="split:single_split,num_files:1,total_bytes:13478")
    fake.execution("CsvExampleGen", outputs={"examples": [ids["examples"]]})
    fake.execution("CsvExampleGen", outputs={"examples": [ids["examples"]]}, cached=True)
    ids["schema"] = fake.artifact("Schema", "/p/ImportSchemaGen/schema/3")
    fake.execution("ImportSchemaGen", outputs={"schema": [ids["schema"]]})
    ids["statistics"] = fake.artifact("ExampleStatistics", "/p/StatisticsGen/statistics/4")
    fake.execution("StatisticsGen", inputs={"examples": [ids["examples"]]},
                   outputs={"statistics": [ids["statistics"]]})
    ids["anomalies"] = fake.artifact("ExampleAnomalies", "/p/ExampleValidator/anomalies/5", blessed=1)
    fake.execution("ExampleValidator", inputs={"statistics": [ids["statistics"]], "schema": [ids["schema"]]},
                   outputs={"anomalies": [ids["anomalies"]]})
    transform = _transform(fake, ids, "examples", "")
    ids["hyperparameters"] = fake.artifact("HyperParameters", "/work/hyperparameters/201b", is_external=1)
    fake.execution("tuned_hyperparameters", kind="Importer", cached=True,
                   outputs={"result": [ids["hyperparameters"]]})
    trainer_inputs = {"examples": [transform["transformed_examples"]],
                      "transform_graph": [transform["transform_graph"]],
                      "hyperparameters": [ids["hyperparameters"]]}
    ids["model"], ids["trainer_execution"] = _trainer(fake, "Trainer", trainer_inputs)
    fake.execution("Trainer", kind="Trainer", inputs=trainer_inputs, outputs={"model": [ids["model"]]},
                   cached=True, module_path=f"penguin_trainer@/p/_wheels/t-0.0+{TRAINER_HASH}-py3.whl",
                   train_args='{\n  "num_steps": 100\n}', custom_config="null")
    ids["candidate"], _ = _trainer(fake, "without_bill_length_trainer", trainer_inputs,
                                   custom_config='{"ignored_features": ["bill_length_mm"]}')
    ids["blessing"] = _evaluator(fake, "Evaluator", ids["examples"], ids["model"], blessed=1)
    fake.execution("latest_blessed_model_resolver", kind="Resolver", cached=True,
                   outputs={"model": [ids["model"]], "model_blessing": [ids["blessing"]]})
    ids["candidate_blessing"] = _evaluator(fake, "without_bill_length_evaluator", ids["examples"],
                                           ids["candidate"], blessed=0, baseline=ids["model"])
    ids["pushed"] = _push(fake, ids, "", ids["model"], ids["blessing"], PUSHED_VERSION)
    ids["retrained"], _ = _trainer(fake, "retrained_trainer", trainer_inputs, steps=200)
    ids["retrained_blessing"] = _evaluator(fake, "retrained_evaluator", ids["examples"], ids["retrained"],
                                           blessed=1, baseline=ids["model"])
    ids["retrained_pushed"] = _push(fake, ids, "retrained_", ids["retrained"], ids["retrained_blessing"],
                                    RETRAINED_VERSION)
    ids["examples_2"] = fake.artifact("Examples", "/p/landing/examples/16", span=2, version=2)
    fake.execution("CsvExampleGen", outputs={"examples": [ids["examples_2"]]})
    transform_2 = _transform(fake, ids, "examples_2", "_2")
    ids["other_model"], _ = _trainer(fake, "Trainer", {
        "examples": [transform_2["transformed_examples"]],
        "transform_graph": [transform_2["transform_graph"]],
        "hyperparameters": [ids["hyperparameters"]]})
    ids["other_blessing"] = _evaluator(fake, "other_evaluator", ids["examples"], ids["other_model"],
                                       blessed=1)
    return fake.store, ids


def _push(fake: FakeStore, ids: dict, prefix: str, model: int, blessing: int, version: str) -> int:
    """The model validated by the course's infra validator and pushed by a Pusher that reads the two
    blessings and no model (chapter 06's); returns the PushedModel's id."""
    infra = fake.artifact("InfraBlessing", f"/p/{prefix}infra_validator/blessing", blessed=1, has_model=1)
    fake.execution(f"{prefix}infra_validator", kind="ModelServerInfraValidator",
                   inputs={"model": [model], "examples": [ids["examples"]]}, outputs={"blessing": [infra]})
    pushed = fake.artifact("PushedModel", f"/p/{prefix}Pusher/pushed_model", pushed=1, pushed_version=version,
                           pushed_destination=f"/work/serving/penguins/{version}")
    fake.execution(f"{prefix}Pusher", kind="Pusher",
                   inputs={"model_blessing": [blessing], "infra_blessing": [infra]},
                   outputs={"pushed_model": [pushed]})
    return pushed


def _transform(fake: FakeStore, ids: dict, examples: str, suffix: str) -> dict[str, int]:
    made = {key: fake.artifact(type_name, f"/p/Transform/{key}{suffix}")
            for key, type_name in (("transform_graph", "TransformGraph"),
                                   ("transformed_examples", "Examples"))}
    fake.execution("Transform", inputs={"examples": [ids[examples]], "schema": [ids["schema"]]},
                   outputs={key: [artifact_id] for key, artifact_id in made.items()},
                   module_path="penguin_transform@/p/_wheels/x-0.0+" + "cd" * 32 + "-py3.whl")
    ids[f"transform_graph{suffix}"] = made["transform_graph"]
    return made


def _trainer(fake: FakeStore, component_id: str, inputs: dict, custom_config: str = "null",
             steps: int = 100) -> tuple[int, int]:
    model = fake.artifact("Model", f"/p/{component_id}/model")
    execution = fake.execution(component_id, kind="Trainer", inputs=inputs, outputs={"model": [model]},
                               module_path=f"penguin_trainer@/p/_wheels/t-0.0+{TRAINER_HASH}-py3.whl",
                               train_args=f'{{\n  "num_steps": {steps}\n}}', custom_config=custom_config)
    return model, execution


def _evaluator(fake: FakeStore, component_id: str, examples: int, model: int, blessed: int,
               baseline: int | None = None) -> int:
    properties = {"blessed": blessed, "current_model_id": model}
    if baseline is not None:
        properties["baseline_model_id"] = baseline
    blessing = fake.artifact("ModelBlessing", f"/p/{component_id}/blessing", **properties)
    evaluation = fake.artifact("ModelEvaluation", f"/p/{component_id}/evaluation")
    inputs = {"examples": [examples], "model": [model]}
    if baseline is not None:
        inputs["baseline_model"] = [baseline]
    fake.execution(component_id, kind="Evaluator", inputs=inputs,
                   outputs={"evaluation": [evaluation], "blessing": [blessing]})
    return blessing
