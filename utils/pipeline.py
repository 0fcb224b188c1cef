"""The course pipeline's components, declared once.

A chapter builds its own component step by step to teach it; the version that later chapters build on is
declared here, so that every chapter declares it identically and TFX's cache (see utils/context.py)
hands back the execution an earlier chapter already made instead of running it again.

Each function takes the upstream components it reads from, in pipeline order.
"""

from __future__ import annotations

from pathlib import Path

from tfx import v1 as tfx

from utils import config, data, delivery, evaluation, paths, schema
from utils.components.data_gate import DataGate
from utils.components.model_server_validator import ModelServerInfraValidator


def example_gen(input_base: str | Path | None = None) -> tfx.components.CsvExampleGen:
    """Chapter 01: every penguin, split 2:1 into train and eval by hash (ExampleGen's default).

    ``input_base`` replaces the shipped penguins (checked against their checksums) by another folder of CSV
    files, e.g. your own data; that folder first goes through :func:`utils.delivery.check_csv_folder`, which
    raises :class:`utils.delivery.DeliveryError` for a delivery CsvExampleGen would misread."""
    if input_base is None:
        folder = data.dataset(config.PENGUINS)
    else:
        folder = Path(input_base).resolve()
        delivery.check_csv_folder(folder)
    return tfx.components.CsvExampleGen(input_base=str(folder))


def shipped_examples(dataset: str, name: str, splits=()) -> tfx.components.CsvExampleGen:
    """Chapter 02: ExampleGen (id '<name>_examples') for another shipped data set, e.g. 'penguins/serving'.

    A delivery is not cut into train and eval: without ``splits`` every row goes to one output split
    called ``name`` (one hash bucket); with ``splits``, each split is read from the sub-folder of that
    name, one split per delivery."""
    if splits:
        return tfx.components.CsvExampleGen(
            input_base=str(data.dataset(dataset)),
            input_config=tfx.proto.Input(splits=[tfx.proto.Input.Split(name=split, pattern=f"{split}/*")
                                                 for split in splits]),
        ).with_id(f"{name}_examples")
    return tfx.components.CsvExampleGen(
        input_base=str(data.dataset(dataset)),
        output_config=tfx.proto.Output(split_config=tfx.proto.SplitConfig(
            splits=[tfx.proto.SplitConfig.Split(name=name, hash_buckets=1)])),
    ).with_id(f"{name}_examples")


def statistics_gen(examples_from: tfx.components.CsvExampleGen,
                   name: str | None = None) -> tfx.components.StatisticsGen:
    """Chapter 02: statistics of every split (id 'StatisticsGen', or '<name>_statistics')."""
    component = tfx.components.StatisticsGen(examples=examples_from.outputs["examples"])
    return component.with_id(f"{name}_statistics") if name else component


def schema_gen(statistics_from: tfx.components.StatisticsGen) -> tfx.components.SchemaGen:
    """Chapter 02: the schema inferred from the statistics, without fixed shapes.

    SchemaGen would give a shape only to the features without gaps so far (island, species, year). A
    shape makes Transform parse the feature as a dense tensor, and a gap that appears later in such a
    column would then be a parsing error instead of a value the preprocessing fills: gaps may appear in
    any column, so no feature gets a shape."""
    return tfx.components.SchemaGen(statistics=statistics_from.outputs["statistics"],
                                    infer_feature_shape=False)


def import_schema_gen() -> tfx.components.ImportSchemaGen:
    """Chapter 02: the curated schema kept in the repository (data/penguins/schema/schema.pbtxt)."""
    return tfx.components.ImportSchemaGen(schema_file=str(schema.content_addressed_copy()))


def example_validator(statistics_from: tfx.components.StatisticsGen,
                      schema_from: tfx.components.ImportSchemaGen) -> tfx.components.ExampleValidator:
    """Chapter 02: the statistics checked against the curated schema."""
    return tfx.components.ExampleValidator(statistics=statistics_from.outputs["statistics"],
                                           schema=schema_from.outputs["schema"])


def data_gate(validator_from: tfx.components.ExampleValidator, name: str | None = None) -> DataGate:
    """Chapter 02: DataGate (id 'DataGate', or '<name>_gate'): fails the run when a split of the
    validator's anomalies has an anomaly, a dataset anomaly (too few examples) or no data at all.

    In an orchestrated pipeline, make Transform wait for it: ``transform.add_upstream_node(gate)``."""
    component = DataGate(anomalies=validator_from.outputs["anomalies"])
    return component.with_id(f"{name}_gate") if name else component


def transform(examples_from: tfx.components.CsvExampleGen,
              schema_from: tfx.components.ImportSchemaGen) -> tfx.components.Transform:
    """Chapter 03: the preprocessing_fn of paths.TRANSFORM_MODULE (utils/tfx_modules/transform/), analyzed
    on the train split and applied to every split; outputs the transform graph and the transformed examples.
    Chapter 03 declares the same component inline and asserts that this one reuses its execution.

    Statistics, schemas and anomalies of the data before and after transforming are switched off: the course
    does not use them (StatisticsGen and ExampleValidator check the raw data, chapter 02).
    """
    return tfx.components.Transform(examples=examples_from.outputs["examples"],
                                    schema=schema_from.outputs["schema"],
                                    module_file=str(paths.TRANSFORM_MODULE),
                                    disable_statistics=True)


def tuner(transform_from: tfx.components.Transform, max_trials: int) -> tfx.components.Tuner:
    """Chapter 04: the seeded random search of paths.TRAINER_MODULE's tuner_fn over ``max_trials`` trials,
    each trained and scored as the Trainer trains (id 'Tuner'). Outputs best_hyperparameters and
    tuner_results; later chapters import the committed result instead (:func:`tuned_hyperparameters`)."""
    return tfx.components.Tuner(examples=transform_from.outputs["transformed_examples"],
                                transform_graph=transform_from.outputs["transform_graph"],
                                module_file=str(paths.TRAINER_MODULE),
                                train_args=tfx.proto.TrainArgs(num_steps=config.TRAIN_STEPS),
                                eval_args=tfx.proto.EvalArgs(num_steps=config.EVAL_STEPS),
                                custom_config={"max_trials": max_trials})


def tuned_hyperparameters() -> tfx.dsl.Importer:
    """Chapter 04: the Tuner's best hyperparameters for the shipped penguins, as committed in
    paths.TUNED_HYPERPARAMETERS, imported as a HyperParameters artifact (id 'tuned_hyperparameters'): how
    later chapters train the tuned model without tuning again. The Importer reads a folder holding that one
    file (what the Trainer expects), a copy named by its content, so an edited file is a new import."""
    folder = paths.content_addressed_copy(paths.TUNED_HYPERPARAMETERS, "hyperparameters").parent
    return tfx.dsl.Importer(source_uri=str(folder),
                            artifact_type=tfx.types.standard_artifacts.HyperParameters,
                            ).with_id("tuned_hyperparameters")


def trainer(transform_from: tfx.components.Transform, hyperparameters_from=None,
            ignored_features: tuple[str, ...] = (), train_steps: int = config.TRAIN_STEPS,
            eval_steps: int = config.EVAL_STEPS) -> tfx.components.Trainer:
    """Chapter 04: the model of paths.TRAINER_MODULE (utils/tfx_modules/trainer/), trained on the transformed
    train split for ``train_steps`` batches and checked on ``eval_steps`` batches of the eval split; its
    SavedModel carries the transform graph (id 'Trainer'). The course's model, which later chapters
    evaluate, push and serve: ``trainer(transform, tuned_hyperparameters().outputs["result"])``.
    ``hyperparameters_from``: an output channel of type
    HyperParameters (a Tuner's ``best_hyperparameters``, or an Importer's ``result``) overriding the
    defaults in the trainer folder's model_settings.py. ``ignored_features``: raw features the model must
    not read (chapter 05's weaker candidate); passed as ``custom_config``, so it is part of the cache key."""
    return tfx.components.Trainer(examples=transform_from.outputs["transformed_examples"],
                                  transform_graph=transform_from.outputs["transform_graph"],
                                  hyperparameters=hyperparameters_from,
                                  module_file=str(paths.TRAINER_MODULE),
                                  train_args=tfx.proto.TrainArgs(num_steps=train_steps),
                                  eval_args=tfx.proto.EvalArgs(num_steps=eval_steps),
                                  custom_config=({"ignored_features": list(ignored_features)}
                                                 if ignored_features else None))


WEAKER_CANDIDATE_IGNORES = ("bill_length_mm",)


def weaker_candidate(transform_from: tfx.components.Transform,
                     hyperparameters_from=None) -> tfx.components.Trainer:
    """Chapter 05: the course model trained without ``bill_length_mm``, the measurement that tells Adelie
    from Chinstrap (both live on Dream); id 'without_bill_length_trainer'. The Evaluator rejects it."""
    return trainer(transform_from, hyperparameters_from, ignored_features=WEAKER_CANDIDATE_IGNORES,
                   ).with_id("without_bill_length_trainer")


def latest_blessed_model_resolver() -> tfx.dsl.Resolver:
    """Chapter 05: the Model with the highest id in the store that an Evaluator blessed (id
    'latest_blessed_model_resolver'): the baseline a new candidate is compared with."""
    return tfx.dsl.Resolver(
        strategy_class=tfx.dsl.experimental.LatestBlessedModelStrategy,
        model=tfx.dsl.Channel(type=tfx.types.standard_artifacts.Model),
        model_blessing=tfx.dsl.Channel(type=tfx.types.standard_artifacts.ModelBlessing),
    ).with_id("latest_blessed_model_resolver")


def evaluator(examples_from: tfx.components.CsvExampleGen, model_from: tfx.components.Trainer,
              baseline_from: tfx.dsl.Resolver | tfx.components.Trainer | None = None, eval_config=None,
              name: str | None = None) -> tfx.components.Evaluator:
    """Chapter 05: TFMA on the eval split of the raw examples with ``eval_config`` (default
    ``evaluation.EVAL_CONFIG``), blessing the model or not (id 'Evaluator', or '<name>_evaluator').
    ``baseline_from``: a resolver of the latest blessed model, or a Trainer whose model is the baseline
    (chapter 06 compares its retrained model with the course model); without one the change thresholds
    are dropped (the first model is judged on its value thresholds only). Declare the course model's
    Evaluator without a baseline: once it has blessed that model, a resolver would hand the model back as
    its own baseline."""
    component = tfx.components.Evaluator(
        examples=examples_from.outputs["examples"],
        model=model_from.outputs["model"],
        baseline_model=baseline_from.outputs["model"] if baseline_from is not None else None,
        eval_config=eval_config if eval_config is not None else evaluation.EVAL_CONFIG)
    return component.with_id(f"{name}_evaluator") if name else component


RETRAINED_STEPS = 2 * config.TRAIN_STEPS


def retrained_trainer(transform_from: tfx.components.Transform,
                      hyperparameters_from=None) -> tfx.components.Trainer:
    """Chapter 06: the course model trained twice as long (``RETRAINED_STEPS`` batches), id
    'retrained_trainer': the new model of the second push, which chapter 07 serves as the canary."""
    return trainer(transform_from, hyperparameters_from, train_steps=RETRAINED_STEPS,
                   ).with_id("retrained_trainer")


def retrained_evaluator(examples_from: tfx.components.CsvExampleGen,
                        retrained_from: tfx.components.Trainer,
                        course_model_from: tfx.components.Trainer) -> tfx.components.Evaluator:
    """Chapter 06: the retrained model judged against the course model, named explicitly as the baseline
    (id 'retrained_evaluator'). Not a resolver of the latest blessed model: once this Evaluator has blessed
    the retrained model, that resolver would return the retrained model itself, so a re-run would compare
    it with itself, run again, and give Pusher a new blessing to push."""
    return evaluator(examples_from, retrained_from, baseline_from=course_model_from, name="retrained")


def request_spec(make_warmup: bool = True) -> tfx.proto.RequestSpec:
    """Chapter 06: the requests of infra validation, for the course's validator and for TFX's own
    InfraValidator alike: ``serving_default`` (serialized tf.Example, TF Serving Predict), 10 examples of
    the eval split (TFX's request builder reads it shuffled: other examples at each run), one request each;
    with ``make_warmup`` they also become the warmup file of the validated copy that Pusher pushes."""
    return tfx.proto.RequestSpec(
        tensorflow_serving=tfx.proto.TensorFlowServingRequestSpec(signature_names=["serving_default"]),
        split_name="eval", num_examples=10, make_warmup=make_warmup)


def validation_spec() -> tfx.proto.ValidationSpec:
    """Chapter 06: how long the model may take to load (60 s), and how many tries (2)."""
    return tfx.proto.ValidationSpec(max_loading_time_seconds=60, num_tries=2)


def infra_validator(model_from: tfx.components.Trainer, examples_from: tfx.components.CsvExampleGen,
                    name: str | None = None) -> ModelServerInfraValidator:
    """Chapter 06: the model loaded into the course's model server and sent :func:`request_spec`'s
    requests (id 'ModelServerInfraValidator', or '<name>_infra_validator'); its InfraBlessing holds the
    validated model with its warmup file. TFX's own InfraValidator needs Docker or Kubernetes."""
    component = ModelServerInfraValidator(model=model_from.outputs["model"],
                                          examples=examples_from.outputs["examples"],
                                          request_spec=request_spec(), validation_spec=validation_spec())
    return component.with_id(f"{name}_infra_validator") if name else component


def pusher(model_from: tfx.components.Trainer, blessing_from: tfx.components.Evaluator,
           infra_blessing_from: ModelServerInfraValidator, name: str | None = None,
           destination: Path | None = None) -> tfx.components.Pusher:
    """Chapter 06: push to ``destination`` (default ``paths.serving_dir()``; a folder of numbered versions;
    version = the push's Unix time) if the Evaluator and the infra validator both blessed the model (id
    'Pusher', or '<name>_pusher').

    Pusher is given the infra blessing's model, not the Trainer's: that copy is the one the server loaded
    and answered from, and it carries the warmup file, so a server loading the pushed version replays the
    requests before serving its first request. ``model_from`` names the Trainer that made it and must be
    the one the infra validator was given (checked here; Pusher itself takes no ``model``: given both,
    it would push the Trainer's copy, without the warmup file)."""
    validated = infra_blessing_from.inputs["model"]
    if validated is not model_from.outputs["model"]:
        raise ValueError(f"the infra validator {infra_blessing_from.id} was given {validated}, not "
                         f"{model_from.id}'s model: push the model that was validated.")
    component = tfx.components.Pusher(
        model_blessing=blessing_from.outputs["blessing"],
        infra_blessing=infra_blessing_from.outputs["blessing"],
        push_destination=tfx.proto.PushDestination(filesystem=tfx.proto.PushDestination.Filesystem(
            base_directory=str(destination if destination is not None else paths.serving_dir()))))
    return component.with_id(f"{name}_pusher") if name else component
