"""The CSV pre-flight check: every delivery CsvExampleGen would misread is refused with a clear message."""

import re

import pandas as pd
import pytest

from utils import config, data, delivery, pipeline

HEADER = "species,island,bill_length_mm,year\n"
ROWS = "Adelie,Torgersen,39.1,2007\nGentoo,Biscoe,46.5,2008\n"


def folder_with(tmp_path, **files):
    for name, content in files.items():
        (tmp_path / name.replace("_csv", ".csv").replace("_md", ".md")).write_text(content)
    return tmp_path


def refused(folder, *patterns):
    with pytest.raises(delivery.DeliveryError) as error:
        delivery.check_csv_folder(folder)
    for pattern in patterns:
        assert re.search(pattern, str(error.value)), f"{pattern!r} not in {error.value}"
    return str(error.value)


def test_a_clean_delivery_passes_with_its_summary(tmp_path):
    found = delivery.check_csv_folder(folder_with(tmp_path, a_csv=HEADER + ROWS, b_csv=HEADER + ROWS))
    assert found.rows == 4 and found.columns == ("species", "island", "bill_length_mm", "year")
    assert [p.name for p in found.files] == ["a.csv", "b.csv"]
    assert "2 CSV file(s), 4 rows, 4 columns" in str(found)


def test_the_shipped_penguins_pass():
    found = delivery.check_csv_folder(data.dataset(config.PENGUINS))
    assert found.rows == 344 and config.LABEL_KEY in found.columns


def test_blank_lines_are_skipped_as_csv_example_gen_skips_them(tmp_path):
    assert delivery.check_csv_folder(folder_with(tmp_path, p_csv=HEADER + "\n" + ROWS + "\n")).rows == 2


def test_a_european_export_names_the_separator_and_the_fix(tmp_path):
    european = pd.DataFrame({"species": ["Adelie"], "bill_length_mm": [39.1]})
    european.to_csv(tmp_path / "p.csv", sep=";", decimal=",", index=False)
    message = refused(tmp_path, r"p\.csv", "separated by semicolons", "decimal commas",
                      r'pd\.read_csv\(path, sep=";", decimal=","\)\.to_csv\(path, index=False\)')
    assert "Columns do not match specified csv headers" in message  # the error it replaces


def test_the_suggested_fix_makes_the_delivery_pass(tmp_path):
    pd.DataFrame({"species": ["Adelie"], "bill_length_mm": [39.1]}).to_csv(
        tmp_path / "p.csv", sep=";", decimal=",", index=False)
    path = tmp_path / "p.csv"
    pd.read_csv(path, sep=";", decimal=",").to_csv(path, index=False)
    assert delivery.check_csv_folder(tmp_path).rows == 1 and path.read_text().splitlines()[1] == "Adelie,39.1"


@pytest.mark.parametrize("separator, named", [(";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars")])
def test_other_separators_without_decimal_commas_are_refused_too(tmp_path, separator, named):
    content = (HEADER + "Adelie,Torgersen,39,2007\n").replace(",", separator)
    message = refused(folder_with(tmp_path, p_csv=content), f"separated by {named}", "one text column")
    assert "decimal" not in message


def test_a_byte_order_mark_is_refused_and_the_fix_works(tmp_path):
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + ROWS).encode())
    refused(tmp_path, r"p\.csv starts with a byte-order mark", r"\\ufeff",
            re.escape('pd.read_csv(path, encoding="utf-8-sig").to_csv(path, index=False)'))
    pd.read_csv(path, encoding="utf-8-sig").to_csv(path, index=False)
    assert delivery.check_csv_folder(tmp_path).columns[0] == "species"


def test_a_header_only_delivery_is_refused(tmp_path):
    refused(folder_with(tmp_path, p_csv=HEADER), r"p\.csv has a header row but no data rows")


def test_an_empty_file_is_refused(tmp_path):
    refused(folder_with(tmp_path, p_csv=""), r"p\.csv is empty, not even a header")


def test_a_folder_without_files_is_refused(tmp_path):
    refused(tmp_path, "holds no file matching", "nothing to ingest")


def test_a_missing_folder_or_a_file_is_refused(tmp_path):
    refused(tmp_path / "nowhere", "is not a folder")
    refused(folder_with(tmp_path, p_csv=HEADER + ROWS) / "p.csv", "is not a folder")


def test_a_file_that_is_not_csv_is_named(tmp_path):
    refused(folder_with(tmp_path, p_csv=HEADER + ROWS, README_md="# notes\n"), r"not \.csv \(README\.md\)")


def test_rows_with_another_number_of_fields_are_named_by_line(tmp_path):
    content = HEADER + "Adelie,Torgersen,39.1,2007\nGentoo,Biscoe\nChinstrap,Dream,40.0,2008,5\n"
    refused(folder_with(tmp_path, p_csv=content), "header has 4 columns", "line 3 has 2", "line 4 has 5")


def test_a_quoted_comma_is_one_field(tmp_path):
    content = HEADER + '"Adelie, probably",Torgersen,39.1,2007\n'
    assert delivery.check_csv_folder(folder_with(tmp_path, p_csv=content)).rows == 1


def test_many_ragged_lines_are_summarised(tmp_path):
    message = refused(folder_with(tmp_path, p_csv=HEADER + "Adelie\n" * 8), r"and 3 more lines")
    assert "line 7" not in message


@pytest.mark.parametrize("other_header, detail", [
    ("species,island,year\n", "it lacks bill_length_mm"),
    ("species,island,bill_length_mm,year,sex\n", "it adds sex"),
    ("island,species,bill_length_mm,year\n", "same columns in another order"),
])
def test_files_with_different_headers_are_named(tmp_path, other_header, detail):
    other = other_header + ",".join(["x"] * (other_header.count(",") + 1)) + "\n"
    refused(folder_with(tmp_path, a_csv=HEADER + ROWS, b_csv=other), r"b\.csv and a\.csv", detail)


def test_the_course_example_gen_checks_a_folder_it_is_given(tmp_path):
    with pytest.raises(delivery.DeliveryError, match="header row but no data rows"):
        pipeline.example_gen(folder_with(tmp_path, p_csv=HEADER))
    component = pipeline.example_gen(folder_with(tmp_path, p_csv=HEADER + ROWS))
    assert component.exec_properties["input_base"] == str(tmp_path)


def test_the_course_example_gen_reads_the_shipped_penguins_by_default():
    component = pipeline.example_gen()
    assert component.exec_properties["input_base"] == str(data.dataset(config.PENGUINS))
    assert component.id == "CsvExampleGen"
