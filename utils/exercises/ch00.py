"""Checks for chapter 00 (why MLOps)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from utils import config
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "00_why_mlops"
MEASUREMENTS = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")  # the model's order


def tflite_probabilities(tflite_file, rows: np.ndarray) -> np.ndarray:
    """Class probabilities of ``rows`` (float32, one row per penguin) from a TFLite file."""
    import tensorflow as tf

    interpreter = tf.lite.Interpreter(model_path=str(tflite_file), num_threads=1)
    interpreter.resize_tensor_input(interpreter.get_input_details()[0]["index"], rows.shape)
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], rows.astype(np.float32))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


@exercise_check("0.1", CHAPTER)
def check_00_tflite_species(tflite_file, penguin: dict, species) -> str:
    """Exercise 0.1: the species the TFLite file predicts for ``penguin`` (its four measurements)."""
    if species is None:
        return NOT_ATTEMPTED
    require(Path(tflite_file).is_file(), f"{tflite_file} does not exist: run section 3, which writes it")
    row = np.array([[penguin[name] for name in MEASUREMENTS]], dtype=np.float32)
    probabilities = tflite_probabilities(tflite_file, row)[0]
    right = config.LABELS[int(probabilities.argmax())]
    require(not isinstance(species, bool | int | np.integer),
            f"{species} is the index of a class; answer with its name: config.LABELS[{species}] "
            f"(the labels in the model's order are {list(config.LABELS)})")
    require(isinstance(species, str), f"expected the species name (a str), got {type(species).__name__}")
    require(species in config.LABELS, f"{species!r} is not one of the species {list(config.LABELS)}")
    if species != right:
        require(species != config.LABELS[int(probabilities.argmin())],
                f"{species} is the *least* likely species: take the largest probability (argmax)")
        for order, name in ((MEASUREMENTS[::-1], "reversed"), (tuple(sorted(MEASUREMENTS)), "alphabetical")):
            shuffled = np.array([[penguin[feature] for feature in order]], dtype=np.float32)
            require(species != config.LABELS[int(tflite_probabilities(tflite_file, shuffled)[0].argmax())],
                    f"that is what the model says when it gets the features in {name} order; feed them in "
                    f"the model's order, pc.MEASUREMENTS = {list(MEASUREMENTS)}")
        require(False, f"the TFLite model does not predict {species} for this penguin: set the input tensor "
                "to one float32 row [[bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g]], "
                "invoke(), and take the argmax of the output tensor")
    return f"the TFLite model says {right} (probability {probabilities.max():.3f})."


FORMATS = ("SavedModel", "TFLite", "ONNX")
DATA_ACCESS = ("frozen", "looked-up")
TOOLING_SITUATIONS = {
    "field_app": "a phone app for the field team on the islands, offline for weeks; the island means change "
                 "once a season",
    "serving": "a web service beside the station's other models on TensorFlow Serving (which serves "
               "SavedModels); the island means are recomputed every night from new field data",
    "dotnet": "the station's inventory system, written in C# on .NET, with no Python or TensorFlow on its "
              "servers; the island means live in the station's SQL database, updated every week",
    "sensor": "a solar-powered sensor on a microcontroller (no operating system, 256 KB of memory) that "
              "never goes online, installed on one island for good",
}
# situation -> (accepted formats, accepted data access)
ACCEPTED = {
    "field_app": ({"TFLite", "ONNX"}, {"frozen"}),
    "serving": ({"SavedModel"}, {"looked-up"}),
    "dotnet": ({"ONNX"}, {"looked-up"}),
    "sensor": ({"TFLite"}, {"frozen"}),
}
# (situation, wrong choice) -> the hint
TOOLING_HINTS = {
    ("field_app", "SavedModel"): "a SavedModel needs TensorFlow itself to run (over a gigabyte installed, "
                                 "section 4); a phone runs a TFLite (or ONNX) file in a small runtime",
    ("field_app", "looked-up"): "offline for weeks means no database to ask: the means must travel with "
                                "the model (frozen), and change once a season, with a new model version",
    ("serving", "TFLite"): "TensorFlow Serving serves SavedModels (the Pusher of chapter 06 exports one); "
                           "TFLite is for devices",
    ("serving", "ONNX"): "TensorFlow Serving serves SavedModels, not ONNX files",
    ("serving", "frozen"): "means recomputed every night: frozen, they would need a new model version every "
                           "night; look them up, and the service follows the table",
    ("dotnet", "SavedModel"): "no TensorFlow on those servers: a SavedModel needs TensorFlow's runtime; ONNX "
                              "Runtime has an official C#/.NET API",
    ("dotnet", "TFLite"): "TensorFlow Lite's official APIs are C++, Java, Swift and Python, not .NET; ONNX "
                          "Runtime has an official C#/.NET API",
    ("dotnet", "frozen"): "the means live in a database that is updated every week and the service can reach "
                          "it: looked up, they are current without a new model version",
    ("sensor", "SavedModel"): "a SavedModel needs TensorFlow, which needs an operating system and gigabytes; "
                              "TensorFlow Lite for Microcontrollers runs a TFLite file without either",
    ("sensor", "ONNX"): "ONNX Runtime needs an operating system and megabytes of memory; TensorFlow Lite for "
                        "Microcontrollers runs a TFLite file on bare metal",
    ("sensor", "looked-up"): "it never goes online: there is no database to ask, so freeze the one island's "
                             "mean into the model",
}


@exercise_check("0.2", CHAPTER)
def check_00_tooling(tooling) -> str:
    """Exercise 0.2: {situation: (format, data access)} for each of TOOLING_SITUATIONS."""
    if tooling is None:
        return NOT_ATTEMPTED
    require(isinstance(tooling, dict), f"expected a dict {{situation: (format, data access)}}, got "
            f"{type(tooling).__name__}")
    missing = sorted(set(TOOLING_SITUATIONS) - set(tooling))
    unknown = sorted(set(tooling) - set(TOOLING_SITUATIONS))
    require(not unknown, f"unknown situations {unknown}: the keys are {list(TOOLING_SITUATIONS)}")
    require(not missing, f"answer every situation: {missing} missing")
    for situation, answer in tooling.items():
        require(isinstance(answer, tuple | list) and len(answer) == 2,
                f"{situation}: answer with a pair (format, data access), e.g. ('TFLite', 'frozen'); "
                f"got {answer!r}")
        chosen_format, chosen_access = answer
        require(chosen_format in FORMATS, f"{situation}: the format is one of {list(FORMATS)}, not "
                f"{chosen_format!r}")
        require(chosen_access in DATA_ACCESS, f"{situation}: data access is one of {list(DATA_ACCESS)}, not "
                f"{chosen_access!r}")
    for situation, (chosen_format, chosen_access) in tooling.items():
        formats, accesses = ACCEPTED[situation]
        for chosen, accepted in ((chosen_format, formats), (chosen_access, accesses)):
            if chosen not in accepted:
                require(False, f"{situation}: {TOOLING_HINTS[(situation, chosen)]}")
    return ("every situation gets a format its runtime can run and data it can reach; the field app could "
            "use TFLite or ONNX Runtime's mobile build, the sensor only TFLite (Micro).")


COMPONENTS = ("model", "runtime", "lookup table", "requests")
# Monday's database: Biscoe's row refreshed with the 2009 season (a few percent: harmless), and Dream's row
# written by a new field data source that reports kilograms.
MONDAY_BISCOE_G, MONDAY_DREAM_KG = 4793.4, 3.6911


def monday_database(path, training_means: dict) -> Path:
    """Exercise 0.3's database: the island_stats table as a weekend refresh left it."""
    path = Path(path)
    path.unlink(missing_ok=True)
    rows = {**training_means, "Biscoe": MONDAY_BISCOE_G, "Dream": MONDAY_DREAM_KG}
    seasons = {"Biscoe": "2009", "Dream": "2009", "Torgersen": "2007-2008"}
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE island_stats (island TEXT PRIMARY KEY, mean_body_mass_g REAL NOT NULL, "
                   "seasons TEXT NOT NULL)")
        db.executemany("INSERT INTO island_stats VALUES (?, ?, ?)",
                       [(island, float(mean), seasons[island]) for island, mean in rows.items()])
    return path


def _changes(monday_db, training_means: dict) -> dict[str, float]:
    """{island: relative change of its mean} between the training table and Monday's database."""
    with sqlite3.connect(monday_db) as db:
        monday = dict(db.execute("SELECT island, mean_body_mass_g FROM island_stats"))
    return {island: abs(monday[island] - mean) / mean for island, mean in training_means.items()}


@exercise_check("0.3", CHAPTER)
def check_00_incident(cause, monday_db, training_means: dict) -> str:
    """Exercise 0.3: (component, island) that made Monday's answers worse."""
    if cause is None:
        return NOT_ATTEMPTED
    require(isinstance(cause, tuple | list) and len(cause) == 2,
            f"answer with a pair (component, island), e.g. ('lookup table', 'Biscoe'); got {cause!r}")
    component, island = cause
    require(component in COMPONENTS, f"the component is one of {list(COMPONENTS)}, not {component!r}")
    require(component != "model", "nobody deployed a model, and the service loads the one you trained: run "
            "Friday's database through the same service and you get Friday's answers back")
    require(component != "runtime", "a runtime changes how fast an answer comes, not which: the three "
            "runtimes of section 3 agreed to 1e-5; and nothing was deployed")
    require(component != "requests", "the requests are the same 2009 penguins as on Friday: with Friday's "
            "database they get Friday's answers")
    changes = _changes(monday_db, training_means)
    require(island in changes, f"{island!r} is not an island of the table: {sorted(changes)}")
    culprit = max(changes, key=changes.get)
    if island != culprit:
        require(changes[island] > 0, f"{island}'s row holds what training used: compare every row of "
                "Monday's table with training_means")
        require(False, f"{island}'s row changed too ({changes[island]:.1%}), but section 5 showed that a "
                "change of a few percent moves an answer or two at most: which row changed by far more?")
    return (f"the lookup table: {culprit}'s row holds {MONDAY_DREAM_KG}, a mean in kilograms where training "
            "used grams. No error anywhere: validate looked-up values like training data (ranges, units; "
            "chapter 02) before the service reads them.")
