"""Chapter 02's checks: right schemas pass, loosened or wrong ones fail with a hint."""

from pathlib import Path

import pandas as pd
import pytest
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import anomalies_pb2, schema_pb2

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import data, exercises, paths, schema


def stats_of(rows):
    return tfdv.generate_statistics_from_dataframe(pd.DataFrame(rows))


def penguin(island="Dream", mass=4000):
    return {"island": island, "body_mass_g": mass}


@pytest.fixture(scope="module")
def curated():
    """A two-feature slice of the curated schema (the test data have only these two features)."""
    full = schema.load(paths.CURATED_SCHEMA)
    small = schema_pb2.Schema()
    small.feature.extend(f for f in full.feature if f.name in ("island", "body_mass_g"))
    small.string_domain.extend(d for d in full.string_domain if d.name == "island")
    for feature in small.feature:
        feature.ClearField("value_count")
    return small


@pytest.fixture(scope="module")
def stats():
    return {
        "train": stats_of([penguin(mass=m) for m in (3000, 4500, 6300)]),
        "heavy": stats_of([penguin(mass=m) for m in (4000, 7245)]),
        "anvers": stats_of([penguin("Anvers"), penguin()]),
        "out_of_range": stats_of([penguin(mass=-5)]),
    }


def copy(proto):
    new = schema_pb2.Schema()
    new.CopyFrom(proto)
    return new


def test_none_is_not_attempted(stats, capsys):
    assert_not_attempted(exercises.check_02_heavier_than_6500(None, stats["train"], stats["heavy"]))
    assert "not attempted yet" in capsys.readouterr().out


def test_max_6500_is_right(curated, stats):
    tight = copy(curated)
    tfdv.get_feature(tight, "body_mass_g").int_domain.max = 6500
    assert exercises.check_02_heavier_than_6500(tight, stats["train"], stats["heavy"])


@pytest.mark.parametrize("maximum, hint", [(8000, "max is 6500"), (6000, "max is 6500")])
def test_another_maximum_fails(curated, stats, maximum, hint):
    wrong = copy(curated)
    tfdv.get_feature(wrong, "body_mass_g").int_domain.max = maximum
    assert_wrong(exercises.check_02_heavier_than_6500(wrong, stats["train"], stats["heavy"]), hint)


@pytest.mark.parametrize("domain", [schema_pb2.IntDomain(max=6500), schema_pb2.IntDomain(min=0, max=6500)])
def test_a_max_without_the_curated_minimum_fails(curated, stats, domain):
    loose = copy(curated)
    tfdv.set_domain(loose, "body_mass_g", domain)
    assert_wrong(exercises.check_02_heavier_than_6500(loose, stats["train"], stats["heavy"]),
                 "minimum of body_mass_g must stay 2000 g")


def test_set_domain_with_min_and_max_is_right(curated, stats):
    tight = copy(curated)
    tfdv.set_domain(tight, "body_mass_g", schema_pb2.IntDomain(min=2000, max=6500))
    assert exercises.check_02_heavier_than_6500(tight, stats["train"], stats["heavy"])


def test_a_schema_that_breaks_the_training_data_fails(curated, stats):
    wrong = copy(curated)
    tfdv.get_feature(wrong, "body_mass_g").int_domain.max = 6500
    tfdv.get_domain(wrong, "island").ClearField("value")
    tfdv.get_domain(wrong, "island").value.append("Biscoe")
    verdict = exercises.check_02_heavier_than_6500(wrong, stats["train"], stats["heavy"])
    assert_wrong(verdict, "training data must still pass")


def test_adding_anvers_is_right(curated, stats):
    right = copy(curated)
    tfdv.get_domain(right, "island").value.append("Anvers")
    assert exercises.check_02_accept_new_island(right, stats["anvers"],
                                                {"out_of_range": stats["out_of_range"]})


def test_an_inline_domain_with_anvers_is_right(curated, stats):
    """tfdv.set_domain with a StringDomain puts the list on the feature itself: same effective domain."""
    inline = copy(curated)
    tfdv.set_domain(inline, "island",
                    schema_pb2.StringDomain(value=["Biscoe", "Dream", "Torgersen", "Anvers"]))
    assert tfdv.get_feature(inline, "island").WhichOneof("domain_info") == "string_domain"
    assert exercises.check_02_accept_new_island(inline, stats["anvers"],
                                                {"out_of_range": stats["out_of_range"]})


def test_an_inline_domain_with_a_fifth_island_fails(curated, stats):
    inline = copy(curated)
    tfdv.set_domain(inline, "island",
                    schema_pb2.StringDomain(value=["Biscoe", "Dream", "Torgersen", "Anvers", "Ross"]))
    assert_wrong(exercises.check_02_accept_new_island(inline, stats["anvers"], {}),
                 "three islands plus Anvers")


def test_dropping_the_island_domain_fails(curated, stats):
    loose = copy(curated)
    tfdv.get_feature(loose, "island").ClearField("domain")
    assert_wrong(exercises.check_02_accept_new_island(loose, stats["anvers"], {}),
                 "island lost its list of values")


def test_loosening_the_rest_fails(curated, stats):
    loose = copy(curated)
    tfdv.get_domain(loose, "island").value.append("Anvers")
    tfdv.get_feature(loose, "body_mass_g").ClearField("int_domain")
    verdict = exercises.check_02_accept_new_island(loose, stats["anvers"],
                                                   {"out_of_range": stats["out_of_range"]})
    assert_wrong(verdict, "'out_of_range' delivery is no longer flagged")


RIGHT_DIAGNOSIS = {
    "batch_a": {"bill_depth_mm": "columns swapped", "bill_length_mm": "columns swapped"},
    "batch_b": {"body_mass_g": "wrong unit"},
    "batch_c": {},
}


def anomalies_of(**found):
    """An Anomalies proto with these {feature: [anomaly type, ...]}, as ExampleValidator writes them."""
    proto = anomalies_pb2.Anomalies()
    for feature, kinds in found.items():
        for kind in kinds:
            proto.anomaly_info[feature].reason.add(type=anomalies_pb2.AnomalyInfo.Type.Value(kind))
    return proto


# What ExampleValidator reports for the three shipped deliveries (chapter 02's notebook shows them).
BATCH_ANOMALIES = {
    "batch_a": anomalies_of(bill_depth_mm=["FLOAT_TYPE_BIG_FLOAT"],
                            bill_length_mm=["FLOAT_TYPE_SMALL_FLOAT"]),
    "batch_b": anomalies_of(body_mass_g=["UNEXPECTED_DATA_TYPE"]),
    "batch_c": anomalies_of(),
}


def diagnosis(**changes):
    return {**RIGHT_DIAGNOSIS, **changes}


def check_diagnosis(answer):
    return exercises.check_02_diagnose_deliveries(answer, BATCH_ANOMALIES)


def test_the_diagnosis_is_right():
    assert check_diagnosis(diagnosis())


def test_no_diagnosis_is_not_attempted():
    assert_not_attempted(check_diagnosis(None))


def test_the_anomalies_are_required():
    assert_wrong(exercises.check_02_diagnose_deliveries(diagnosis(), {}), "as the second argument")


@pytest.mark.parametrize("answer, hint", [
    ({"batch_a": {}}, "one entry for each of batch_a, batch_b, batch_c"),
    (diagnosis(batch_b="wrong unit"), "batch_b: answer with a dict"),
    (diagnosis(batch_b={"body_mass_g": "kilograms"}), "not one of exercises.DELIVERY_CAUSES"),
    (diagnosis(batch_c={"year": "typo in some values"}), "batch_c: ExampleValidator found no anomaly"),
    (diagnosis(batch_a={"bill_depth_mm": "columns swapped"}), r"batch_a: .*name every feature"),
    (diagnosis(batch_a={"bill_depth_mm": "wrong unit", "bill_length_mm": "wrong unit"}),
     r"above the schema's maximum .* what does each column hold"),
    (diagnosis(batch_a={"bill_depth_mm": "typo in some values", "bill_length_mm": "sign flipped"}),
     "every value is a number"),
    (diagnosis(batch_b={}), r"batch_b: .*name every feature"),
    (diagnosis(batch_b={"body_mass_g": "typo in some values"}), "every value is a number"),
    (diagnosis(batch_b={"body_mass_g": "sign flipped"}),
     r"a data type other than the schema's .* min, mean and max"),
])
def test_a_wrong_diagnosis_gets_a_targeted_hint(answer, hint):
    assert_wrong(check_diagnosis(answer), hint)


def test_the_check_module_does_not_spell_the_answer():
    """Reading utils/exercises/ch02.py (or tab-completing it) does not give exercise 2.3's answer away."""
    from utils.exercises import ch02

    source = Path(ch02.__file__).read_text()
    assert "columns swapped\": " not in source and "wrong unit\"}" not in source
    assert not any("DIAGNOSIS" in name for name in dir(ch02))


def test_the_incoming_deliveries_carry_the_defects_the_check_expects():
    """The check's hashed answers and tools/derive_data.py describe the same files."""
    import csv

    from utils.exercises import ch02

    def rows(batch):
        with data.dataset_file(f"penguins/incoming/{batch}").open(newline="") as handle:
            return list(csv.DictReader(handle))

    with data.dataset_file("penguins/spans/span-2/ver-1").open(newline="") as handle:
        season = list(csv.DictReader(handle))
    swapped, kilograms, clean = rows("batch_a"), rows("batch_b"), rows("batch_c")
    assert {batch: {ch02.answer_hash(batch, feature, cause) for feature, cause in answer.items()}
            for batch, answer in RIGHT_DIAGNOSIS.items()} == ch02._RIGHT
    assert all(a["bill_length_mm"] == s["bill_depth_mm"] and a["bill_depth_mm"] == s["bill_length_mm"]
               for a, s in zip(swapped, season, strict=True))
    assert all(not s["body_mass_g"] or float(k["body_mass_g"]) * 1000 == int(s["body_mass_g"])
               for k, s in zip(kilograms, season, strict=True))
    assert clean == season[::-1]
