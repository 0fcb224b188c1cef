"""Check a folder of the user's own CSV files, file by file, before the pipeline runs on it (chapter 09).

    from utils import own_data
    report = own_data.check_folder("path/to/folder")   # OwnDataError if a file cannot go through

The pipeline refuses bad data by itself: ExampleValidator compares the statistics of each *split* with the
curated schema and DataGate stops the run (chapter 02). But a split mixes every file of the folder, so its
message names the column and the problem, never the file to fix. This module gives the same verdicts file by
file, so that the message can name the file:

1. :mod:`utils.delivery` checks each file's form (empty, header only, another separator, ragged rows, a
   byte-order mark, headers that differ between files);
2. every column the curated schema requires for training must be in the header;
3. each file's statistics, computed by TFDV, are validated against the curated schema
   (``tfdv.validate_statistics``): a changed type, an unseen category, a value out of range;
4. and compared with the statistics of the shipped penguins through the schema's drift comparators
   (``previous_statistics``): a unit change that keeps values inside their ranges still moves a distribution.
   Only files of at least ``DRIFT_MIN_ROWS`` rows are compared: a handful of rows is not a distribution.

Column types are inferred per file as CsvExampleGen infers them: a column whose non-empty values are all
integers is INT, all numbers FLOAT, anything else BYTES. An empty field is a missing value. CsvExampleGen
stores it as a feature with no value, which the schema's ``presence`` accepts; TFDV's in-memory statistics
count it as missing, so the per-file check does not apply ``presence`` (a column missing from the header is
caught in step 2 instead).
"""

from __future__ import annotations

import copy
import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import tensorflow_data_validation as tfdv
from tensorflow_metadata.proto.v0 import schema_pb2, statistics_pb2

from utils import data, delivery, paths
from utils import schema as schema_lib

# The 2:1 hash split of the pipeline's ExampleGen and the schema's min_examples_count (50) per split: below
# about 150 rows the eval split has fewer than 50 examples and DataGate refuses it.
MIN_ROWS = 150
# Below this many rows a file's histogram is too coarse for the drift comparators: 5 clean penguins differ
# from the 344 shipped ones by a Jensen-Shannon divergence of 0.57, far above the schema's 0.2.
DRIFT_MIN_ROWS = 50
WHAT_TO_DO = ("What to do: fix the file at its source and run again, or move it out of the folder. If the "
              "world really changed (a new island, another unit), change the curated schema "
              f"{paths.CURATED_SCHEMA.relative_to(paths.REPO_ROOT)} on purpose and have it reviewed "
              "(chapter 02).")


class OwnDataError(ValueError):
    """A folder the pipeline must not train on; the message names each file, column and problem."""


@dataclass(frozen=True)
class Problem:
    file: str
    column: str
    problem: str

    def __str__(self) -> str:
        where = f"column '{self.column}'" if self.column else "the file as a whole"
        return f"{self.file}: {where}: {self.problem}"


@dataclass(frozen=True)
class Report:
    """A folder that passed: what the pipeline will read."""

    folder: Path
    files: tuple[str, ...]
    rows: int

    def __str__(self) -> str:
        return f"{self.folder}: {len(self.files)} CSV file(s), {self.rows} rows, checked file by file"


def infer_column(values: pd.Series) -> pd.Series:
    """One CSV column (strings, '' = missing) typed as CsvExampleGen types it: INT, else FLOAT, else BYTES."""
    present = values[values != ""]
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.isna().any():
        return values.where(values != "", None)
    kind = "Int64" if present.str.fullmatch(r"[+-]?\d+").all() else "float64"
    typed = pd.Series(pd.NA if kind == "Int64" else float("nan"), index=values.index, dtype=kind)
    typed[present.index] = numbers.astype(kind)
    return typed


def read_typed(path: Path) -> pd.DataFrame:
    """A CSV file as a DataFrame whose column types are the ones CsvExampleGen would infer."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return pd.DataFrame({column: infer_column(raw[column]) for column in raw.columns})


def file_statistics(path: Path) -> statistics_pb2.DatasetFeatureStatisticsList:
    """TFDV statistics of one CSV file, computed in memory (no Beam job)."""
    return tfdv.generate_statistics_from_dataframe(read_typed(path))


def per_file_schema(curated: schema_pb2.Schema) -> schema_pb2.Schema:
    """The curated schema without ``presence`` and the per-split minimum of examples (see the module)."""
    relaxed = copy.deepcopy(curated)
    for feature in relaxed.feature:
        feature.ClearField("presence")
    relaxed.ClearField("dataset_constraints")
    return relaxed


def required_columns(curated: schema_pb2.Schema) -> list[str]:
    """The columns a training delivery must have: every schema feature that is in the TRAINING environment."""
    return [f.name for f in curated.feature
            if "TRAINING" not in f.not_in_environment
            and (not f.in_environment or "TRAINING" in f.in_environment)]


def baseline_statistics() -> statistics_pb2.DatasetFeatureStatisticsList:
    """Statistics of the shipped penguins: what the drift comparators compare each file with."""
    return file_statistics(data.dataset_file("penguins/clean"))


def file_problems(path: Path, curated: schema_pb2.Schema, baseline) -> list[Problem]:
    """Every problem of one file that passed :mod:`utils.delivery`'s form checks."""
    with path.open(newline="") as handle:
        header = next(csv.reader(handle))
    missing = [column for column in required_columns(curated) if column not in header]
    problems = [Problem(path.name, column, "missing: the header has no such column") for column in missing]
    statistics = file_statistics(path)
    compare = statistics.datasets[0].num_examples >= DRIFT_MIN_ROWS
    anomalies = tfdv.validate_statistics(statistics, per_file_schema(curated), environment="TRAINING",
                                         previous_statistics=baseline if compare else None)
    for column, info in sorted(anomalies.anomaly_info.items()):
        if column in missing:
            continue
        descriptions = "; ".join(reason.description for reason in info.reason)
        problems.append(Problem(path.name, column, descriptions))
    return problems


def check_folder(folder: str | Path, min_rows: int = MIN_ROWS) -> Report:
    """Check every file of ``folder`` (CsvExampleGen reads them all); raise :class:`OwnDataError` naming
    each bad file, column and problem, or :class:`utils.delivery.DeliveryError` for a file CsvExampleGen
    cannot read as intended (a stray non-CSV file included)."""
    found = delivery.check_csv_folder(folder)
    curated = schema_lib.load(paths.CURATED_SCHEMA)
    baseline = baseline_statistics()
    problems = [problem for path in found.files for problem in file_problems(path, curated, baseline)]
    if problems:
        lines = [f"{found.folder}: {len(problems)} problem(s) in "
                 f"{len({p.file for p in problems})} of {len(found.files)} file(s); nothing was trained "
                 "or pushed."]
        lines += [f"  - {problem}" for problem in problems]
        raise OwnDataError("\n".join([*lines, WHAT_TO_DO]))
    if found.rows < min_rows:
        raise OwnDataError(
            f"{found.folder}: {found.rows} rows in all. The pipeline splits them 2:1 into train and eval and "
            f"the schema asks for at least 50 examples per split, so it needs about {min_rows} rows; nothing "
            "was trained or pushed. Add more rows (e.g. more files of the same columns) to the folder.")
    return Report(found.folder, tuple(path.name for path in found.files), found.rows)
