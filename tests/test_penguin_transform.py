"""The course's Transform module file (utils/tfx_modules/transform/penguin_transform.py), run by
tf.Transform's Beam implementation on six penguins.

The rows below are written so that every number can be worked out by hand: the means, standard deviations,
bucket boundaries and vocabularies the analyzers should find are spelled out next to the assertions.
Analysis runs once (a module fixture, about 10 s); the saved transform graph then handles new examples,
serialized as a client would send them, the way the trainer and the model server will use it.
"""

import math

import pytest
import tensorflow as tf
import tensorflow_transform as tft
import tensorflow_transform.beam as tft_beam
from tensorflow_metadata.proto.v0 import schema_pb2
from tensorflow_transform.tf_metadata import dataset_metadata, schema_utils

from utils import config, paths, schema
from utils.tfx_modules.transform import penguin_transform as module

NUMERIC = ("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g")
COLUMNS = ("species", "island") + NUMERIC + ("sex",)

# species, island, bill length, bill depth, flipper length, body mass, sex (None: missing)
ROWS = [
    ("Adelie", "Torgersen", 41.0, 18.0, 180, 3000, "male"),
    ("Adelie", "Dream", 43.0, 19.0, 190, 4000, "female"),
    ("Gentoo", "Biscoe", 45.0, 15.0, 220, 5000, "female"),
    ("Gentoo", "Biscoe", 47.0, 16.0, 230, 6000, None),
    ("Chinstrap", "Dream", 44.0, 17.0, 200, None, "female"),
    ("Adelie", "Biscoe", None, None, None, None, None),
]
# Worked out by hand from the present values (population standard deviation, as tft.var computes):
#   bill_length_mm  41 43 45 47 44        mean 44    squared deviations 9+1+1+9+0 = 20, /5 = 4, std 2
#   body_mass_g     3000 4000 5000 6000   mean 4500  squared deviations 2.25e6+0.25e6+0.25e6+2.25e6, /4
#   bill_depth_mm   18 19 15 16 17        mean 17    squared deviations 1+4+4+1+0 = 10, /5 = 2
BILL_LENGTH_MEAN, BILL_LENGTH_STD = 44.0, 2.0
BODY_MASS_MEAN, BODY_MASS_STD = 4500.0, math.sqrt(5e6 / 4)
BILL_DEPTH_MEAN, BILL_DEPTH_STD = 17.0, math.sqrt(2.0)
# Vocabularies, most frequent first: island Biscoe 3, Dream 2, Torgersen 1; sex female 3, male 1.
# One OOV bucket follows each. The label is not a vocabulary: species Adelie 3, Gentoo 2, Chinstrap 1 would
# put Gentoo at 1 by frequency, but its index comes from the fixed list config.LABELS.
ISLANDS = [b"Biscoe", b"Dream", b"Torgersen"]
SEXES = [b"female", b"male"]
LABELS = ("Adelie", "Chinstrap", "Gentoo")


def raw_instance(row) -> dict:
    """A row as tf.Transform's instance dict: every feature a list of 0 or 1 value, bytes for strings.
    ``year`` is in the schema (so in every instance) but the preprocessing_fn does not use it."""
    instance = {name: [] if value is None else [value.encode() if isinstance(value, str) else value]
                for name, value in zip(COLUMNS, row, strict=True)}
    return {**instance, "year": [2008]}


def serialized_example(**values) -> bytes:
    """A tf.Example as a client would send it: the schema's type per feature, absent when missing."""
    example = tf.train.Example()
    for name, value in values.items():
        feature = example.features.feature[name]
        if isinstance(value, str):
            feature.bytes_list.value.append(value.encode())
        elif name in ("flipper_length_mm", "body_mass_g"):
            feature.int64_list.value.append(value)
        else:
            feature.float_list.value.append(value)
    return example.SerializeToString()


@pytest.fixture(scope="module")
def curated_schema():
    return schema.load(paths.CURATED_SCHEMA)


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory, curated_schema):
    """(Beam's transformed rows, their metadata, TFTransformOutput of the saved transform graph)."""
    metadata = dataset_metadata.DatasetMetadata(curated_schema)
    output_dir = str(tmp_path_factory.mktemp("transform_output"))
    with tft_beam.Context(temp_dir=str(tmp_path_factory.mktemp("tft_tmp")), force_tf_compat_v1=False):
        (rows, transformed_metadata), transform_fn = (
            ([raw_instance(r) for r in ROWS], metadata)
            | tft_beam.AnalyzeAndTransformDataset(module.preprocessing_fn))
        _ = transform_fn | tft_beam.WriteTransformFn(output_dir)
    return rows, transformed_metadata, tft.TFTransformOutput(output_dir)


@pytest.fixture(scope="module")
def transform_serialized(analyzed, curated_schema):
    """Run serialized tf.Examples through the saved transform graph, as the model server will."""
    _, _, output = analyzed
    spec = schema_utils.schema_as_feature_spec(curated_schema).feature_spec

    def run(*serialized, with_label=False):
        wanted = {k: v for k, v in spec.items() if with_label or k != config.LABEL_KEY}
        features = tf.io.parse_example(list(serialized), wanted)
        transformed = output.transform_raw_features(features)
        return {name: tensor.numpy().tolist() for name, tensor in transformed.items()}

    return run


def example_of(row) -> bytes:
    return serialized_example(**{k: v for k, v in zip(COLUMNS, row, strict=True) if v is not None})


@pytest.fixture(scope="module")
def rows(transform_serialized):
    """The six training rows through the saved graph, in order: one dict of values per row."""
    batch = transform_serialized(*[example_of(r) for r in ROWS], with_label=True)
    return [{name: values[i] for name, values in batch.items()} for i in range(len(ROWS))]


def column(rows, name):
    return [row[name] for row in rows]


def test_beam_transformed_the_training_rows_as_the_saved_graph_does(analyzed, rows):
    beam_rows, _, _ = analyzed

    def ordered(table):  # Beam need not keep the input order: compare the rows as sorted tuples
        return sorted(tuple(round(float(row[name]), 5) for name in sorted(row)) for row in table)

    assert len(beam_rows) == len(ROWS)
    assert ordered(beam_rows) == ordered(rows)


def test_every_output_is_named_xf_and_has_one_value_per_example(analyzed, rows):
    _, transformed_metadata, _ = analyzed
    names = {f"{n}_xf" for n in NUMERIC} | {f"{n}_missing_xf" for n in NUMERIC} | {
        "body_mass_g_bucket_xf", "island_xf", "sex_xf", "species_xf"}
    spec = transformed_metadata.schema
    assert {f.name for f in spec.feature} == names
    assert all(f.HasField("shape") and not f.shape.dim for f in spec.feature), \
        "a scalar per example: no SparseTensor left"
    assert set(rows[0]) == names and len(rows) == len(ROWS)


def test_numeric_features_are_z_scores_of_the_present_values(rows):
    bill_length = [41.0, 43.0, 45.0, 47.0, 44.0]
    expected = [(x - BILL_LENGTH_MEAN) / BILL_LENGTH_STD for x in bill_length] + [0.0]
    assert column(rows, "bill_length_mm_xf") == pytest.approx(expected, abs=1e-5)
    assert expected[:5] == [-1.5, -0.5, 0.5, 1.5, 0.0]
    depth = [(x - BILL_DEPTH_MEAN) / BILL_DEPTH_STD for x in (18.0, 19.0, 15.0, 16.0, 17.0)]
    assert column(rows, "bill_depth_mm_xf") == pytest.approx(depth + [0.0], abs=1e-5)


def test_integer_features_are_cast_to_float_and_scaled(analyzed, rows):
    _, transformed_metadata, _ = analyzed
    masses = [(m - BODY_MASS_MEAN) / BODY_MASS_STD for m in (3000, 4000, 5000, 6000)]
    # rows 5 and 6 have no body mass: imputed with the mean, i.e. z = 0
    assert column(rows, "body_mass_g_xf") == pytest.approx(masses + [0.0, 0.0], abs=1e-5)
    types = {f.name: f.type for f in transformed_metadata.schema.feature}
    assert types["body_mass_g_xf"] == types["flipper_length_mm_xf"] == schema_pb2.FLOAT


def test_missing_values_are_flagged(rows):
    assert column(rows, "bill_length_mm_missing_xf") == [0, 0, 0, 0, 0, 1]
    assert column(rows, "body_mass_g_missing_xf") == [0, 0, 0, 0, 1, 1]
    assert column(rows, "flipper_length_mm_missing_xf") == [0, 0, 0, 0, 0, 1]


def test_body_mass_is_cut_into_quartile_buckets_and_a_missing_mass_counts_as_the_mean(rows):
    # present masses 3000, 4000, 5000, 6000: one per quartile; the mean 4500 falls in the second
    assert column(rows, "body_mass_g_bucket_xf") == [0, 1, 2, 3, 1, 1]


def test_bucket_boundaries_are_the_quartiles_of_the_present_masses(transform_serialized):
    masses = (2000, 3999, 4000, 4999, 5000, 5999, 6000, 8000)
    buckets = transform_serialized(*[serialized_example(body_mass_g=m) for m in masses])
    assert buckets["body_mass_g_bucket_xf"] == [0, 0, 1, 1, 2, 2, 3, 3], "boundaries 4000, 5000, 6000"


def test_vocabularies_are_written_most_frequent_first_under_their_names(analyzed):
    _, _, output = analyzed
    assert output.vocabulary_by_name("island") == ISLANDS
    assert output.vocabulary_by_name("sex") == SEXES


def test_the_label_has_a_fixed_table_not_a_vocabulary(analyzed, rows, transform_serialized):
    _, _, output = analyzed
    assert config.LABELS == LABELS, "the class order later chapters rely on"
    assert column(rows, "species_xf") == [0, 0, 2, 2, 1, 0], "Gentoo 2, though 2nd by frequency"
    assets = sorted(tf.io.gfile.listdir(f"{output.transform_savedmodel_dir}/assets"))
    assert assets == ["island", "sex"], "no species vocabulary: the label order cannot follow the data"
    unknown = transform_serialized(serialized_example(species="Emperor"), with_label=True)
    assert unknown["species_xf"] == [-1], "a species outside config.LABELS"


def test_categories_become_indexes_and_missing_ones_the_oov_index(rows):
    assert column(rows, "island_xf") == [2, 1, 0, 0, 1, 0]
    assert column(rows, "sex_xf") == [1, 0, 0, 2, 0, 2], "missing sex -> OOV index len(SEXES) = 2"


def test_the_saved_graph_maps_an_unseen_island_to_oov_and_scales_with_training_statistics(
        transform_serialized):
    new = transform_serialized(serialized_example(
        island="Anvers", bill_length_mm=48.0, bill_depth_mm=17.0, flipper_length_mm=210,
        body_mass_g=5500, sex="male"))
    assert new["island_xf"] == [len(ISLANDS)], "an island never seen in training: the OOV index"
    assert new["sex_xf"] == [1]
    assert new["bill_length_mm_xf"] == pytest.approx([(48.0 - BILL_LENGTH_MEAN) / BILL_LENGTH_STD])
    assert new["body_mass_g_xf"] == pytest.approx([(5500 - BODY_MASS_MEAN) / BODY_MASS_STD])
    assert new["body_mass_g_bucket_xf"] == [2]
    assert "species_xf" not in new, "without the label, its output is left out of the serving graph"


def test_one_request_alone_gets_what_its_row_got_in_the_batch(rows, transform_serialized):
    """Mappers work row by row: nothing about a row depends on the other rows of its batch."""
    for index in (1, 3, 4):
        served = transform_serialized(example_of(ROWS[index]), with_label=True)
        assert {name: values[0] for name, values in served.items()} == pytest.approx(rows[index])


def test_an_example_without_any_value_gets_means_oov_and_flags(transform_serialized):
    empty = transform_serialized(serialized_example())
    assert [empty[f"{n}_xf"][0] for n in NUMERIC] == [0.0] * 4
    assert [empty[f"{n}_missing_xf"][0] for n in NUMERIC] == [1] * 4
    assert empty["island_xf"] == [len(ISLANDS)] and empty["sex_xf"] == [len(SEXES)]


def test_every_setting_the_module_reads_is_in_the_folder_tfx_hashes(tmp_path):
    """TFX's cache key for Transform covers the .py files of the module file's folder, nothing else: the
    module must read its settings from there (features.py), so that changing one makes Transform run again."""
    import ast
    import shutil

    from tfx.components.util import udf_utils

    folder = paths.TRANSFORM_MODULE.parent
    tree = ast.parse(paths.TRANSFORM_MODULE.read_text())
    course_imports = {node.module for node in ast.walk(tree)
                      if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("utils")}
    assert course_imports == {"utils.tfx_modules.transform"}, (
        f"the module imports {course_imports}: course code outside its folder is not in the cache key")
    assert config.LABELS == module.features.LABELS and config.NUM_BUCKETS == module.features.NUM_BUCKETS

    copy = tmp_path / "transform"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
    sources = sorted(p.name for p in copy.glob("*.py"))
    before = udf_utils._get_version_hash(str(copy), sources)
    features = copy / "features.py"
    features.write_text(features.read_text().replace("NUM_BUCKETS = 4", "NUM_BUCKETS = 5"))
    assert udf_utils._get_version_hash(str(copy), sources) != before, "a changed setting is new code"


def test_the_module_reads_features_py_afresh_when_it_is_imported_again(monkeypatch):
    """In a running kernel an edited features.py changes TFX's hash, so Transform runs again: it must then
    read the edited settings, not the module Python imported first."""
    import importlib

    monkeypatch.setattr(module.features, "NUM_BUCKETS", 7)  # stands in for a stale, earlier version
    reloaded = importlib.reload(module)
    assert reloaded.features.NUM_BUCKETS == 4, "the module kept the features it found in memory"
