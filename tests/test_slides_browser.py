"""The built decks in a real headless Chromium (Debian's, driven by Playwright; never `playwright install`).

Each deck is opened by its file:// URL: reveal.js must start, show as many slides as the Markdown has, log no
error, and request nothing but file: and data: URLs. Every diagram must be drawn with a size on its slide,
every image must load, and the speaker view (S) must open with the notes. A PNG of each deck's title slide
(and of its first diagram slide) goes to build/slides/screenshots/ for a human to look at.
"""

from __future__ import annotations

import pytest
from slides_testing import (
    CONSTRUCTS_NOTES,
    CONSTRUCTS_SLIDES,
    build_constructs_deck,
    build_course_decks,
    launch_chromium,
)

from tools import slides, slides_markdown, slides_prerequisites

SCREENSHOTS = slides.OUT_DIR / "screenshots"
VIEWPORT = {"width": 1280, "height": 720}
DECKS = [deck.stem for deck in slides.course_decks()] + ["99_constructs"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    slides_prerequisites.require_prerequisites()  # says what to install when Chromium is missing
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def decks():
    built = [*build_course_decks(), build_constructs_deck()]
    return {deck.stem: (deck, html) for deck, html in built}


class Session:
    """One browser context with everything it logged and requested."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("page", self.watch)
        self.page = self.context.new_page()

    def watch(self, page):
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, html):
        self.page.goto(html.as_uri())
        self.page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=20_000)
        self.page.evaluate("Reveal.configure({transition: 'none', backgroundTransition: 'none'})")
        return self.page

    def remote_requests(self):
        return [url for url in self.requests if not url.startswith(("file:", "data:"))]

    def close(self):
        self.context.close()


def go_to(page, selector, i=0):
    """Show the slide that holds the i-th element matching selector."""
    page.evaluate("""([selector, i]) => {
        const slide = document.querySelectorAll(selector)[i].closest('section');
        const at = Reveal.getIndices(slide);
        Reveal.slide(at.h, at.v);
    }""", [selector, i])
    page.wait_for_timeout(150)


def test_every_course_deck_is_checked(decks):
    assert list(decks) == DECKS and len(DECKS) > 1


@pytest.mark.parametrize("name", DECKS)
def test_a_deck_runs_offline_in_chromium(browser, decks, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    deck, html = decks[name]
    source = deck.read_text()
    session = Session(browser)
    try:
        page = session.open(html)
        assert page.evaluate("Reveal.getTotalSlides()") == slides_markdown.count_slides(source), deck.name
        notes = page.evaluate("document.querySelectorAll('aside.notes').length")
        assert notes == slides_markdown.count_notes(source), deck.name
        assert page.evaluate("Reveal.hasPlugin('notes')")
        if deck.stem.startswith("99_"):  # the test deck: its expected counts are known by hand
            assert slides_markdown.count_slides(source) == CONSTRUCTS_SLIDES
            assert slides_markdown.count_notes(source) == CONSTRUCTS_NOTES
        else:
            page.screenshot(path=SCREENSHOTS / f"{deck.stem}.png")
        assert page.is_visible("#title-slide h1.title"), "the deck does not open on its title slide"

        diagrams = page.evaluate("document.querySelectorAll('figure.mermaid-diagram svg').length")
        assert diagrams == len(slides_markdown.mermaid_blocks(source))
        for i in range(diagrams):  # drawn, with a size, on its slide (mermaid on hidden slides is not)
            go_to(page, "figure.mermaid-diagram", i)
            box = page.evaluate("""(i) => {
                const svg = document.querySelectorAll('figure.mermaid-diagram svg')[i];
                const r = svg.getBoundingClientRect();
                return [r.width, r.height];
            }""", i)
            assert box[0] > 100 and box[1] > 20, (deck.name, i, box)
            labels = page.evaluate("""(i) => document.querySelectorAll('figure.mermaid-diagram')[i]
                                              .innerText.trim().length""", i)
            assert labels > 0, (deck.name, i, "diagram without text")
            if i == 0 and not deck.stem.startswith("99_"):
                page.screenshot(path=SCREENSHOTS / f"{deck.stem}-diagram.png")

        images = page.evaluate("document.querySelectorAll('.slides img').length")
        assert images == (1 if name == "99_constructs" else images)
        for i in range(images):
            go_to(page, ".slides img", i)
            page.wait_for_function("(i) => document.querySelectorAll('.slides img')[i].naturalWidth > 0",
                                   arg=i, timeout=5_000)
        assert session.errors == [], (deck.name, session.errors)
        assert session.remote_requests() == [], (deck.name, session.remote_requests())
    finally:
        session.close()


def test_the_speaker_view_opens_with_the_notes(browser, decks):
    deck, html = decks[DECKS[0]]
    session = Session(browser)
    try:
        page = session.open(html)
        go_to(page, "aside.notes")
        notes = page.evaluate("Reveal.getSlideNotes()")
        assert notes and len(notes) > 20
        with session.context.expect_page() as popup:
            page.keyboard.press("s")
        speaker = popup.value
        first_words = page.evaluate("document.querySelector('aside.notes').innerText.trim().split('\\n')[0]")
        speaker.wait_for_function("(text) => document.body.innerText.includes(text)", arg=first_words[:40],
                                  timeout=10_000)
        assert "NOTES" in speaker.evaluate("document.body.innerText").upper()
        assert session.errors == [] and session.remote_requests() == []
    finally:
        session.close()
