"""The course map (utils/course.py) and the README agree, and every written chapter is complete."""

import re
from pathlib import Path

import pytest

from tools import run_course
from utils import course, paths

README = (paths.REPO_ROOT / "README.md").read_text()


def test_chapters_are_numbered_in_order():
    assert [c.number for c in course.CHAPTERS] == [f"{i:02d}" for i in range(len(course.CHAPTERS))]


@pytest.mark.parametrize("chapter", course.CHAPTERS, ids=lambda c: c.name)
def test_readme_course_map_has_a_row_per_chapter(chapter):
    [row] = [line for line in README.splitlines()
             if line.startswith(f"| {chapter.number} |") and " min |" not in line]  # not the time table
    if chapter.written:
        assert f"(notebooks/{chapter.name}.ipynb)" in row and f"(slides/{chapter.name}.md)" in row
    else:
        assert "not yet written" in row


@pytest.mark.parametrize("chapter", course.written_chapters(), ids=lambda c: c.name)
def test_a_written_chapter_has_its_deck(chapter):
    assert chapter.deck.is_file()
    deck = chapter.deck.read_text()
    assert deck.startswith("---\n") and re.search(r"^title: ", deck, re.M)
    assert "::: notes" in deck and "```mermaid" in deck


def test_readme_links_resolve():
    for target in re.findall(r"\]\(((?:notebooks|slides|data)/[^)#]+)\)", README):
        assert (paths.REPO_ROOT / target).exists(), target


def test_course_run_table_lists_each_notebook_and_the_total():
    outcomes = [run_course.Outcome(paths.NOTEBOOKS_DIR / "01_example_gen.ipynb", 41.25, startup=11.0,
                                   body=30.25),
                run_course.Outcome(paths.NOTEBOOKS_DIR / "solutions/x.ipynb", 3.0, "boom")]
    lines = run_course.table(outcomes).splitlines()
    assert lines[2].split() == ["01_example_gen.ipynb", "11.0", "30.2", "41.2", "ok"]
    assert lines[3].split() == ["solutions/x.ipynb", "-", "-", "3.0", "FAILED"]
    assert lines[-1].split() == ["total", "44.2"]


def test_course_order_puts_solutions_after_their_chapter():
    names = [Path(p).relative_to(paths.NOTEBOOKS_DIR).as_posix()
             for p in course.notebooks(with_solutions=True)]
    assert names[:2] == ["00_why_mlops.ipynb", "solutions/00_why_mlops_solutions.ipynb"]


@pytest.mark.parametrize("chapter", course.written_chapters(), ids=lambda c: c.name)
def test_a_notebook_names_its_place_in_the_course_map(chapter):
    import nbformat

    title = nbformat.read(chapter.notebook, as_version=4).cells[0].source
    span = f"{course.CHAPTERS[0].number}–{course.CHAPTERS[-1].number}"
    assert f"chapter {chapter.number} of {span}" in title, title.splitlines()[:3]
