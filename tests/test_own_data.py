"""The per-file check of a user's own folder (utils/own_data.py): each class of bad data gets a message naming
the file, the column and the problem; clean folders pass. Every file is generated here from the shipped
penguins, so each test changes exactly one thing."""

from __future__ import annotations

import pandas as pd
import pytest

from utils import data, delivery, own_data

CLEAN = data.dataset_file("penguins/clean")


def penguins() -> pd.DataFrame:
    return pd.read_csv(CLEAN, dtype=str, keep_default_na=False)


def write(folder, frames: dict[str, pd.DataFrame]):
    folder.mkdir(exist_ok=True)
    for name, frame in frames.items():
        frame.to_csv(folder / name, index=False)
    return folder


def halves(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    return {"first.csv": frame.iloc[:172], "second.csv": frame.iloc[172:]}


def refusal(folder) -> str:
    with pytest.raises(own_data.OwnDataError) as caught:
        own_data.check_folder(folder)
    return str(caught.value)


def test_the_shipped_penguins_in_two_files_pass(tmp_path):
    report = own_data.check_folder(write(tmp_path / "own", halves(penguins())))
    assert report.files == ("first.csv", "second.csv") and report.rows == 344


@pytest.mark.parametrize("span", ["spans/span-1/ver-1", "spans/span-2/ver-1", "spans/span-2/ver-2"])
def test_each_shipped_span_passes_the_file_checks(span):
    curated = own_data.schema_lib.load(own_data.paths.CURATED_SCHEMA)
    path = data.dataset_file(f"penguins/{span}")
    assert own_data.file_problems(path, curated, own_data.baseline_statistics()) == []


def test_a_file_without_rows_is_named(tmp_path):
    frames = halves(penguins())
    frames["second.csv"] = frames["second.csv"].iloc[:0]
    with pytest.raises(delivery.DeliveryError, match="second.csv has a header row but no data rows"):
        own_data.check_folder(write(tmp_path / "own", frames))


def test_a_semicolon_separated_file_is_named(tmp_path):
    folder = write(tmp_path / "own", halves(penguins()))
    penguins().iloc[172:].to_csv(folder / "second.csv", index=False, sep=";")
    with pytest.raises(delivery.DeliveryError, match=r"second.csv: its columns are separated by semicolons"):
        own_data.check_folder(folder)


def test_a_column_missing_from_every_file_is_named_in_each(tmp_path):
    message = refusal(write(tmp_path / "own", halves(penguins().drop(columns=["bill_depth_mm"]))))
    assert "first.csv: column 'bill_depth_mm': missing" in message
    assert "second.csv: column 'bill_depth_mm': missing" in message


def test_a_missing_label_column_is_named(tmp_path):
    message = refusal(write(tmp_path / "own", halves(penguins().drop(columns=["species"]))))
    assert "first.csv: column 'species': missing" in message


def test_a_changed_type_names_the_file_and_the_column(tmp_path):
    frames = halves(penguins())
    frames["second.csv"] = frames["second.csv"].assign(
        body_mass_g=lambda f: f.body_mass_g.where(f.index % 10 != 0, "heavy"))
    message = refusal(write(tmp_path / "own", frames))
    assert "1 problem(s) in 1 of 2 file(s)" in message
    assert "second.csv: column 'body_mass_g': Expected data of type: INT but got STRING" in message
    assert "first.csv" not in message.split("\n", 1)[1]


def test_an_unseen_category_is_named_with_its_value(tmp_path):
    frames = halves(penguins())
    frames["first.csv"] = frames["first.csv"].assign(
        island=lambda f: f.island.where(f.index % 7 != 0, "Anvers"))
    message = refusal(write(tmp_path / "own", frames))
    assert "first.csv: column 'island': Examples contain values missing from the schema: Anvers" in message


def test_an_out_of_range_value_is_named(tmp_path):
    frames = halves(penguins())
    frames["second.csv"] = frames["second.csv"].assign(
        flipper_length_mm=lambda f: f.flipper_length_mm.where(f.index != 200, "-214"))
    message = refusal(write(tmp_path / "own", frames))
    assert "second.csv: column 'flipper_length_mm': Unexpectedly small value: -214" in message


def test_a_unit_change_inside_the_ranges_is_caught_by_the_drift_comparator(tmp_path):
    """A mis-calibrated scale (x1.25) keeps every body mass inside the schema's 2000-8000 g: only the
    distribution tells, through the schema's drift comparator (Jensen-Shannon divergence above 0.2)."""
    frame = penguins()
    mass = pd.to_numeric(frame.body_mass_g, errors="coerce") * 1.25
    frame["body_mass_g"] = [str(round(v)) if v == v else "" for v in mass]
    assert mass.max() < 8000
    message = refusal(write(tmp_path / "own", {"scale.csv": frame}))
    assert "scale.csv: column 'body_mass_g': The approximate Jensen-Shannon divergence" in message
    assert "above the threshold 0.2" in message


def test_a_small_file_is_not_judged_on_its_distribution(tmp_path):
    frames = halves(penguins())
    frames["tiny.csv"] = frames.pop("second.csv").iloc[:5]
    frames["first.csv"] = penguins().iloc[5:]
    report = own_data.check_folder(write(tmp_path / "own", frames))
    assert report.rows == 344


def test_too_few_rows_in_all_say_how_many_are_needed(tmp_path):
    message = refusal(write(tmp_path / "own", {"few.csv": penguins().iloc[:120]}))
    assert "120 rows in all" in message and f"about {own_data.MIN_ROWS} rows" in message


@pytest.mark.parametrize("values, kind", [
    (["1", "", "-3"], "Int64"), (["1", "2.5", ""], "float64"), (["1e3", "2"], "float64"),
    (["1", "heavy"], "object")])
def test_columns_are_typed_as_csv_example_gen_types_them(values, kind):
    typed = own_data.infer_column(pd.Series(values))
    assert str(typed.dtype) == kind
    assert typed.isna().sum() == values.count("")
