"""The shipped data: provenance, checksums, the derived sets, and the loader's errors."""

import csv
import shutil
from importlib import resources
from pathlib import Path

import pytest

from tools import derive_data
from utils import data, paths


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_sources_are_byte_identical_to_the_packages_they_come_from():
    penguins = resources.files("palmerpenguins") / "data" / "penguins.csv"
    taxi = (resources.files("tfx") / "examples" / "chicago_taxi_pipeline" / "data" / "simple"
            / "data.csv")
    assert (paths.DATA_DIR / "penguins/source/penguins.csv").read_bytes() == penguins.read_bytes()
    assert (paths.DATA_DIR / "taxi/data.csv").read_bytes() == taxi.read_bytes()


def test_every_shipped_file_matches_its_checksum():
    table = data.checksums()
    assert len(table) == 17
    for rel in table:
        data.verify(rel)


def test_derived_files_are_what_the_script_makes():
    assert derive_data.main(["--check"]) == 0


def test_each_shipped_data_file_has_a_checksum():
    listed = set(data.checksums())
    on_disk = {p.relative_to(paths.DATA_DIR).as_posix() for p in paths.DATA_DIR.rglob("*.csv")}
    assert on_disk == listed


def test_spans_partition_the_clean_set_by_season():
    clean = rows(data.dataset_file("penguins/clean"))
    span_1 = rows(paths.DATA_DIR / "penguins/spans/span-1/ver-1/penguins.csv")
    span_2 = rows(paths.DATA_DIR / "penguins/spans/span-2/ver-1/penguins.csv")
    assert len(clean) == 344 and len(span_1) + len(span_2) == 344
    assert {r["year"] for r in span_1} == {"2007", "2008"} and {r["year"] for r in span_2} == {"2009"}
    assert not any(v == "NA" for r in clean for v in r.values()), "missing must be empty, not NA"


def test_version_2_of_span_2_is_version_1_without_its_incomplete_rows():
    version_1 = rows(paths.DATA_DIR / "penguins/spans/span-2/ver-1/penguins.csv")
    version_2 = rows(paths.DATA_DIR / "penguins/spans/span-2/ver-2/penguins.csv")
    assert version_2 == [r for r in version_1 if all(v != "" for v in r.values())]
    assert (len(version_1), len(version_2)) == (120, 117)


def test_serving_set_has_no_label_and_no_missing_values():
    serving = rows(data.dataset_file("penguins/serving"))
    assert serving and "species" not in serving[0]
    assert all(v != "" for r in serving for v in r.values())


def test_skewed_set_drifts_in_island_mix_and_body_mass():
    clean = rows(data.dataset_file("penguins/clean"))
    skewed = rows(data.dataset_file("penguins/skewed"))
    assert "Torgersen" not in {r["island"] for r in skewed}

    def mean_mass(table):
        masses = [int(r["body_mass_g"]) for r in table if r["body_mass_g"]]
        return sum(masses) / len(masses)

    assert mean_mass(skewed) > 1.15 * mean_mass(clean)


@pytest.mark.parametrize("defect, check", [
    ("missing_column", lambda header, table: "bill_depth_mm" not in header),
    ("wrong_type", lambda header, table: any(r["body_mass_g"] == "heavy" for r in table)),
    ("unseen_category", lambda header, table: any(r["island"] == "Anvers" for r in table)),
    ("out_of_range", lambda header, table: any(r["flipper_length_mm"].startswith("-")
                                               for r in table)),
])
def test_each_corrupted_set_carries_its_defect(defect, check):
    path = data.dataset_file(f"penguins/corrupted/{defect}")
    table = rows(path)
    assert check(list(table[0]), table)


def test_the_empty_delivery_is_empty():
    assert data.dataset_file("penguins/corrupted/empty").stat().st_size == 0


def test_the_tiny_delivery_is_five_valid_birds_of_2009():
    tiny = rows(data.dataset_file("penguins/corrupted/tiny"))
    assert tiny == rows(paths.DATA_DIR / "penguins/spans/span-2/ver-1/penguins.csv")[:5]


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    return copy


def test_an_altered_file_is_named_with_the_command_that_restores_it(data_copy):
    target = data_copy / "penguins/clean/penguins.csv"
    target.write_text(target.read_text().replace("Adelie", "Adélie", 1))
    with pytest.raises(data.DataFileError) as caught:
        data.dataset("penguins/clean", data_dir=data_copy)
    message = str(caught.value)
    assert "data/penguins/clean/penguins.csv was altered" in message
    assert "git checkout -- data/penguins/clean/penguins.csv" in message and "make data" in message


def test_a_missing_source_file_says_git_checkout_only(data_copy):
    (data_copy / "taxi/data.csv").unlink()
    with pytest.raises(data.DataFileError) as caught:
        data.dataset("taxi", data_dir=data_copy)
    message = str(caught.value)
    assert "data/taxi/data.csv is missing" in message
    assert "git checkout -- data/taxi/data.csv" in message and "make data" not in message


def test_an_unknown_data_set_lists_the_known_ones():
    with pytest.raises(data.DataFileError, match="known: .*penguins/clean"):
        data.dataset("penguins/nope")


def test_land_copies_files_keeping_their_times(tmp_path):
    target = data.land("penguins/spans/span-1/ver-1", tmp_path / "span-1" / "ver-1")
    copied = target / "penguins.csv"
    original = paths.DATA_DIR / "penguins/spans/span-1/ver-1/penguins.csv"
    assert copied.read_bytes() == original.read_bytes()
    assert copied.stat().st_mtime == original.stat().st_mtime
