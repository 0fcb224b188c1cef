"""A small course model for tests: the course's Transform and Trainer modules run as TFX runs them, on a
sample of the clean penguins (shared by tests/test_penguin_trainer.py and the model server's tests).

``train`` does what Transform and the Trainer would do in the pipeline: the course's Transform module is
analyzed with tf.Transform's Beam implementation on a sample of data/penguins/clean, the transformed train
and eval splits are written as TFRecords of tf.Example, and ``run_fn`` gets the ``fn_args`` TFX would give it
(the same DataAccessor TFX builds from an Examples artifact). The SavedModel is in
``fn_args.serving_model_dir``, with the signatures serving_default, serving_raw and transform_features.
"""

import csv
from pathlib import Path

import tensorflow as tf
import tensorflow_transform as tft
import tensorflow_transform.beam as tft_beam
from tensorflow_transform.tf_metadata import dataset_metadata, metadata_io
from tfx.components.trainer import fn_args_utils
from tfx.components.util import examples_utils, tfxio_utils
from tfx.proto import example_gen_pb2
from tfx.types import artifact_utils, standard_artifacts

from utils import config, paths, schema
from utils.tfx_modules.trainer import model_settings as settings
from utils.tfx_modules.trainer import penguin_trainer as module
from utils.tfx_modules.transform import penguin_transform

CLEAN = paths.DATA_DIR / "penguins" / "clean" / "penguins.csv"
SERVING = paths.DATA_DIR / "penguins" / "serving" / "penguins.csv"
TRAIN_STEPS, EVAL_STEPS = 40, 4
# Each penguin its Example type, as the curated schema says: INT for flipper length, body mass and year.
INT_FEATURES = ("flipper_length_mm", "body_mass_g", "year")


def typed(row: dict) -> dict:
    """A CSV row -> {feature: value or None}, with the curated schema's Python types."""
    def convert(name, text):
        if text == "":
            return None
        if name in INT_FEATURES:
            return int(text)
        return float(text) if name in config.NUMERIC_FEATURES else text
    return {name: convert(name, text) for name, text in row.items()}


def read_penguins(path, every: int = 1) -> list[dict]:
    with open(path, newline="") as f:
        return [typed(row) for row in list(csv.DictReader(f))[::every]]


def instance(penguin: dict) -> dict:
    """tf.Transform's instance dict: a list of 0 or 1 value per feature, bytes for strings."""
    return {k: [] if v is None else [v.encode() if isinstance(v, str) else v] for k, v in penguin.items()}


def serialized(penguin: dict) -> bytes:
    """A tf.Example as a client would send it: a missing value is a missing feature."""
    example = tf.train.Example()
    for name, value in penguin.items():
        if value is None:
            continue
        feature = example.features.feature[name]
        if isinstance(value, str):
            feature.bytes_list.value.append(value.encode())
        elif name in INT_FEATURES:
            feature.int64_list.value.append(value)
        else:
            feature.float_list.value.append(value)
    return example.SerializeToString()


def raw_inputs(penguins: list[dict]) -> dict:
    """The raw signature's named inputs, as a JSON client sends them: every feature, NaN or "" if missing."""
    columns = {}
    for name in module.RAW_FEATURES:
        values = [p.get(name) for p in penguins]
        if name in config.CATEGORICAL_FEATURES:
            columns[name] = tf.constant([settings.MISSING_STRING if v is None else v for v in values])
        else:
            columns[name] = tf.constant([settings.MISSING_NUMBER if v is None else v for v in values],
                                        dtype=tf.float32)
    return columns


_SHARED: dict = {}


def shared_trained(tmp_path_factory):
    """``train`` once per test session, for every test module that needs the course model."""
    if "fn_args" not in _SHARED:
        _SHARED["fn_args"] = train(tmp_path_factory.mktemp("trainer"))
    return _SHARED["fn_args"]


def train(root: Path, train_steps: int = TRAIN_STEPS, eval_steps: int = EVAL_STEPS):
    """Transform on a sample of the clean penguins, then ``run_fn``, under ``root``; returns the fn_args."""
    curated = schema.load(paths.CURATED_SCHEMA)
    penguins = read_penguins(CLEAN, every=4)  # 86 penguins, every species and island
    splits = {"train": penguins[1::3] + penguins[2::3], "eval": penguins[::3]}
    transform_dir = root / "transform_graph"
    with tft_beam.Context(temp_dir=str(root / "tft_tmp"), force_tf_compat_v1=False):
        raw = ([instance(p) for p in splits["train"]], dataset_metadata.DatasetMetadata(curated))
        (train_rows, transformed_metadata), transform_fn = (
            raw | tft_beam.AnalyzeAndTransformDataset(penguin_transform.preprocessing_fn))
        eval_raw = ([instance(p) for p in splits["eval"]], raw[1])
        eval_rows, _ = (eval_raw, transform_fn) | tft_beam.TransformDataset()
        _ = transform_fn | tft_beam.WriteTransformFn(str(transform_dir))
    # What TFX's Transform also writes beside the graph: the raw schema (raw_feature_spec reads it).
    metadata_io.write_metadata(dataset_metadata.DatasetMetadata(curated),
                               str(transform_dir / tft.TFTransformOutput.RAW_METADATA_DIR))

    examples_dir = root / "transformed_examples"
    encode = tft.coders.ExampleProtoCoder(transformed_metadata.schema).encode
    for split, rows in (("train", train_rows), ("eval", eval_rows)):
        (examples_dir / f"Split-{split}").mkdir(parents=True)
        with tf.io.TFRecordWriter(str(examples_dir / f"Split-{split}" / "data.tfrecord")) as writer:
            for row in rows:
                writer.write(encode(row))
    examples = standard_artifacts.Examples()
    examples.uri = str(examples_dir)
    examples.split_names = artifact_utils.encode_split_names(["train", "eval"])
    examples_utils.set_payload_format(examples, example_gen_pb2.PayloadFormat.FORMAT_TF_EXAMPLE)
    accessor = fn_args_utils.DataAccessor(
        tf_dataset_factory=tfxio_utils.get_tf_dataset_factory_from_artifact([examples], []),
        record_batch_factory=None, data_view_decode_fn=None)

    fn_args = fn_args_utils.FnArgs(
        working_dir=str(root / "working"), train_files=[str(examples_dir / "Split-train" / "*")],
        eval_files=[str(examples_dir / "Split-eval" / "*")], train_steps=train_steps, eval_steps=eval_steps,
        transform_graph_path=str(transform_dir), transform_output=str(transform_dir),
        data_accessor=accessor, serving_model_dir=str(root / "model" / "Format-Serving"),
        model_run_dir=str(root / "model_run"), hyperparameters=None, custom_config=None)
    module.run_fn(fn_args)
    return fn_args


