"""The exercise checks accept right answers, reject wrong ones with a hint, and wait for None."""

import pytest
from ml_metadata import metadata_store
from ml_metadata.proto import metadata_store_pb2
from tfx.types import standard_artifacts

from tests.exercise_testing import assert_not_attempted, assert_wrong
from utils import examples, exercises

HEADER = "island,body_mass_g\n"


class Channel:
    def __init__(self, artifact):
        self.artifact = artifact

    def get(self):
        return [self.artifact]


class Component:
    """Stands in for an ExampleGen whose execution already wrote its artifact."""

    def __init__(self, artifact):
        self.outputs = {"examples": Channel(artifact)}


class Context:
    def __init__(self, store=None):
        self.ran, self._store = [], store

    def run(self, component):
        self.ran.append(component)

    def store(self):
        return self._store


def examples_artifact(tmp_path, sizes):
    art = standard_artifacts.Examples()
    art.uri = str(tmp_path / "examples")
    art.split_names = "[" + ", ".join(f'"{s}"' for s in sizes) + "]"
    for split, n in sizes.items():
        source = tmp_path / f"{split}.csv"
        source.write_text(HEADER + "Dream,3500\n" * n)
        examples.csv_to_tfrecord(source, tmp_path / f"examples/Split-{split}/data.tfrecord.gz")
    return art


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_01_three_way_split(Context(), None))
    assert "not attempted yet" in capsys.readouterr().out


def test_a_right_three_way_split_passes(tmp_path):
    context = Context()
    component = Component(examples_artifact(tmp_path, {"train": 8, "eval": 1, "test": 1}))
    assert exercises.check_01_three_way_split(context, component, total=10)
    assert context.ran == [component]


@pytest.mark.parametrize("sizes, hint", [
    ({"train": 9, "eval": 1}, "named train, eval, test"),
    ({"train": 5, "eval": 3, "test": 2}, "check hash_buckets"),
    ({"train": 4, "eval": 1, "test": 1}, "the data set has 10"),
])
def test_a_wrong_three_way_split_fails_with_a_hint(tmp_path, sizes, hint):
    component = Component(examples_artifact(tmp_path, sizes))
    assert_wrong(exercises.check_01_three_way_split(Context(), component, total=10), hint)


def test_a_component_that_is_not_an_example_gen_is_refused():
    assert_wrong(exercises.check_01_three_way_split(Context(), "CsvExampleGen"), "expected an ExampleGen")


def stored_span(tmp_path, artifact, span):
    config = metadata_store_pb2.ConnectionConfig()
    config.sqlite.filename_uri = str(tmp_path / "metadata.sqlite")
    config.sqlite.connection_mode = metadata_store_pb2.SqliteMetadataSourceConfig.READWRITE_OPENCREATE
    store = metadata_store.MetadataStore(config)
    type_id = store.put_artifact_type(metadata_store_pb2.ArtifactType(name="Examples"))
    record = metadata_store_pb2.Artifact(type_id=type_id, uri=artifact.uri)
    record.custom_properties["span"].int_value = span
    record.custom_properties["version"].int_value = 1
    [artifact.id] = store.put_artifacts([record])
    return store


@pytest.mark.parametrize("span, rows, passes", [(1, 6, True), (2, 6, False), (1, 5, False)])
def test_pin_span_checks_the_recorded_span_and_the_rows(tmp_path, span, rows, passes):
    artifact = examples_artifact(tmp_path, {"train": rows - 2, "eval": 2})
    context = Context(stored_span(tmp_path, artifact, span))
    if passes:
        assert exercises.check_01_pin_span(context, Component(artifact), span=1, rows=6)
    else:
        verdict = exercises.check_01_pin_span(context, Component(artifact), span=1, rows=6)
        assert_wrong(verdict, "ingested span 2" if span != 1 else "span 1 has 6 rows")


def test_a_check_prints_one_line_and_shows_nothing_in_a_notebook(tmp_path, capsys):
    from IPython.core.formatters import DisplayFormatter

    component = Component(examples_artifact(tmp_path, {"train": 9, "eval": 1}))
    for verdict in (exercises.check_01_three_way_split(Context(), None),
                    exercises.check_01_three_way_split(Context(), component, total=10)):
        assert DisplayFormatter().format(verdict) == ({}, {})  # no "False" under the cell
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(". ")[0] for line in lines] == ["Exercise 1.1: not attempted yet",
                                                      "Exercise 1.1: not right yet"]
