"""Evaluations as TFX's Evaluator stores them, written by hand: what the chapter 05 tests read instead of
running TFMA (a run costs 6–13 s). The numbers are those of the course model and of the candidate without
bill_length_mm on the shipped penguins' eval split (chapter 05, measured with TFMA 0.47.1)."""

import tensorflow as tf
from tensorflow_model_analysis.metrics import metric_types
from tensorflow_model_analysis.proto import metrics_for_slice_pb2
from tfx.types import standard_artifacts

from utils import evaluation

DREAM, BISCOE, TORGERSEN = (("island", "Dream"),), (("island", "Biscoe"),), (("island", "Torgersen"),)
FEMALE, MALE = (("sex", "female"),), (("sex", "male"),)
# slice -> (examples, accuracy, {class id: (precision, recall)}); a class absent from a slice has NaN.
COURSE = {
    (): (140, 0.993, {0: (0.982, 1.0), 1: (1.0, 1.0), 2: (1.0, 0.982)}),
    BISCOE: (70, 0.986, {0: (0.938, 1.0), 2: (1.0, 0.982)}),
    DREAM: (54, 1.0, {0: (1.0, 1.0), 1: (1.0, 1.0)}),
    TORGERSEN: (16, 1.0, {0: (1.0, 1.0)}),
    FEMALE: (65, 1.0, {0: (1.0, 1.0), 1: (1.0, 1.0), 2: (1.0, 1.0)}),
    MALE: (71, 1.0, {0: (1.0, 1.0), 1: (1.0, 1.0), 2: (1.0, 1.0)}),
}
CANDIDATE = {
    (): (140, 0.864, {0: (0.776, 0.929), 1: (0.789, 0.517), 2: (1.0, 0.982)}),
    BISCOE: (70, 0.986, {0: (0.938, 1.0), 2: (1.0, 0.982)}),
    DREAM: (54, 0.667, {0: (0.6, 0.84), 1: (0.789, 0.517)}),
    TORGERSEN: (16, 1.0, {0: (1.0, 1.0)}),
    FEMALE: (65, 0.846, {0: (0.727, 0.96), 1: (0.75, 0.25), 2: (1.0, 1.0)}),
    MALE: (71, 0.887, {0: (0.839, 0.897), 1: (0.8, 0.706), 2: (1.0, 1.0)}),
}


def _keys_and_values(numbers, model_name: str, is_diff: bool = False):
    count, accuracy, per_class = numbers
    yield metric_types.MetricKey("example_count", model_name=model_name, is_diff=is_diff), count
    yield metric_types.MetricKey(evaluation.ACCURACY, model_name=model_name, is_diff=is_diff), accuracy
    for class_id in evaluation.CLASS_IDS:
        precision, recall = per_class.get(class_id, (float("nan"), float("nan")))
        sub_key = metric_types.SubKey(class_id=class_id)
        for name, value in (("precision", precision), ("recall", recall)):
            yield metric_types.MetricKey(name, model_name=model_name, sub_key=sub_key, is_diff=is_diff), value


def _difference(a, b):
    per_class = {c: (a[2][c][0] - b[2][c][0], a[2][c][1] - b[2][c][1]) for c in a[2] if c in b[2]}
    return (a[0] - b[0], a[1] - b[1], per_class)


def write_evaluation(folder, models: dict) -> standard_artifacts.ModelEvaluation:
    """A ModelEvaluation artifact in ``folder`` holding ``{model name: {slice: numbers}}``; with a
    'candidate' and a 'baseline', also the candidate's change metrics, as the Evaluator writes them."""
    records = []
    for slice_key in next(iter(models.values())):
        proto = metrics_for_slice_pb2.MetricsForSlice()
        proto.slice_key.CopyFrom(evaluation.slicer_lib.serialize_slice_key(slice_key))
        pairs = [pair for name, slices in models.items()
                 for pair in _keys_and_values(slices[slice_key], name)]
        if {"candidate", "baseline"} <= set(models):
            change = _difference(models["candidate"][slice_key], models["baseline"][slice_key])
            pairs += list(_keys_and_values(change, "candidate", is_diff=True))
        for key, value in pairs:
            item = proto.metric_keys_and_values.add()
            item.key.CopyFrom(key.to_proto())
            item.value.double_value.value = value
        records.append(proto.SerializeToString())
    folder.mkdir(parents=True, exist_ok=True)
    with tf.io.TFRecordWriter(str(folder / "metrics-00000-of-00001.tfrecord")) as writer:
        for record in records:
            writer.write(record)
    artifact = standard_artifacts.ModelEvaluation()
    artifact.uri = str(folder)
    return artifact


def course_evaluation(folder):
    """The course model's evaluation, made without a baseline (model name '')."""
    return write_evaluation(folder, {"": COURSE})


def candidate_evaluation(folder):
    """The weaker candidate's evaluation, made against the course model as its baseline."""
    return write_evaluation(folder, {"candidate": CANDIDATE, "baseline": COURSE})

