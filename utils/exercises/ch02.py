"""Checks for chapter 02 (data validation)."""

from __future__ import annotations

import hashlib

import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import schema_pb2

from utils import paths, validation
from utils import schema as course_schema
from utils.exercises.common import NOT_ATTEMPTED, exercise_check, require

CHAPTER = "02_data_validation"


def _validate(schema, stats) -> dict[str, list[str]]:
    return validation.found(tfdv.validate_statistics(stats, schema))


@exercise_check("2.1", CHAPTER)
def check_02_heavier_than_6500(schema, train_stats, heavy_stats) -> str:
    """Exercise 2.1: a penguin heavier than 6500 g is an anomaly; the training data still pass."""
    if schema is None:
        return NOT_ATTEMPTED
    require(isinstance(schema, schema_pb2.Schema),
            f"expected a schema_pb2.Schema, got {type(schema).__name__}")
    mass = tfdv.get_feature(schema, "body_mass_g")
    require(mass.HasField("int_domain") and mass.int_domain.max == 6500,
            "body_mass_g should have an int_domain whose max is 6500 "
            "(tfdv.set_domain or tfdv.get_feature(...).int_domain.max)")
    minimum = _curated_mass().int_domain.min
    require(mass.int_domain.HasField("min") and mass.int_domain.min == minimum,
            f"the minimum of body_mass_g must stay {minimum} g (the curated schema's): a new "
            f"IntDomain(max=6500) without min drops it, so a mass in kilograms would pass; give both, "
            f"IntDomain(min={minimum}, max=6500), or change only int_domain.max")
    in_training = _validate(schema, train_stats)
    require(not in_training,
            f"the training data must still pass, but got anomalies {in_training}: change only the maximum")
    in_heavy = _validate(schema, heavy_stats)
    require("INT_TYPE_BIG_INT" in in_heavy.get("body_mass_g", []),
            f"the heavy penguins should be flagged as too big; anomalies found: {in_heavy}")
    return f"The heavy delivery is flagged: {in_heavy['body_mass_g']}"


def _curated_mass() -> schema_pb2.Feature:
    return tfdv.get_feature(course_schema.load(paths.CURATED_SCHEMA), "body_mass_g")


ISLANDS = {"Biscoe", "Dream", "Torgersen"}


@exercise_check("2.2", CHAPTER)
def check_02_accept_new_island(schema, new_island_stats, other_deliveries: dict) -> str:
    """Exercise 2.2: accept the new field site 'Anvers' on purpose, and still catch the other defects.

    Judged on the island's effective domain (a named string_domain or one inline on the feature: both are
    what ``tfdv.get_domain`` returns) and on behaviour, not on which field holds the list."""
    if schema is None:
        return NOT_ATTEMPTED
    require(isinstance(schema, schema_pb2.Schema),
            f"expected a schema_pb2.Schema, got {type(schema).__name__}")
    island_domain = _island_domain(schema)
    require(isinstance(island_domain, schema_pb2.StringDomain),
            "island lost its list of values: keep the three islands and add Anvers to them "
            "(tfdv.get_domain(schema, 'island').value.append(...))")
    require(set(island_domain.value) == ISLANDS | {"Anvers"},
            f"the island domain should be the three islands plus Anvers, got {list(island_domain.value)}")
    left = _validate(schema, new_island_stats)
    require(not left, f"the delivery with Anvers should now pass; anomalies left: {left}")
    for name, stats in other_deliveries.items():
        require(bool(_validate(schema, stats)),
                f"the '{name}' delivery is no longer flagged: accept Anvers without loosening the rest")
    return f"Anvers is accepted; still flagged: {', '.join(other_deliveries)}."


def _island_domain(schema):
    try:
        return tfdv.get_domain(schema, "island")
    except ValueError:
        return None


# Exercise 2.3: data/penguins/incoming holds three deliveries of the 2009 season made by
# tools/derive_data.py. The check keeps only salted hashes of the right (delivery, feature, cause)
# answers, and derives every hint from the anomalies the student hands in, so reading this file tells
# nothing the statistics do not.
DELIVERY_CAUSES = ("column dropped", "typo in some values", "unknown category", "sign flipped",
                   "wrong unit", "columns swapped")
_SALT = "tfx-step-by-step/ch02/2.3"
_RIGHT = {
    "batch_a": {"46033f1edc65db13", "1af8e381eb9bf00e"},
    "batch_b": {"d38c11a52f02b46a"},
    "batch_c": set(),
}
_LOOK_AT = ("statistics.numeric_table(batch_stats['{batch}']) next to statistics.numeric_table(train_stats)")
_WHAT_IT_SAYS = (("MISSING_COLUMN", "the column is absent"),
                 ("_BIG_", "values above the schema's maximum"),
                 ("_SMALL_", "values below the schema's minimum"),
                 ("STRING_VALUES", "values outside its list"),
                 ("NOT_INT_STRING", "text where a number belongs"),
                 ("NOT_FLOAT", "text where a number belongs"),
                 ("UNEXPECTED_DATA_TYPE", "a data type other than the schema's"))


def answer_hash(batch: str, feature: str, cause: str) -> str:
    """The salted hash the check compares one ``{feature: cause}`` entry of a delivery with."""
    return hashlib.sha256(f"{_SALT}|{batch}|{feature}|{cause}".encode()).hexdigest()[:16]


@exercise_check("2.3", CHAPTER)
def check_02_diagnose_deliveries(diagnosis, batch_anomalies: dict) -> str:
    """Exercise 2.3: name what broke in each unlabelled delivery, and let the clean one through.

    ``batch_anomalies``: {delivery: ExampleValidator's Anomalies proto of that split}."""
    if diagnosis is None:
        return NOT_ATTEMPTED
    batches = sorted(_RIGHT)
    require(isinstance(batch_anomalies, dict) and sorted(batch_anomalies) == batches,
            f"pass the anomalies of {', '.join(batches)} as the second argument (batch_anomalies)")
    require(isinstance(diagnosis, dict) and sorted(diagnosis) == batches,
            f"answer with a dict with one entry for each of {', '.join(batches)} ({{}} for a delivery "
            f"you would let through); got {_keys(diagnosis)}")
    for batch in batches:
        require(isinstance(diagnosis[batch], dict),
                f"{batch}: answer with a dict {{feature: cause}}, got {diagnosis[batch]!r}")
        for feature, cause in diagnosis[batch].items():
            require(cause in DELIVERY_CAUSES,
                    f"{batch}: the cause of '{feature}', {cause!r}, is not one of exercises.DELIVERY_CAUSES "
                    f"{DELIVERY_CAUSES}")
    for batch in batches:
        _check_delivery(batch, diagnosis[batch], validation.found(batch_anomalies[batch]))
    return ("every delivery is diagnosed: the broken ones go back to their source for a new version, "
            "the clean one passes; the schema does not change.")


def _check_delivery(batch: str, answer: dict, flagged: dict[str, list[str]]) -> None:
    if not flagged:
        require(answer == {},
                f"{batch}: ExampleValidator found no anomaly in it; what made you flag {sorted(answer)}? "
                f"A delivery that passes gets {{}}")
    require(sorted(answer) == sorted(flagged),
            f"{batch}: name every feature ExampleValidator flags and nothing else (it flags {len(flagged)}, "
            f"you named {sorted(answer) or 'none'}); validation.found(batch_anomalies['{batch}']) lists them")
    for feature, cause in sorted(answer.items()):
        if answer_hash(batch, feature, cause) in _RIGHT[batch]:
            continue
        seen = _what_it_says(flagged[feature])
        hint = (f"{batch}: '{feature}' shows {seen} ({', '.join(flagged[feature])}); {cause!r} does not "
                f"explain that. Compare its min, mean and max in {_LOOK_AT.format(batch=batch)}")
        if cause == "typo in some values" and "text" not in seen:
            hint += ("; a typo such as 'heavy' would have turned the column into text, but every value "
                     "is a number")
        if len(flagged) > 1:
            hint += (f"; {len(flagged)} features of this delivery are flagged at once: what does each "
                     "column hold?")
        require(False, hint)


def _what_it_says(kinds: list[str]) -> str:
    said = [text for marker, text in _WHAT_IT_SAYS if any(marker in kind for kind in kinds)]
    return " and ".join(dict.fromkeys(said)) or "an anomaly"


def _keys(answer) -> str:
    return str(sorted(answer)) if isinstance(answer, dict) else repr(answer)
