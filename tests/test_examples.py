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
