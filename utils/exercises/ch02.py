"""Checks for chapter 02 (data validation)."""

from __future__ import annotations

import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import schema_pb2

from utils import validation
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
    in_training = _validate(schema, train_stats)
    require(not in_training,
            f"the training data must still pass, but got anomalies {in_training}: change only the maximum")
    in_heavy = _validate(schema, heavy_stats)
    require("INT_TYPE_BIG_INT" in in_heavy.get("body_mass_g", []),
            f"the heavy penguins should be flagged as too big; anomalies found: {in_heavy}")
    return f"The heavy delivery is flagged: {in_heavy['body_mass_g']}"


@exercise_check("2.2", CHAPTER)
def check_02_accept_new_island(schema, new_island_stats, other_deliveries: dict) -> str:
    """Exercise 2.2: accept the new field site 'Anvers' on purpose, and still catch the other defects."""
    if schema is None:
        return NOT_ATTEMPTED
    require(isinstance(schema, schema_pb2.Schema),
            f"expected a schema_pb2.Schema, got {type(schema).__name__}")
    require(tfdv.get_feature(schema, "island").WhichOneof("domain_info") == "domain",
            "island lost its domain: keep the list of islands and add Anvers to it")
    island_domain = tfdv.get_domain(schema, "island")
    require(set(island_domain.value) == {"Biscoe", "Dream", "Torgersen", "Anvers"},
            f"the island domain should be the three islands plus Anvers, got {list(island_domain.value)}")
    left = _validate(schema, new_island_stats)
    require(not left, f"the delivery with Anvers should now pass; anomalies left: {left}")
    for name, stats in other_deliveries.items():
        require(bool(_validate(schema, stats)),
                f"the '{name}' delivery is no longer flagged: accept Anvers without loosening the rest")
    return f"Anvers is accepted; still flagged: {', '.join(other_deliveries)}."


# Exercise 2.3: data/penguins/incoming holds three deliveries of the 2009 season made by
# tools/derive_data.py; what each one is (tests/test_data.py checks the files against it).
DELIVERY_CAUSES = ("column dropped", "typo in some values", "unknown category", "sign flipped",
                   "wrong unit", "columns swapped", "too few rows")
DELIVERY_DIAGNOSIS = {
    "batch_a": {"bill_depth_mm": "columns swapped", "bill_length_mm": "columns swapped"},
    "batch_b": {"body_mass_g": "wrong unit"},
    "batch_c": {},
}
_LOOK_AT = "statistics.numeric_table(batch_stats['{batch}']) next to statistics.numeric_table(train_stats)"


@exercise_check("2.3", CHAPTER)
def check_02_diagnose_deliveries(diagnosis) -> str:
    """Exercise 2.3: name what broke in each unlabelled delivery, and let the clean one through."""
    if diagnosis is None:
        return NOT_ATTEMPTED
    batches = sorted(DELIVERY_DIAGNOSIS)
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
    require(diagnosis["batch_c"] == {},
            f"batch_c: ExampleValidator found no anomaly and the delivery has all 120 birds of the season; "
            f"what made you flag {sorted(diagnosis['batch_c'])}? A delivery that passes gets {{}}")
    _require_features("batch_a", diagnosis["batch_a"], "two features, one bill measurement")
    causes_a = set(diagnosis["batch_a"].values())
    require(causes_a == {"columns swapped"},
            "batch_a: both bills are flagged, one above its maximum and one below its minimum. Compare "
            f"their min and max in {_LOOK_AT.format(batch='batch_a')}: which column holds which "
            f"measurement? (you answered {sorted(causes_a)})")
    _require_features("batch_b", diagnosis["batch_b"], "one feature")
    cause_b = diagnosis["batch_b"]["body_mass_g"]
    if cause_b == "typo in some values":
        hint = ("batch_b: a typo such as 'heavy' would turn body_mass_g into text (INT_TYPE_NOT_INT_STRING); "
                "here it became a float and every value is a number. Look at its min and max: in what "
                "unit are they?")
    else:
        hint = (f"batch_b: body_mass_g became a float. Look at its min, mean and max in "
                f"{_LOOK_AT.format(batch='batch_b')}: what happened to the numbers? "
                f"(you answered {cause_b!r})")
    require(cause_b == "wrong unit", hint)
    return ("the bill columns of batch_a are swapped and batch_b weighs in kilograms: both go back to "
            "their source for a new version; batch_c passes.")


def _require_features(batch: str, answer: dict, how_many: str) -> None:
    expected = sorted(DELIVERY_DIAGNOSIS[batch])
    require(sorted(answer) == expected,
            f"{batch}: ExampleValidator flags {how_many} ({len(expected)} in all); name every feature it "
            f"flags and nothing else (you named {sorted(answer) or 'none'}); "
            f"validation.found(batch_anomalies['{batch}']) lists them")


def _keys(answer) -> str:
    return str(sorted(answer)) if isinstance(answer, dict) else repr(answer)
