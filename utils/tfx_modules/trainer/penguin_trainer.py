"""Trainer's module file for the course pipeline: the model and how it is exported (chapter 04).

TFX's Trainer loads this file and calls :func:`run_fn` with ``fn_args``: where the transformed examples
are (``train_files``, ``eval_files``, read through ``data_accessor``), where the transform graph is
(``transform_graph_path``), how many steps to train (``train_steps``, ``eval_steps``), and where to put
the model (``serving_model_dir``) and its logs (``model_run_dir``).

* The model reads the features Transform made (``*_xf``), as the transform graph's own schema describes
  them, so no feature name is declared twice: a FLOAT feature is fed as it is, an INT feature with a
  categorical domain (an index into a vocabulary or a bucket) is one-hot encoded with the domain's size,
  any other INT feature (a 0/1 missing flag) is fed as a number. Its output is the softmax probability
  of each class of the label, in the order of Transform's fixed label table.
* The exported SavedModel carries the transform graph (``model.tft_layer``), so a client sends *raw*
  penguins and gets the same transformation as the training data got. Two signatures:
  ``serving_default`` takes serialized ``tf.Example`` (what Evaluator and InfraValidator send), and
  ``serving_raw`` takes one named input per raw feature (what a JSON client sends), where a missing
  value is ``NaN`` for a number and ``""`` for a string. Both return the same outputs. A third one,
  ``transform_features``, takes *labelled* serialized ``tf.Example`` and returns the transformed features,
  the label index included: the Evaluator (chapter 05) calls it to get the label as training saw it.

Training is reproducible on one machine: seeds, op determinism and a seeded shuffle.

:func:`tuner_fn` is for TFX's Tuner: a seeded random search over ``model_settings.SEARCH_SPACE``, whose best
values the Trainer reads back through ``fn_args.hyperparameters``. KerasTuner 1.4.8 checks that a trial's
model is a *Keras 3* model (keras-team/keras-tuner#1039) and this model is tf-keras (TFX 1.16 needs it), so
:class:`TfKerasRandomSearch` fits each trial itself and reports the objective to KerasTuner as a number.
Unit tests: tests/test_penguin_trainer.py.
"""

from __future__ import annotations

import importlib

import keras_tuner
import tensorflow as tf
import tensorflow_transform as tft
import tf_keras as keras
from tensorflow_metadata.proto.v0 import schema_pb2
from tfx.v1.components import TunerFnResult
from tfx_bsl.public import tfxio

from utils.tfx_modules.trainer import model_settings as settings
from utils.tfx_modules.transform import features

# TFX imports this file again at every Trainer or Tuner execution, but not the modules it imports: without
# this reload, model_settings.py edited in a running kernel would change the cache key (the Trainer runs
# again) but not the settings it runs with.
settings = importlib.reload(settings)

# The label and the raw features the transform graph reads: Transform's own settings, not declared again.
LABEL_XF = f"{features.LABEL_KEY}{features.TRANSFORMED_SUFFIX}"
RAW_FEATURES = features.NUMERIC_FEATURES + features.CATEGORICAL_FEATURES


def hyperparameters(tuned: dict | None) -> dict:
    """The model's hyperparameters: ``settings.HYPERPARAMETERS``, overridden by a Tuner's result.

    ``tuned`` is ``fn_args.hyperparameters``: None without a Tuner, else the JSON of KerasTuner's
    ``HyperParameters.get_config()``, whose values are under ``"values"``.
    """
    values = dict(settings.HYPERPARAMETERS)
    if tuned:
        given = tuned.get("values", tuned)
        unknown = sorted(set(given) - set(values))
        if unknown:
            raise ValueError(f"unknown hyperparameters {unknown}: the model knows {sorted(values)}; "
                             "fix the Tuner's search space or model_settings.HYPERPARAMETERS")
        values.update(given)
    return values


def input_fn(file_pattern, data_accessor, tf_transform_output: tft.TFTransformOutput,
             batch_size: int = settings.BATCH_SIZE) -> tf.data.Dataset:
    """Batches of (transformed features, label index), shuffled with a fixed seed, repeated forever
    (the Trainer's train_steps and eval_steps say when to stop)."""
    options = tfxio.TensorFlowDatasetOptions(batch_size=batch_size, label_key=LABEL_XF,
                                             shuffle_seed=settings.SEED)
    return data_accessor.tf_dataset_factory(file_pattern, options,
                                            tf_transform_output.transformed_metadata.schema)


def raw_feature_of(transformed: str) -> str:
    """The raw feature a transformed one was made from: ``body_mass_g_bucket_xf`` -> ``body_mass_g``."""
    name = transformed.removesuffix(features.TRANSFORMED_SUFFIX)
    for suffix in (features.MISSING_SUFFIX, features.BUCKET_SUFFIX):
        if name.endswith(suffix) and name.removesuffix(suffix) in RAW_FEATURES:
            return name.removesuffix(suffix)
    return name


def ignored_features(custom_config: dict | None) -> tuple[str, ...]:
    """The raw features a Trainer's ``custom_config={"ignored_features": [...]}`` keeps out of the model
    (every transformed feature made from them): how chapter 05 trains a weaker candidate from this module."""
    ignored = tuple((custom_config or {}).get("ignored_features", ()))
    unknown = sorted(set(ignored) - set(RAW_FEATURES))
    if unknown:
        raise ValueError(f"custom_config ignored_features {unknown} are not raw features of the model; "
                         f"choose among {list(RAW_FEATURES)}")
    return ignored


def build_model(tf_transform_output: tft.TFTransformOutput, hparams: dict,
                ignored: tuple[str, ...] = ()) -> keras.Model:
    """A small dense network on every transformed feature but the label (and those made from the raw
    features in ``ignored``), read from Transform's schema."""
    inputs, encoded = {}, []
    for feature in sorted(tf_transform_output.transformed_metadata.schema.feature, key=lambda f: f.name):
        name = feature.name
        if name == LABEL_XF or raw_feature_of(name) in ignored:
            continue
        if feature.type == schema_pb2.FLOAT:
            inputs[name] = keras.Input(shape=(1,), name=name, dtype=tf.float32)
            encoded.append(inputs[name])
        elif feature.type == schema_pb2.INT and feature.HasField("int_domain"):
            inputs[name] = keras.Input(shape=(1,), name=name, dtype=tf.int64)
            size = feature.int_domain.max + 1
            encoded.append(keras.layers.CategoryEncoding(num_tokens=size, output_mode="one_hot",
                                                         name=f"{name}_one_hot")(inputs[name]))
        elif feature.type == schema_pb2.INT:
            inputs[name] = keras.Input(shape=(1,), name=name, dtype=tf.float32)  # a 0/1 flag, as a number
            encoded.append(inputs[name])
        else:
            kind = schema_pb2.FeatureType.Name(feature.type)
            raise ValueError(f"transformed feature {name} has type {kind}: the model reads FLOAT and INT "
                             "features only; make the Transform module output numbers")
    x = keras.layers.Concatenate(name="features")(encoded)
    for layer in range(hparams["hidden_layers"]):
        x = keras.layers.Dense(hparams["hidden_units"], activation="relu", name=f"hidden_{layer + 1}")(x)
    outputs = keras.layers.Dense(len(features.LABELS), activation="softmax", name=settings.PROBABILITIES)(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="penguin_classifier")
    model.compile(optimizer=keras.optimizers.Adam(hparams["learning_rate"]),
                  loss=keras.losses.SparseCategoricalCrossentropy(),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")])
    return model


def _predictions(model: keras.Model, raw_features: dict) -> dict:
    """Raw features -> transform graph -> model -> the signatures' outputs."""
    transformed = model.tft_layer(raw_features)
    probabilities = model({name: transformed[name] for name in model.input_names})
    class_ids = tf.argmax(probabilities, axis=1)
    return {settings.PROBABILITIES: probabilities, settings.CLASS_IDS: class_ids,
            settings.CLASSES: tf.gather(tf.constant(features.LABELS), class_ids)}


def _one_value_or_none(values: tf.Tensor, present: tf.Tensor, dtype: tf.DType) -> tf.SparseTensor:
    """A dense [batch] input -> the [batch, 1] SparseTensor the transform graph expects, holding only the
    present values: what parsing a tf.Example without that feature would give."""
    indices = tf.where(present)
    kept = tf.boolean_mask(values, present)
    if dtype.is_integer:
        kept = tf.cast(tf.round(kept), dtype)
    batch = tf.shape(values, out_type=tf.int64)[0]
    return tf.SparseTensor(tf.concat([indices, tf.zeros_like(indices)], axis=1), kept,
                           tf.stack([batch, tf.constant(1, tf.int64)]))


def export(model: keras.Model, tf_transform_output: tft.TFTransformOutput, serving_model_dir: str) -> None:
    """Save the model with the transform graph inside and its signatures (see the module's doc)."""
    # Tracked as an attribute, so that tf.saved_model.save keeps the graph's tables and vocabulary files.
    model.tft_layer = tf_transform_output.transform_features_layer()
    raw_spec = tf_transform_output.raw_feature_spec()
    raw_spec.pop(features.LABEL_KEY)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name=settings.EXAMPLES_INPUT)])
    def serve_examples(serialized):
        return _predictions(model, tf.io.parse_example(serialized, raw_spec))

    def input_spec(name):
        dtype = tf.string if raw_spec[name].dtype == tf.string else tf.float32
        return tf.TensorSpec([None], dtype, name=name)

    @tf.function(input_signature=[{name: input_spec(name) for name in RAW_FEATURES}])
    def serve_raw(raw):
        sparse = {}
        for name, values in raw.items():
            if values.dtype == tf.string:
                present = tf.not_equal(values, settings.MISSING_STRING)
            else:
                present = tf.logical_not(tf.math.is_nan(values))
            sparse[name] = _one_value_or_none(values, present, raw_spec[name].dtype)
        return _predictions(model, sparse)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name=settings.EXAMPLES_INPUT)])
    def transform_examples(serialized):
        return model.tft_layer(tf.io.parse_example(serialized, tf_transform_output.raw_feature_spec()))

    tf.saved_model.save(model, serving_model_dir, signatures={
        settings.EXAMPLES_SIGNATURE: serve_examples.get_concrete_function(),
        settings.RAW_SIGNATURE: serve_raw.get_concrete_function(),
        settings.TRANSFORM_SIGNATURE: transform_examples.get_concrete_function()})


def check_steps(fn_args) -> None:
    """Refuse to start without step counts: the input data repeat forever."""
    if not fn_args.train_steps or not fn_args.eval_steps:
        raise ValueError("the training data repeat forever: give the component "
                         "train_args=tfx.proto.TrainArgs(num_steps=...) and "
                         "eval_args=tfx.proto.EvalArgs(num_steps=...)")


def fit_arguments(fn_args, tf_transform_output: tft.TFTransformOutput) -> dict:
    """What ``model.fit`` gets from the Trainer's (or Tuner's) train and eval arguments."""
    epochs = min(settings.EPOCHS, fn_args.train_steps)
    return dict(x=input_fn(fn_args.train_files, fn_args.data_accessor, tf_transform_output),
                validation_data=input_fn(fn_args.eval_files, fn_args.data_accessor, tf_transform_output),
                epochs=epochs, steps_per_epoch=fn_args.train_steps // epochs,
                validation_steps=fn_args.eval_steps, verbose=2)


def reset() -> None:
    """Start from the same state: fresh layer names, the course's seeds, deterministic ops. A run_fn that
    calls this, then builds and fits the same model with the same arguments, gets the same weights."""
    keras.backend.clear_session()  # layer names restart from scratch in a long-lived kernel
    keras.utils.set_random_seed(settings.SEED)
    tf.config.experimental.enable_op_determinism()


class TfKerasRandomSearch(keras_tuner.RandomSearch):
    """KerasTuner's random search for a tf-keras model: each trial builds and fits the model here and
    returns ``{objective: best value over the epochs}``, which KerasTuner accepts as a trial's result.
    (Its own ``run_trial`` rejects a model that is not Keras 3 and adds Keras 3 callbacks to ``fit``.)"""

    def run_trial(self, trial, *args, **kwargs):
        reset()  # every trial starts from the same seeds: a trial's result depends on its values only
        history = self.hypermodel.build(trial.hyperparameters).fit(*args, **kwargs)
        return {settings.OBJECTIVE: max(history.history[settings.OBJECTIVE])}


def tuner_fn(fn_args) -> TunerFnResult:
    """Called by TFX's Tuner: a random search over ``settings.SEARCH_SPACE``; the Tuner runs
    ``tuner.search(**fit_kwargs)`` and writes the best values as its ``best_hyperparameters``."""
    check_steps(fn_args)
    reset()  # the datasets' shuffle depends on the global seed when they are made: set it, as run_fn does
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_graph_path)
    space = keras_tuner.HyperParameters()
    for name, values in settings.SEARCH_SPACE.items():
        space.Choice(name, list(values), ordered=True)
    max_trials = (fn_args.custom_config or {}).get("max_trials", settings.MAX_TRIALS)
    tuner = TfKerasRandomSearch(
        lambda hp: build_model(tf_transform_output, hyperparameters({"values": hp.values})),
        objective=keras_tuner.Objective(settings.OBJECTIVE, direction="max"), max_trials=max_trials,
        hyperparameters=space, allow_new_entries=False, tune_new_entries=False, seed=settings.SEED,
        directory=fn_args.working_dir, project_name="penguins", overwrite=True)
    return TunerFnResult(tuner=tuner, fit_kwargs=fit_arguments(fn_args, tf_transform_output))


def run_fn(fn_args) -> None:
    """Called by TFX's Trainer: train on the transformed examples, export with the transform graph."""
    check_steps(fn_args)
    reset()
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_graph_path)
    model = build_model(tf_transform_output, hyperparameters(fn_args.hyperparameters),
                        ignored_features(fn_args.custom_config))
    model.fit(**fit_arguments(fn_args, tf_transform_output),
              callbacks=[keras.callbacks.TensorBoard(log_dir=fn_args.model_run_dir, update_freq="epoch")])
    export(model, tf_transform_output, fn_args.serving_model_dir)
