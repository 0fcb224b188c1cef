"""The settings of chapter 04's model and of its export: what ``penguin_trainer.run_fn`` reads.

They live here, beside the module file, for the same reason as Transform's ``features.py``: the Trainer's
cache key covers the code of every ``.py`` file in the module file's folder, and nothing outside it. A
setting kept in ``utils/config.py`` would be invisible to that key (changing it would hand back the old
model); changed here, it makes the Trainer run again.
"""

SEED = 42  # Python, NumPy and TensorFlow seeds, and the order in which training examples are shuffled
BATCH_SIZE = 16
EPOCHS = 5  # the Trainer's train_steps are split over this many epochs: one point per epoch on the curves

# Defaults of the hyperparameters; a Tuner's best_hyperparameters artifact overrides them by name.
HYPERPARAMETERS = {
    "hidden_units": 16,
    "hidden_layers": 1,
    "learning_rate": 0.01,
}

# The Tuner's search space (name -> the values it may take) and budget. RandomSearch with a fixed seed: the
# same trials in the same order at every run.
SEARCH_SPACE = {
    "hidden_units": (8, 16, 32),
    "hidden_layers": (1, 2),
    "learning_rate": (0.003, 0.01, 0.03),
}
MAX_TRIALS = 4  # a Tuner's custom_config={"max_trials": n} overrides it (e.g. 1 or 2 in test mode)
OBJECTIVE = "val_accuracy"  # accuracy on the eval split, the metric the model compiles as "accuracy"

# The exported SavedModel's signatures and what both return.
EXAMPLES_SIGNATURE = "serving_default"  # serialized tf.Example: what Evaluator and InfraValidator send
RAW_SIGNATURE = "serving_raw"  # one named input per raw feature: what a JSON client sends
# Labelled serialized tf.Example -> every transformed feature, the label index included: what the Evaluator
# (TFMA's preprocessing_function_names) calls to get the label as training saw it. No prediction.
TRANSFORM_SIGNATURE = "transform_features"
EXAMPLES_INPUT = "examples"
PROBABILITIES = "probabilities"  # softmax over the classes, in the order of the label's classes
CLASS_IDS = "class_ids"
CLASSES = "classes"
# How a JSON client says "missing" to the raw signature (it must send every named input).
MISSING_NUMBER = float("nan")
MISSING_STRING = ""
