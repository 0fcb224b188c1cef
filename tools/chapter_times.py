"""How long a chapter takes: on your own, live in class, and the notebook's own run. One model, stated alike
in the notebook, its deck and the README.

    python tools/chapter_times.py            # the model's times next to what each place states
    python tools/chapter_times.py --write    # write the model's times (and the measured run) into all three

The run time is measured: ``make bench`` records each notebook's median run as the tests run it
(``build/bench/results.json``); ``--write`` takes it from there, and otherwise keeps the one already stated.
The minutes are a model, counted from the chapter itself, so that they grow with it and nobody guesses:

* on your own: reading the prose at READING_WPM words a minute, the code at CODE_LINES_PER_MIN lines a minute
  (read, run, look at the output), waiting for the notebook, and EXERCISE_MIN minutes per exercise;
* live in class: SLIDE_MIN minutes per slide of the deck (demos included), the notebook's run once, and the
  same minutes per exercise.

Both are rounded to 5 minutes. ``tests/test_chapter_sync.py`` holds the three places to one statement and
that statement to the model (within TOLERANCE), so a chapter that grows gets its times updated.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import nbclean, slides_markdown  # noqa: E402
from utils import course, paths  # noqa: E402

READING_WPM = 120  # technical prose, read to be understood
CODE_LINES_PER_MIN = 8
EXERCISE_MIN = 10
SLIDE_MIN = 1.5
TOLERANCE = 0.2  # a stated time may differ this much from the model's before the test asks for an update
BENCH_RESULTS = paths.BUILD_DIR / "bench" / "results.json"

# "**Time:** about 45 minutes on your own, 60 minutes live in class; the notebook runs in about 40 s on a
# 2-core laptop." in the notebook's first cell; the deck's objectives slide says the same after "Time:".
STATEMENT = re.compile(
    r"Time:\**\s+about (?P<own>\d+) minutes on your own, (?P<live>\d+) minutes live in class; "
    r"the notebook runs in about (?P<run>\d+) s\b")
EXERCISE_HEADING = re.compile(r"^### Exercise (?P<number>\d+\.\d+): (?P<title>.+?)\s*$", re.M)
DECK_EXERCISE = re.compile(r"^- (?P<number>\d+\.\d+): (?P<title>.+?)\s*$", re.M)
README_ROW = re.compile(
    r"^\| (?P<number>\d\d) \| (?P<own>\d+) min \| (?P<live>\d+) min \| (?P<run>\d+) s \|$", re.M)
SET_UP_CELLS = 2  # the kernel check and the parameters cell: the same in every chapter, not read each time


@dataclass(frozen=True)
class Times:
    own_min: int
    live_min: int
    run_s: int

    def statement(self, deck: bool = False) -> str:
        text = (f"about {self.own_min} minutes on your own, {self.live_min} minutes live in class; "
                f"the notebook runs in about {self.run_s} s")
        return f"Time: {text}." if deck else f"**Time:** {text} on a 2-core laptop."


def round5(minutes: float) -> int:
    return max(5, int(5 * math.ceil(minutes / 5 - 0.5)))


def notebook_text(chapter: course.Chapter) -> tuple[str, list[str]]:
    """The chapter's prose (markdown) and its code lines, set-up cells left out."""
    notebook = nbformat.read(chapter.notebook, as_version=4)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code_cells = [c for c in notebook.cells if c.cell_type == "code"][SET_UP_CELLS:]
    lines = [line for c in code_cells for line in c.source.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    return prose, lines


def notebook_exercises(chapter: course.Chapter) -> list[tuple[str, str]]:
    prose, _ = notebook_text(chapter)
    return [(m["number"], m["title"]) for m in EXERCISE_HEADING.finditer(prose)]


def deck_exercises(chapter: course.Chapter) -> list[tuple[str, str]]:
    """The bullets of the deck's "Exercises (in the notebook)" slide."""
    text = chapter.deck.read_text()
    start = text.index("## Exercises (in the notebook)")
    end = text.find("\n#", start + 1)
    slide = text[start:end if end > 0 else None].split("::: notes")[0]
    return [(m["number"], m["title"]) for m in DECK_EXERCISE.finditer(slide)]


def model(chapter: course.Chapter, run_s: int) -> Times:
    prose, code = notebook_text(chapter)
    exercises = len(notebook_exercises(chapter))
    words = len(re.findall(r"[A-Za-z0-9_]+", prose))
    own = words / READING_WPM + len(code) / CODE_LINES_PER_MIN + run_s / 60 + EXERCISE_MIN * exercises
    slide_count = slides_markdown.count_slides(chapter.deck.read_text())
    live = SLIDE_MIN * slide_count + run_s / 60 + EXERCISE_MIN * exercises
    return Times(round5(own), round5(live), run_s)


def stated_in_notebook(chapter: course.Chapter) -> Times | None:
    first = nbformat.read(chapter.notebook, as_version=4).cells[0].source
    return _times(STATEMENT.search(first))


def stated_in_deck(chapter: course.Chapter) -> Times | None:
    return _times(STATEMENT.search(chapter.deck.read_text()))


def stated_in_readme(chapter: course.Chapter, readme: Path = paths.REPO_ROOT / "README.md") -> Times | None:
    rows = {m["number"]: m for m in README_ROW.finditer(readme.read_text())}
    return _times(rows.get(chapter.number))


def _times(match) -> Times | None:
    return Times(int(match["own"]), int(match["live"]), int(match["run"])) if match else None


def measured_run_s(chapter: course.Chapter, results: Path = BENCH_RESULTS) -> int | None:
    """The notebook's median run as `make bench` measured it (upstream reused), rounded to 5 s."""
    if not results.is_file():
        return None
    runs = json.loads(results.read_text()).get("test_notebooks", {})
    run = runs.get(chapter.notebook.name, {}).get("total", {}).get("median_s")
    return None if run is None else 5 * max(1, round(run / 5))


def write(chapter: course.Chapter, times: Times) -> None:
    notebook = nbformat.read(chapter.notebook, as_version=4)
    first = notebook.cells[0]
    line = re.compile(r"^\*\*Time:\*\*.*$", re.M)
    if not line.search(first.source):
        raise SystemExit(f"{chapter.notebook.name}: no '**Time:**' line in the first cell")
    first.source = line.sub(times.statement(), first.source, count=1)
    chapter.notebook.write_text(nbclean.serialise(nbclean.clean(notebook)))
    deck = chapter.deck.read_text()
    deck_line = re.compile(r"^Time: about .*$", re.M)
    if not deck_line.search(deck):
        raise SystemExit(f"{chapter.deck.name}: no 'Time: about ...' line")
    chapter.deck.write_text(deck_line.sub(times.statement(deck=True), deck, count=1))
    readme_path = paths.REPO_ROOT / "README.md"
    readme = readme_path.read_text()
    row = f"| {chapter.number} | {times.own_min} min | {times.live_min} min | {times.run_s} s |"
    existing = re.compile(rf"^\| {chapter.number} \| \d+ min \| \d+ min \| \d+ s \|$", re.M)
    if not existing.search(readme):
        raise SystemExit(f"README.md: no row for chapter {chapter.number} in the time table")
    readme_path.write_text(existing.sub(row, readme, count=1))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true",
                        help="write the model's times into notebook, deck and README")
    args = parser.parse_args(argv)
    print("chapter  stated (own/live/run)     model (own/live)   measured run")
    for chapter in course.written_chapters():
        stated = stated_in_notebook(chapter)
        run = measured_run_s(chapter)
        run_s = run or (stated.run_s if stated else 60)
        times = model(chapter, run_s)
        shown = f"{stated.own_min}/{stated.live_min} min, {stated.run_s} s" if stated else "none"
        print(f"{chapter.number:>7}  {shown:<24}  {times.own_min}/{times.live_min} min"
              f"        {f'{run} s' if run else 'not benched'}")
        if args.write:
            write(chapter, times)
    return 0


if __name__ == "__main__":
    sys.exit(main())
