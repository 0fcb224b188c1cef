"""utils.examples: writing tf.Examples from CSV and reading them back from an Examples artifact."""

import pytest
from tfx.types import standard_artifacts

from utils import examples

CSV = "name,count,weight,colour\nada,3,1.5,red\nbob,,2.25,\n"


@pytest.fixture
def artifact(tmp_path):
    """A two-split Examples artifact written the way ExampleGen lays it out."""
    source = tmp_path / "tiny.csv"
    source.write_text(CSV)
    art = standard_artifacts.Examples()
    art.uri = str(tmp_path / "examples")
    art.split_names = '["train", "eval"]'
    examples.csv_to_tfrecord(source, tmp_path / "examples/Split-train/data.tfrecord.gz")
    examples.csv_to_tfrecord(source, tmp_path / "examples/Split-eval/data.tfrecord.gz")
    return art


def test_csv_rows_become_typed_features_and_missing_values_empty_lists(artifact):
    first, second = examples.iter_examples(artifact, "train")
    kinds = {k: f.WhichOneof("kind") for k, f in first.features.feature.items()}
    assert kinds == {"name": "bytes_list", "count": "int64_list", "weight": "float_list",
                     "colour": "bytes_list"}
    assert second.features.feature["count"].WhichOneof("kind") == "int64_list"
    assert list(second.features.feature["count"].int64_list.value) == []


def test_decoded_values_match_the_csv(artifact):
    table = examples.to_dataframe(artifact, "eval")
    table = table.astype(object).where(table.notna(), None)  # pandas shows a missing int as NaN
    assert table.to_dict("records") == [
        {"colour": "red", "count": 3, "name": "ada", "weight": 1.5},
        {"colour": None, "count": None, "name": "bob", "weight": 2.25},
    ]
    assert examples.split_counts(artifact) == {"train": 2, "eval": 2}
    assert len(examples.to_dataframe(artifact, "train", limit=1)) == 1


def test_an_unknown_split_names_the_existing_ones(artifact):
    with pytest.raises(KeyError, match="train"):
        examples.count(artifact, "test")


def test_an_empty_csv_is_refused_with_its_name(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.csv has no header row"):
        examples.csv_to_tfrecord(empty, tmp_path / "out.tfrecord")


def test_csv_examples_take_the_types_a_schema_gives(tmp_path):
    """One request alone says little about types: '35' would be an int; the schema says float."""
    from tensorflow_metadata.proto.v0 import schema_pb2

    source = tmp_path / "request.csv"
    source.write_text("bill_length_mm,island\n35,Dream\n")
    schema = schema_pb2.Schema()
    schema.feature.add(name="bill_length_mm", type=schema_pb2.FLOAT)
    schema.feature.add(name="island", type=schema_pb2.BYTES)
    schema.feature.add(name="year", type=schema_pb2.INT)
    kinds = examples.schema_kinds(schema)
    assert kinds == {"bill_length_mm": "float", "island": "bytes", "year": "int"}
    [inferred] = examples.csv_examples(source)
    [typed] = examples.csv_examples(source, kinds=kinds)
    assert inferred.features.feature["bill_length_mm"].WhichOneof("kind") == "int64_list"
    assert typed.features.feature["bill_length_mm"].WhichOneof("kind") == "float_list"
    assert typed == examples.example_from_values({"bill_length_mm": 35.0, "island": "Dream"}, kinds)
    assert examples.feature_values(examples.example_from_values({"year": None}, kinds)) == {"year": None}


def test_converting_a_csv_again_writes_the_same_file(tmp_path):
    source = tmp_path / "p.csv"
    source.write_text("species,island,year,sex\nAdelie,Torgersen,2007,\nGentoo,Biscoe,2008,male\n")
    first, again = tmp_path / "first.tfrecord.gz", tmp_path / "again.tfrecord.gz"
    examples.csv_to_tfrecord(source, first)
    examples.csv_to_tfrecord(source, again)
    assert first.read_bytes() == again.read_bytes()
    assert first.stat().st_mtime_ns == again.stat().st_mtime_ns == source.stat().st_mtime_ns
