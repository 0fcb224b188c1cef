"""The exercise checks accept right answers, reject wrong ones with a hint, and wait for None."""

import json

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

    def __init__(self, artifact, exec_properties=None, id="CsvExampleGen"):  # noqa: A002  (TFX's name)
        self.outputs = {"examples": Channel(artifact)}
        self.exec_properties = exec_properties or {}
        self.id = id


class Context:
    def __init__(self, store=None):
        self.ran, self._store = [], store

    def run(self, component):
        if isinstance(component, Failing):
            raise RuntimeError("Split name train does not match any file.\nmore details")
        self.ran.append(component)

    def store(self):
        return self._store


class Failing(Component):
    """An ExampleGen whose run fails (say, a pattern that matches no file)."""


def artifact_of_csv(folder, csv_by_split: dict[str, str]):
    """An Examples artifact in ``folder`` whose splits hold the given CSV texts, as tf.Examples."""
    art = standard_artifacts.Examples()
    art.uri = str(folder)
    art.split_names = "[" + ", ".join(f'"{s}"' for s in csv_by_split) + "]"
    for split, text in csv_by_split.items():
        source = folder.parent / f"{folder.name}-{split}.csv"
        source.write_text(text)
        examples.csv_to_tfrecord(source, folder / f"Split-{split}/data.tfrecord.gz")
    return art


def examples_artifact(tmp_path, sizes):
    return artifact_of_csv(tmp_path / "examples", {split: HEADER + "Dream,3500\n" * n
                                                   for split, n in sizes.items()})


def test_none_means_not_attempted(capsys):
    assert_not_attempted(exercises.check_01_three_way_split(Context(), None))
    assert "not attempted yet" in capsys.readouterr().out


def split_config(buckets, partition=""):
    """An ExampleGen's output_config exec property, as TFX stores it (JSON), for {split: hash_buckets}."""
    return {"output_config": json.dumps({"split_config": {
        "splits": [{"name": name, "hash_buckets": n} for name, n in buckets.items()],
        **({"partition_feature_name": partition} if partition else {})}})}


def three_way(tmp_path, buckets, sizes=None, id="three_way_split", partition=""):  # noqa: A002
    """A three_way_split answer: its configured buckets, and the split sizes its run wrote (default 8/1/1)."""
    artifact = examples_artifact(tmp_path, sizes or {"train": 8, "eval": 1, "test": 1})
    return Component(artifact, split_config(buckets, partition), id)


@pytest.mark.parametrize("buckets", [(8, 1, 1), (80, 10, 10), (16, 2, 2)])
def test_a_right_three_way_split_passes(tmp_path, buckets):
    context = Context()
    component = three_way(tmp_path, dict(zip(("train", "eval", "test"), buckets, strict=True)))
    assert exercises.check_01_three_way_split(context, component, total=10)
    assert context.ran == [component]


@pytest.mark.parametrize("buckets", [(7, 1, 1), (9, 1, 1), (6, 1, 1), (8, 2, 1), (8, 1, 2), (10, 1, 1)])
def test_a_three_way_split_in_another_ratio_fails_before_it_runs(tmp_path, buckets):
    context = Context()
    component = three_way(tmp_path, dict(zip(("train", "eval", "test"), buckets, strict=True)))
    ratio = " : ".join(map(str, buckets))
    assert_wrong(exercises.check_01_three_way_split(context, component, total=10),
                 rf"your hash_buckets {ratio} give .*8 times the buckets of eval")
    assert context.ran == []


@pytest.mark.parametrize("buckets, sizes, hint", [
    ({"train": 8, "eval": 1}, None, r"named train, eval, test.*has \['train', 'eval'\]"),
    ({"train": 8, "test": 1, "eval": 1}, None, "named train, eval, test"),
    ({"train": 8, "eval": 1, "test": 1}, {"train": 5, "eval": 3, "test": 2}, "check hash_buckets"),
    ({"train": 8, "eval": 1, "test": 1}, {"train": 4, "eval": 1, "test": 1}, "the data set has 10"),
])
def test_a_wrong_three_way_split_fails_with_a_hint(tmp_path, buckets, sizes, hint):
    component = three_way(tmp_path, buckets, sizes)
    assert_wrong(exercises.check_01_three_way_split(Context(), component, total=10), hint)


def test_a_three_way_split_by_a_feature_is_refused(tmp_path):
    component = three_way(tmp_path, {"train": 8, "eval": 1, "test": 1}, partition="island")
    assert_wrong(exercises.check_01_three_way_split(Context(), component, total=10),
                 "leave partition_feature_name out")


@pytest.mark.parametrize("given", ["CsvExampleGen", "three_way", "split_75_25"])
def test_a_three_way_split_without_its_id_fails_before_it_runs(tmp_path, given):
    context = Context()
    component = three_way(tmp_path, {"train": 8, "eval": 1, "test": 1}, id=given)
    assert_wrong(exercises.check_01_three_way_split(context, component, total=10),
                 rf"asks for the id 'three_way_split', your component's id is '{given}'.*"
                 r'\.with_id\("three_way_split"\)')
    assert context.ran == []


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
        assert exercises.check_01_pin_span(context, Component(artifact, id="span_one"), span=1, rows=6)
    else:
        verdict = exercises.check_01_pin_span(context, Component(artifact, id="span_one"), span=1, rows=6)
        assert_wrong(verdict, "ingested span 2" if span != 1 else "span 1 has 6 rows")


def test_pin_span_needs_its_id(tmp_path):
    artifact = examples_artifact(tmp_path, {"train": 4, "eval": 2})
    context = Context(stored_span(tmp_path, artifact, 1))
    assert_wrong(exercises.check_01_pin_span(context, Component(artifact, id="landing"), span=1, rows=6),
                 r"asks for the id 'span_one', your component's id is 'landing'")
    assert context.ran == []


def test_a_check_prints_one_line_and_shows_nothing_in_a_notebook(tmp_path, capsys):
    from IPython.core.formatters import DisplayFormatter

    component = Component(examples_artifact(tmp_path, {"train": 9, "eval": 1}))
    for verdict in (exercises.check_01_three_way_split(Context(), None),
                    exercises.check_01_three_way_split(Context(), component, total=10)):
        assert DisplayFormatter().format(verdict) == ({}, {})  # no "False" under the cell
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(". ")[0] for line in lines] == ["Exercise 1.1: not attempted yet",
                                                      "Exercise 1.1: not right yet"]


def season_artifact(tmp_path, seasons):
    """An Examples artifact whose splits hold {split: {year: rows}}."""
    return artifact_of_csv(tmp_path / "seasons", {
        split: "species,year\n" + "".join(f"Adelie,{y}\n" * n for y, n in years.items())
        for split, years in seasons.items()})


RIGHT_SEASONS = {"train": {2007: 110, 2008: 114}, "eval": {2009: 117}}
BY_YEAR = '{"split_config": {"partition_feature_name": "year", "splits": []}}'


def test_a_season_split_read_from_the_span_files_passes(tmp_path):
    context = Context()
    component = Component(season_artifact(tmp_path, RIGHT_SEASONS),
                          {"output_config": '{"split_config": {"splits": []}}'}, "by_season")
    assert exercises.check_01_season_split(context, component)
    assert context.ran == [component]


def test_season_split_not_attempted(capsys):
    assert_not_attempted(exercises.check_01_season_split(Context(), None))
    assert "solutions/01_example_gen_solutions.ipynb" in capsys.readouterr().out


@pytest.mark.parametrize("seasons, exec_properties, hint", [
    # the default 2:1 hash split of the clean penguins: every season on both sides
    ({"train": {2007: 70, 2008: 70, 2009: 64}, "eval": {2007: 40, 2008: 44, 2009: 56}}, {},
     r"both hold penguins of \[2007, 2008, 2009\].*a hash split mixes"),
    # partition_feature_name="year" with 2:1 buckets (what TFX does): 2007 | 2008 + 2009
    ({"train": {2007: 110}, "eval": {2008: 114, 2009: 120}}, {"output_config": BY_YEAR},
     r"partition_feature_name='year'.*hash of the value decides"),
    # even when the hash happens to give the right seasons, it was luck
    ({"train": {2007: 110, 2008: 114}, "eval": {2009: 120}}, {"output_config": BY_YEAR},
     "partition_feature_name"),
    # the splits the wrong way round
    ({"train": {2009: 117}, "eval": {2007: 110, 2008: 114}}, {}, r"eval holds the seasons \[2007, 2008\]"),
    ({"train": {2007: 110}, "eval": {2009: 117}}, {}, r"train holds 110 penguins of \[2007\].*all 224"),
    ({"train": {2007: 110, 2008: 114}, "eval": {2009: 120}}, {}, "that is version 1 of 2009"),
    ({"train": {2007: 110, 2008: 114}, "eval": {2009: 237}}, {}, "both versions of 2009"),
    ({"train": {2007: 110, 2008: 114}, "eval": {2009: 60}}, {}, "version 2 of 2009 has 117"),
    ({"train": {2007: 110, 2008: 114}, "test": {2009: 117}}, {}, "named train and eval"),
])
def test_a_wrong_season_split_fails_with_a_hint(tmp_path, seasons, exec_properties, hint):
    component = Component(season_artifact(tmp_path, seasons), exec_properties, "by_season")
    assert_wrong(exercises.check_01_season_split(Context(), component), hint)


@pytest.mark.parametrize("given", ["CsvExampleGen", "by_year", "season_split"])
def test_a_season_split_without_its_id_fails_before_it_runs(tmp_path, given):
    context = Context()
    component = Component(season_artifact(tmp_path, RIGHT_SEASONS), {}, given)
    assert_wrong(exercises.check_01_season_split(context, component),
                 rf"asks for the id 'by_season', your component's id is '{given}'")
    assert context.ran == []


def test_a_component_that_fails_to_run_gets_its_error_as_the_hint(tmp_path):
    component = Failing(season_artifact(tmp_path, RIGHT_SEASONS), id="by_season")
    assert_wrong(exercises.check_01_season_split(Context(), component),
                 r"did not run: Split name train does not match any file\.$")


@pytest.mark.parametrize("buckets, seasons", [((2, 1), {2007: "train", 2008: "eval", 2009: "eval"}),
                                              ((4, 1), {2007: "train", 2008: "train", 2009: "train"})])
def test_the_partition_hint_says_what_tfx_does_with_the_years(buckets, seasons):
    """Exercise 1.3's hint: how ExampleGen's partition function assigns each year, by its bucket counts."""
    import tensorflow as tf
    from tfx.components.example_gen.base_example_gen_executor import _PartitionFn
    from tfx.proto import example_gen_pb2

    split_config = example_gen_pb2.SplitConfig(
        splits=[example_gen_pb2.SplitConfig.Split(name=name, hash_buckets=n)
                for name, n in zip(("train", "eval"), buckets, strict=True)],
        partition_feature_name="year")
    for year, split in seasons.items():
        example = tf.train.Example()
        example.features.feature["year"].int64_list.value.append(year)
        index = _PartitionFn(example, 2, [buckets[0], sum(buckets)], split_config)
        assert ("train", "eval")[index] == split, year


@pytest.mark.parametrize("buckets, hint", [
    ((7, 1, 1), "your hash_buckets 7 : 1 : 1 give train 78 %, eval 11 %, test 11 %"),
    ((80, 10, 10), None),
])
def test_the_ratio_is_read_from_a_real_example_gens_output_config(tmp_path, buckets, hint):
    """The check reads the buckets TFX stored on a declared CsvExampleGen (its JSON exec property)."""
    from tfx import v1 as tfx

    declared = tfx.components.CsvExampleGen(
        input_base=str(tmp_path),
        output_config=tfx.proto.Output(split_config=tfx.proto.SplitConfig(splits=[
            tfx.proto.SplitConfig.Split(name=name, hash_buckets=n)
            for name, n in zip(("train", "eval", "test"), buckets, strict=True)]))).with_id("three_way_split")
    answer = three_way(tmp_path, {}, id="three_way_split")
    answer.exec_properties = declared.exec_properties
    if hint:
        assert_wrong(exercises.check_01_three_way_split(Context(), answer, total=10), hint)
    else:
        assert exercises.check_01_three_way_split(Context(), answer, total=10)
