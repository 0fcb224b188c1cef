"""A chapter says the same in its notebook, its deck and the README: the exercises, and how long it takes.

The times come from one model (tools/chapter_times.py); these tests hold the three places to one statement,
and that statement to the model, so a chapter that grows or shrinks gets its times updated.
"""

import re

import nbformat
import pytest

from tools import chapter_times
from utils import course, paths

CHAPTERS = course.written_chapters()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_the_deck_lists_the_notebook_s_exercises(chapter):
    in_notebook = chapter_times.notebook_exercises(chapter)
    assert len(in_notebook) >= 2, "every chapter has a warm-up and an exercise that needs its idea"
    assert chapter_times.deck_exercises(chapter) == in_notebook, (
        "the deck's 'Exercises (in the notebook)' slide must list the notebook's '### Exercise N.M: title' "
        "headings as '- N.M: title', same titles, same order")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_notebook_deck_and_readme_state_the_same_times(chapter):
    stated = chapter_times.stated_in_notebook(chapter)
    assert stated is not None, f"{chapter.notebook.name}: no '**Time:** about S minutes on your own' line"
    assert chapter_times.stated_in_deck(chapter) == stated, f"{chapter.deck.name} states other times"
    assert chapter_times.stated_in_readme(chapter) == stated, "the README's time table states other times"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_the_stated_times_follow_the_model(chapter):
    stated = chapter_times.stated_in_notebook(chapter)
    assert stated is not None, f"{chapter.notebook.name} states no time"
    modelled = chapter_times.model(chapter, stated.run_s)
    for stated_min, model_min in ((stated.own_min, modelled.own_min), (stated.live_min, modelled.live_min)):
        assert abs(stated_min - model_min) <= chapter_times.TOLERANCE * model_min, (
            f"{chapter.name} states {stated}, the model gives {modelled}: "
            "run `python tools/chapter_times.py --write`")


@pytest.fixture
def tiny_chapter(tmp_path, monkeypatch):
    """A chapter of one notebook and one deck in a temporary folder."""
    from utils import paths
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", tmp_path)
    monkeypatch.setattr(paths, "SLIDES_DIR", tmp_path)
    chapter = course.Chapter("42", "tiny", "a test chapter")
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 42\n\n**Time:** about 25 minutes on your own, 15 minutes live in "
                                      "class; the notebook runs in about 60 s on a 2-core laptop."),
        nbformat.v4.new_code_cell("kernel.check()"), nbformat.v4.new_code_cell("FAST = False"),
        nbformat.v4.new_markdown_cell("word " * 240),
        nbformat.v4.new_code_cell("\n".join(f"x{i} = {i}" for i in range(16))),
        nbformat.v4.new_markdown_cell("### Exercise 42.1: one\n\nDo it."),
    ])
    nbformat.write(notebook, chapter.notebook)
    chapter.deck.write_text("---\ntitle: t\n---\n\n## One\n\nTime: about 25 minutes on your own, 15 minutes "
                            "live in class; the notebook runs in about 60 s.\n\n"
                            "## Exercises (in the notebook)\n\n- 42.1: one\n\n"
                            "::: notes\n\n- 9.9: not an exercise, a note\n\n:::\n")
    return chapter


def test_the_model_counts_prose_code_run_and_exercises(tiny_chapter):
    # 241 words / 120 + 16 lines / 8 + 1 min run + 10 min exercise = 15 min; live: 3 slides (title + 2)
    # x 1.5 + 1 + 10 = 15.5 -> 15
    assert chapter_times.model(tiny_chapter, 60) == chapter_times.Times(15, 15, 60)
    assert chapter_times.notebook_exercises(tiny_chapter) == [("42.1", "one")]
    assert chapter_times.deck_exercises(tiny_chapter) == [("42.1", "one")], "notes are not the slide's list"


def test_a_time_far_from_the_model_is_caught(tiny_chapter):
    stated = chapter_times.stated_in_notebook(tiny_chapter)
    assert stated == chapter_times.Times(25, 15, 60) == chapter_times.stated_in_deck(tiny_chapter)
    modelled = chapter_times.model(tiny_chapter, stated.run_s)
    assert abs(stated.own_min - modelled.own_min) > chapter_times.TOLERANCE * modelled.own_min


CITED_PATH = re.compile(r"(?<![\w/.])((?:utils|tools|tests|data|notebooks|slides|jupyter)/[\w./-]*\w)")


def course_texts():
    """(name, text) of every deck, notebook (its markdown and code) and the README."""
    for deck in sorted(paths.SLIDES_DIR.glob("*.md")):
        yield deck.name, deck.read_text()
    for notebook in course.notebooks(with_solutions=True):
        yield notebook.name, "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells)
    yield "README.md", (paths.REPO_ROOT / "README.md").read_text()


def test_every_repository_path_cited_exists():
    stale = [(name, cited) for name, text in course_texts() for cited in sorted(set(CITED_PATH.findall(text)))
             if "NN" not in cited  # a pattern (slides/NN_name.md), not a file
             and not (paths.REPO_ROOT / cited).exists() and not (paths.NOTEBOOKS_DIR / cited).exists()]
    assert not stale, f"paths cited that do not exist: {stale}"


INTRODUCTION = re.compile(r"introductory (TFX )?deck|opening lecture")


def test_the_introductory_deck_is_cited_by_its_path():
    """Before chapter 00 existed, decks could only cite "the course's opening lecture (shared/seed)"; now
    the introduction is chapter 00, and a text that cites it names its deck, so the reader can open it."""
    opening = course.CHAPTERS[0]
    assert opening.written, "chapter 00 is the course's introduction"
    deck = opening.deck.relative_to(paths.REPO_ROOT).as_posix()
    vague = [(name, text[max(0, m.start() - 60):m.end() + 60].replace("\n", " "))
             for name, text in course_texts() for m in INTRODUCTION.finditer(text)
             if deck not in text[max(0, m.start() - 300):m.end() + 300]]
    assert not vague, f"cite the introduction as {deck} (chapter 00), near each mention: {vague}"
