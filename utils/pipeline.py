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
              baseline_from: tfx.dsl.Resolver | None = None, eval_config=None,
              name: str | None = None) -> tfx.components.Evaluator:
    """Chapter 05: TFMA on the eval split of the raw examples with ``eval_config`` (default
    ``evaluation.EVAL_CONFIG``), blessing the model or not (id 'Evaluator', or '<name>_evaluator').
    ``baseline_from``: a resolver of the latest blessed model; without one the change thresholds are dropped
    (the first model is judged on its value thresholds only). Declare the course model's Evaluator without a
    baseline: once it has blessed that model, a resolver would hand the model back as its own baseline."""
    component = tfx.components.Evaluator(
        examples=examples_from.outputs["examples"],
        model=model_from.outputs["model"],
        baseline_model=baseline_from.outputs["model"] if baseline_from is not None else None,
        eval_config=eval_config if eval_config is not None else evaluation.EVAL_CONFIG)
    return component.with_id(f"{name}_evaluator") if name else component
