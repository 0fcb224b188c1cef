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
