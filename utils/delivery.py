"""A pre-flight check of a CSV delivery, before CsvExampleGen reads it.

    from utils import delivery
    summary = delivery.check_csv_folder("path/to/folder")   # -> Delivery(files, columns, rows)

CsvExampleGen reads every file its input pattern matches (``*``: every file of the folder) as comma-separated
text with a header row. What it does with a delivery that is not that is unhelpful (chapter 01 runs them):

* a semicolon-separated export with decimal commas fails deep inside Beam with
  "Columns do not match specified csv headers";
* a semicolon- or tab-separated file without decimal commas is read *without* an error, as one text column
  whose name is the whole header line;
* a file with only a header row, or no byte at all, gives an Examples artifact with no examples;
* files whose headers differ stop the run with "Files in same split ... have different header";
* a file that starts with a byte-order mark (Excel's "CSV UTF-8") is read without an error, its first column
  named ``\ufeffspecies`` instead of ``species``.

:func:`check_csv_folder` finds these before any Beam pipeline starts and raises :class:`DeliveryError`
naming the file, the problem and what to do about it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

# Separators a spreadsheet export may use instead of commas, with how a message names them.
OTHER_SEPARATORS = {";": "semicolons (;)", "\t": "tabs", "|": "vertical bars (|)"}
_DECIMAL_COMMA = re.compile(r"\d,\d")
_SHOWN_LINES = 5


class DeliveryError(ValueError):
    """A delivery CsvExampleGen cannot read as intended; the message says which file, what and what to do."""


@dataclass(frozen=True)
class Delivery:
    """What a delivery that passed the check holds."""

    folder: Path
    files: tuple[Path, ...]
    columns: tuple[str, ...]
    rows: int

    def __str__(self) -> str:
        return (f"{self.folder}: {len(self.files)} CSV file(s), {self.rows} rows, "
                f"{len(self.columns)} columns ({', '.join(self.columns)})")


def check_csv_folder(folder: str | Path, pattern: str = "*") -> Delivery:
    """Check every file ``pattern`` matches in ``folder`` as CsvExampleGen would read them; see the module."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DeliveryError(f"{folder} is not a folder: give CsvExampleGen the folder that holds the CSV "
                            "files (input_base), not a file")
    files = sorted(path for path in folder.glob(pattern) if path.is_file())
    if not files:
        raise DeliveryError(f"{folder} holds no file matching '{pattern}': there is nothing to ingest. "
                            "Put the delivery's .csv files directly in this folder")
    strays = [path.name for path in files if path.suffix.lower() != ".csv"]
    if strays:
        raise DeliveryError(
            f"{folder} holds files that are not .csv ({', '.join(strays)}): CsvExampleGen reads every file "
            f"matching '{pattern}' as CSV, so they would be read as rows. Move them out of the folder")
    columns, rows = check_csv_file(files[0])
    for path in files[1:]:
        other_columns, other_rows = check_csv_file(path)
        if other_columns != columns:
            raise DeliveryError(_header_mismatch(files[0], columns, path, other_columns))
        rows += other_rows
    return Delivery(folder, tuple(files), columns, rows)


def check_csv_file(path: str | Path) -> tuple[tuple[str, ...], int]:
    """The header and the number of rows of one comma-separated file; :class:`DeliveryError` if it has none,
    uses another separator, or has rows whose number of fields differs from the header's."""
    path = Path(path)
    content = path.read_bytes()
    if content.startswith(codecs.BOM_UTF8):
        raise DeliveryError(
            f"{path} starts with a byte-order mark (as Excel's \"CSV UTF-8\" writes): CsvExampleGen would "
            "keep it in the first column's name, '\\ufeff' + the name. Remove it first, e.g. with pandas: "
            'pd.read_csv(path, encoding="utf-8-sig").to_csv(path, index=False)')
    text = content.decode("utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DeliveryError(f"{path} is empty, not even a header row: ask for the delivery again "
                            "(an empty file gives an Examples artifact with no examples)")
    _check_separator(path, lines)
    # Blank lines are skipped, as CsvExampleGen skips them; line numbers count every line of the file.
    reader = csv.reader(io.StringIO(text))
    header = tuple(next(reader))
    rows, ragged = 0, []
    for fields in reader:
        if not fields:
            continue
        rows += 1
        if len(fields) != len(header):
            ragged.append((reader.line_num, len(fields)))
    if not rows:
        raise DeliveryError(f"{path} has a header row but no data rows: there is nothing to ingest. "
                            "Ask for the delivery again, or leave it out of this run")
    if ragged:
        raise DeliveryError(_ragged(path, len(header), ragged))
    return header, rows


def _check_separator(path: Path, lines: list[str]) -> None:
    header = lines[0]
    commas = _fields(header, ",")
    best = max(OTHER_SEPARATORS, key=lambda sep: _fields(header, sep))
    if _fields(header, best) <= commas:
        return
    decimal_commas = any(_DECIMAL_COMMA.search(line) for line in lines[1:])
    sep = "\\t" if best == "\t" else best
    decimal = ', decimal=","' if decimal_commas else ""
    fix = f'pd.read_csv(path, sep="{sep}"{decimal}).to_csv(path, index=False)'
    found = f"its columns are separated by {OTHER_SEPARATORS[best]}, not commas"
    if decimal_commas:
        found += ', and its numbers use decimal commas (39,1)'
    raise DeliveryError(
        f"{path}: {found}. CsvExampleGen reads commas only: it would fail with 'Columns do not match "
        "specified csv headers', or read the whole line as one text column. Convert the file first, e.g. "
        f"with pandas: {fix}")


def _fields(line: str, separator: str) -> int:
    return len(next(csv.reader([line], delimiter=separator)))


def _ragged(path: Path, expected: int, ragged: list[tuple[int, int]]) -> str:
    shown = ", ".join(f"line {line} has {count}" for line, count in ragged[:_SHOWN_LINES])
    more = f" (and {len(ragged) - _SHOWN_LINES} more lines)" if len(ragged) > _SHOWN_LINES else ""
    return (f"{path}: the header has {expected} columns but {shown} fields{more}. Fix or remove those "
            "rows; a value that contains a comma must be quoted (\"Biscoe, north\")")


def _header_mismatch(first: Path, columns: tuple[str, ...],
                     other: Path, other_columns: tuple[str, ...]) -> str:
    missing = [c for c in columns if c not in other_columns]
    extra = [c for c in other_columns if c not in columns]
    if missing or extra:
        detail = "; ".join(part for part in (
            f"it lacks {', '.join(missing)}" if missing else "",
            f"it adds {', '.join(extra)}" if extra else "") if part)
    else:
        detail = "same columns in another order"
    return (f"{other.name} and {first.name} in {first.parent} have different headers "
            f"({other.name}: {detail}). "
            "CsvExampleGen reads all files of a split with one header and stops on the first that differs: "
            "give every file the same columns in the same order, or deliver them as separate folders")
