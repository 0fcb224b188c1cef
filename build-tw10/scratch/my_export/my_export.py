"""Exercise 4.2: the course model, trained as the course trains it, exported by my own export()."""
import tensorflow as tf
import tensorflow_transform as tft

from utils.tfx_modules.trainer import penguin_trainer as course


def export(model, tf_transform_output: tft.TFTransformOutput, serving_model_dir: str) -> None:
    """Save `model` in serving_model_dir with the signature serving_default: serialized raw tf.Examples
    (input `examples`) -> {"probabilities": ...}, the transform graph applied inside."""
    return None  # your answer: replace this line with your code


def run_fn(fn_args) -> None:
    """Called by TFX's Trainer: the course's training, then export()."""
    course.check_steps(fn_args)
    course.reset()
    tf_transform_output = tft.TFTransformOutput(fn_args.transform_graph_path)
    model = course.build_model(tf_transform_output, course.hyperparameters(fn_args.hyperparameters))
    model.fit(**course.fit_arguments(fn_args, tf_transform_output))
    export(model, tf_transform_output, fn_args.serving_model_dir)
