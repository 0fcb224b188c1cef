"""Derive the course's data sets from the shipped source files, deterministically, and write checksums.

    python tools/derive_data.py           # (re)write every derived file and data/checksums.sha256
    python tools/derive_data.py --check   # exit 1 if a derived file differs from what this script makes

Sources (shipped verbatim, never written here):
    data/penguins/source/penguins.csv     palmerpenguins 0.1.6 (CC0 data)
    data/taxi/data.csv                    the Chicago taxi sample shipped in the tfx 1.16.0 wheel

Every derived file is a pure function of the source: no randomness, no clock, no locale.
Missing values are written as empty fields, which is how TFX's CSV decoder reads "missing"
(the source writes them as ``NA``, which TFX would read as the string "NA").
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from utils import config

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
PENGUINS = DATA_DIR / "penguins"
SOURCE = PENGUINS / "source" / "penguins.csv"
CHECKSUMS = DATA_DIR / "checksums.sha256"
SHIPPED_SOURCES = (SOURCE, DATA_DIR / "taxi" / "data.csv")

Row = dict[str, str]


def read_source() -> tuple[list[str], list[Row]]:
    with SOURCE.open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [{k: ("" if v == "NA" else v) for k, v in row.items()} for row in reader]
        return list(reader.fieldnames or []), rows


def to_csv(columns: list[str], rows: Iterable[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def complete(row: Row) -> bool:
    return all(value != "" for value in row.values())


def derive(columns: list[str], rows: list[Row]) -> dict[str, bytes]:
    """Relative path (under data/penguins) -> file content."""
    files: dict[str, bytes] = {}
    by_year = {year: [r for r in rows if r["year"] == year] for year in ("2007", "2008", "2009")}

    # The running example: every row, missing values as empty fields.
    files["clean/penguins.csv"] = to_csv(columns, rows)

    # Two spans, as if the field seasons arrived one after the other: 2007-2008, then 2009.
    files["spans/span-1/ver-1/penguins.csv"] = to_csv(columns, by_year["2007"] + by_year["2008"])
    files["spans/span-2/ver-1/penguins.csv"] = to_csv(columns, by_year["2009"])
    # The 2009 season re-sent without the birds that were not measured completely: span 2, version 2.
    files["spans/span-2/ver-2/penguins.csv"] = to_csv(columns, filter(complete, by_year["2009"]))

    # Serving requests: what a client sends, i.e. no label. The 2009 birds with every feature measured.
    serving_columns = [c for c in columns if c != config.LABEL_KEY]
    files["serving/penguins.csv"] = to_csv(serving_columns, filter(complete, by_year["2009"]))

    # A drifted span: fieldwork moved to Biscoe (island mix changes) and a new scale weighs 15 % heavy.
    dream = [r for r in rows if r["island"] == "Dream"]
    skewed = [r for r in rows if r["island"] == "Biscoe"] + dream[::4]
    files["skewed/penguins.csv"] = to_csv(columns, map(_heavier, skewed))

    # Corrupted deliveries, one defect each, made from the 2009 season.
    base = by_year["2009"]
    files["corrupted/missing_column/penguins.csv"] = to_csv(
        [c for c in columns if c != "bill_depth_mm"], base)
    files["corrupted/wrong_type/penguins.csv"] = to_csv(
        columns, _every(base, 10, lambda r: {**r, "body_mass_g": "heavy"}))
    files["corrupted/unseen_category/penguins.csv"] = to_csv(
        columns, _every(base, 10, lambda r: {**r, "island": "Anvers"}))
    files["corrupted/out_of_range/penguins.csv"] = to_csv(
        columns, _every(base, 10, lambda r: {**r, "flipper_length_mm": "-" + r["flipper_length_mm"]
                                              if r["flipper_length_mm"] else "-1"}))
    files["corrupted/empty/penguins.csv"] = b""
    # A truncated export: the header and the first five birds of the season.
    files["corrupted/tiny/penguins.csv"] = to_csv(columns, base[:5])

    # Unlabelled deliveries for chapter 02's diagnosis exercise (the folder names do not give the defect
    # away; chapter 02's check and tests/test_data.py know it): the 2009 season with the two bill
    # measurements swapped; with body mass in kilograms; and unchanged except for the row order.
    files["incoming/batch_a/penguins.csv"] = to_csv(columns, map(_bills_swapped, base))
    files["incoming/batch_b/penguins.csv"] = to_csv(columns, map(_in_kilograms, base))
    files["incoming/batch_c/penguins.csv"] = to_csv(columns, base[::-1])
    return files


def _bills_swapped(row: Row) -> Row:
    return {**row, "bill_length_mm": row["bill_depth_mm"], "bill_depth_mm": row["bill_length_mm"]}


def _in_kilograms(row: Row) -> Row:
    mass = row["body_mass_g"]
    return {**row, "body_mass_g": f"{int(mass) / 1000:g}" if mass else ""}


def _heavier(row: Row) -> Row:
    mass = row["body_mass_g"]
    return {**row, "body_mass_g": str(round(int(mass) * 1.15)) if mass else ""}


def _every(rows: list[Row], step: int, change: Callable[[Row], Row]) -> list[Row]:
    """Apply ``change`` to every ``step``-th row (rows 0, step, 2*step, ...)."""
    return [change(r) if i % step == 0 else r for i, r in enumerate(rows)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def checksum_lines(paths: Iterable[Path]) -> str:
    lines = (f"{sha256(p)}  {p.relative_to(DATA_DIR).as_posix()}" for p in sorted(paths))
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)

    for source in SHIPPED_SOURCES:
        if not source.is_file():
            print(f"error: {source.relative_to(DATA_DIR.parent)} is missing; restore it with "
                  f"`git checkout -- {source.relative_to(DATA_DIR.parent)}`", file=sys.stderr)
            return 1

    columns, rows = read_source()
    files = derive(columns, rows)
    stale = [rel for rel, content in files.items()
             if not (PENGUINS / rel).is_file() or (PENGUINS / rel).read_bytes() != content]
    if args.check:
        for rel in stale:
            print(f"differs: data/penguins/{rel}", file=sys.stderr)
        return 1 if stale else 0

    for rel in stale:
        target = PENGUINS / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[rel])
        print(f"wrote data/penguins/{rel}")
    CHECKSUMS.write_text(checksum_lines([*SHIPPED_SOURCES, *(PENGUINS / rel for rel in files)]))
    print(f"wrote {CHECKSUMS.relative_to(DATA_DIR.parent)} ({len(files) + len(SHIPPED_SOURCES)} files)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
