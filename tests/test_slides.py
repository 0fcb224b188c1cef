"""tools/slides.py: the pieces of the deck builder, the built decks checked statically, its failures, the
index page, and the README's course map. The browser checks are in tests/test_slides_browser.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from slides_testing import (
    CONSTRUCTS_DECK,
    CONSTRUCTS_IMAGE,
    CONSTRUCTS_NOTES,
    CONSTRUCTS_SLIDES,
    TEST_BUILD,
    build_constructs_deck,
    build_course_decks,
    png,
    write_constructs_deck,
)

from tools import slides, slides_index, slides_markdown, slides_mermaid, slides_offline, slides_prerequisites
from utils import course, paths

README = (paths.REPO_ROOT / "README.md").read_text()
COURSE_DECKS = slides.course_decks()


@pytest.fixture(scope="module")
def course_builds():
    return build_course_decks()


@pytest.fixture(scope="module")
def constructs_html():
    return build_constructs_deck()[1].read_text()


# ------------------------------------------------------------------ reading a deck

DECK_WITH_BLOCKS = """\
---
title: "A deck"
---

# Section

## Two diagrams

```mermaid
graph LR
    A --> B
```

Text.

~~~ {.mermaid}
sequenceDiagram
    A->>B: hi
~~~

## Code

````markdown
```mermaid
graph TD
    not --> a_diagram
```
````

```python
x = 1
```
"""


def test_mermaid_blocks_are_found_with_their_line_numbers():
    blocks = slides_markdown.mermaid_blocks(DECK_WITH_BLOCKS)
    assert [(b.line, b.end_line) for b in blocks] == [(9, 12), (16, 19)]
    assert blocks[0].body == "graph LR\n    A --> B"
    assert blocks[1].body.startswith("sequenceDiagram\n")
    # the fence inside the ````markdown block is content, not a diagram
    assert all("not --> a_diagram" not in b.body for b in blocks)


def test_an_unterminated_mermaid_block_runs_to_the_end():
    [block] = slides_markdown.mermaid_blocks("intro\n\n```mermaid\ngraph LR\n  A --> B\n")
    assert (block.line, block.body) == (3, "graph LR\n  A --> B")


@pytest.mark.parametrize("info, expected", [
    ("mermaid", True), ("{.mermaid}", True), ("{.mermaid #fig1}", True), ("mermaid {.wide}", True),
    ("{.wide .mermaid}", True), ("python", False), ("", False), ("{.python}", False), ("mermaidish", False),
    ("{#mermaid}", False), ("python {.mermaidish}", False),
])
def test_which_fences_are_mermaid(info, expected):
    assert slides_markdown.is_mermaid(info) is expected


def test_slides_are_counted_as_reveal_shows_them():
    assert slides_markdown.count_slides(DECK_WITH_BLOCKS) == 1 + 1 + 2  # title, section, two slides
    assert slides_markdown.count_slides(CONSTRUCTS_DECK) == CONSTRUCTS_SLIDES
    # a YAML comment is not a heading; no title, no title slide
    assert slides_markdown.count_slides("---\n# comment\nauthor: x\n---\n\n## One\n") == 1
    # content before the first heading makes a slide of its own; a comment does not
    assert slides_markdown.count_slides("Intro text.\n\n## One\n") == 2
    assert slides_markdown.count_slides("<!-- note to self -->\n\n## One\n") == 1


def test_speaker_notes_are_counted_outside_code():
    text = "::: notes\na\n:::\n\n:::notes\nb\n:::\n\n::: {.notes}\nc\n:::\n\n```\n::: notes\n```\n"
    assert slides_markdown.count_notes(text) == 3
    assert slides_markdown.count_notes(CONSTRUCTS_DECK) == CONSTRUCTS_NOTES


def test_mermaid_blocks_are_replaced_by_their_svg_and_nothing_else_changes():
    blocks = slides_markdown.mermaid_blocks(DECK_WITH_BLOCKS)
    svgs = {b.line: f'<svg id="d{b.line}"><text>```</text></svg>' for b in blocks}
    out = slides_mermaid.with_diagrams(DECK_WITH_BLOCKS, blocks, svgs)
    assert "graph LR" not in out and "sequenceDiagram" not in out
    assert out.count('<figure class="mermaid-diagram"') == 2
    assert '<svg id="d9">' in out and '<svg id="d16">' in out
    assert "````{=html}" in out  # a fence longer than any backtick run inside the SVG
    assert "Text." in out and "graph TD" in out and "x = 1" in out


# ------------------------------------------------------------------ images

def test_images_are_found_in_pandoc_s_ast():
    text = ('![a](img/a.png)\n\n![b][ref]\n\n[ref]: img/b%20c.png\n\n<img src="img/c.png" alt="c">\n\n'
            '## Slide {background-image="img/d.png"}\n\n`![not](an/image.png)`\n\n'
            '```\n![not](an/image.png)\n```\n')
    ast = json.loads(slides.run_pandoc(["--from=markdown", "--to=json"], text, Path.cwd()).stdout)
    assert slides_markdown.ast_images(ast) == ["img/a.png", "img/b%20c.png", "img/c.png", "img/d.png"]


def test_images_resolve_from_the_deck_s_folder(tmp_path):
    deck = tmp_path / "deck" / "01_x.md"
    (deck.parent / "img").mkdir(parents=True)
    (deck.parent / "img" / "a b.png").write_bytes(png(2, 2, (0, 0, 0)))
    found = slides_markdown.resolve_images(deck, ["img/a%20b.png", "./img/a b.png",
                                                  "data:image/png;base64,AAAA"])
    assert found == [(deck.parent / "img" / "a b.png").resolve()] * 2


def test_a_missing_image_names_the_deck_and_the_path(tmp_path):
    deck = tmp_path / "01_x.md"
    with pytest.raises(slides.SlideBuildError) as caught:
        slides_markdown.resolve_images(deck, ["assets/missing.png"])
    assert str(deck) in str(caught.value) and "missing image assets/missing.png" in str(caught.value)


@pytest.mark.parametrize("url", ["https://example.org/a.png", "//cdn.example.org/a.png", "ftp://x/a.png"])
def test_a_remote_image_is_refused(tmp_path, url):
    with pytest.raises(slides.SlideBuildError, match="remote image"):
        slides_markdown.resolve_images(tmp_path / "01_x.md", [url])


def test_html_comments_are_dropped_from_the_ast():
    ast = {"blocks": [{"t": "RawBlock", "c": ["html", "<!--\nnote\n-->"]},
                      {"t": "RawBlock", "c": ["html", "<br/>"]},
                      {"t": "Div", "c": [["", [], []], [{"t": "RawBlock", "c": ["html", "<!-- x -->"]}]]}]}
    assert slides_markdown.drop_comments(ast) == {"blocks": [{"t": "RawBlock", "c": ["html", "<br/>"]},
                                                    {"t": "Div", "c": [["", [], []], []]}]}


# ------------------------------------------------------------------ cache keys

def test_the_deck_key_follows_the_content_and_the_shared_inputs(tmp_path):
    inputs = [tmp_path / name for name in ("course.css", "package-lock.json", "slides.py")]
    for path in inputs:
        path.write_text(path.name)
    shared = slides.shared_digest(tuple(inputs))
    key = slides.deck_key("# A\n", shared)
    assert slides.deck_key("# A\n", slides.shared_digest(tuple(inputs))) == key  # stable
    assert slides.deck_key("# B\n", shared) != key
    for path in inputs:  # any shared input that changes changes every deck's key
        original = path.read_text()
        path.write_text(original + " ")
        assert slides.deck_key("# A\n", slides.shared_digest(tuple(inputs))) != key, path.name
        path.write_text(original)
    assert slides.shared_digest(tuple(inputs)) == shared


def test_the_real_shared_inputs_cover_theme_locks_and_builder():
    names = {p.name for p in slides.SHARED_INPUTS}
    wanted = {"course.css", "package-lock.json", "requirements.lock", "slides.py", "slides_mermaid.mjs"}
    assert wanted <= names
    assert all(p.is_file() for p in slides.SHARED_INPUTS)


def test_the_diagram_key_follows_the_diagram_source():
    key = slides_mermaid.mermaid_key("graph LR\n  A --> B")
    assert slides_mermaid.mermaid_key("graph LR\n  A --> B\n") == key
    assert slides_mermaid.mermaid_key("graph LR\n  A --> C") != key
    assert re.fullmatch(r"[0-9a-f]{64}", key)


def test_images_digest_follows_the_image_content(tmp_path):
    image = tmp_path / "a.png"
    image.write_bytes(png(2, 2, (0, 0, 0)))
    before = slides.images_digest([image])
    image.write_bytes(png(2, 2, (255, 0, 0)))
    assert slides.images_digest([image]) != before


# ------------------------------------------------------------------ the output check

@pytest.mark.parametrize("html, leaks", [
    ('<script src="https://cdn.example.org/reveal.js"></script>', 1),
    ('<script src="node_modules/reveal.js/dist/reveal.js"></script>', 1),
    ('<link rel="stylesheet" href="https://fonts.googleapis.com/css?family=Lato">', 1),
    ('<link rel="icon" href="favicon.ico">', 1),
    ('<img src="http://example.org/a.png">', 1),
    ('<img data-src="assets/a.png">', 1),
    ('<img srcset="data:image/png;base64,AA 1x, https://x.org/b.png 2x">', 1),
    ("<style>@import url(https://fonts.googleapis.com/css?family=Lato);</style>", 1),
    ("<style>@import 'theme.css';</style>", 1),
    ("<style>@font-face { src: url('font.woff') }</style>", 1),
    ('<div style="background: url(https://x.org/bg.png)"></div>', 1),
    ('<svg><image href="https://x.org/a.png"/></svg>', 1),
    ('<section data-background-image="https://x.org/a.png"></section>', 1),
    ('<link rel="stylesheet" href="data:text/css;base64,QGltcG9ydCB1cmwoaHR0cHM6Ly94Lm9yZy9hLmNzcyk7">', 1),
    # fine: embedded, fragments, links, text that only mentions a URL
    ('<script src="data:text/javascript;base64,AA=="></script><img src="data:image/png;base64,AA">', 0),
    ('<a href="https://www.tensorflow.org/tfx">TFX</a>', 0),
    ('<svg><path marker-end="url(#arrow)"/><use href="#shape"/></svg>', 0),
    ("<script>const u = 'https://revealjs.com'; el.innerHTML = '<img src=\"x.png\">';</script>", 0),
    ("<style>.a { background: url(data:image/png;base64,AA) }</style><p>see https://x.org</p>", 0),
])
def test_resources_that_are_not_embedded_are_found(html, leaks):
    assert len(slides_offline.not_embedded(html)) == leaks, slides_offline.not_embedded(html)


# ------------------------------------------------------------------ the built course decks

@pytest.mark.parametrize("deck", COURSE_DECKS, ids=lambda d: d.stem)
def test_a_built_deck_is_self_contained_with_its_notes_and_diagrams(course_builds, deck):
    html = slides.output_path(slides.OUT_DIR, deck).read_text()
    source = deck.read_text()
    assert slides_offline.not_embedded(html) == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html and "MathJax.js" not in html
    assert html.count('<aside class="notes">') == slides_markdown.count_notes(source) > 0
    diagrams = re.findall(r'<figure class="mermaid-diagram"[^>]*>\s*<svg\b', html)
    assert len(diagrams) == len(slides_markdown.mermaid_blocks(source)) == html.count("<svg id=\"mermaid-")
    title = re.search(r'^title: "?(.*?)"?$', source, re.M).group(1)
    shown = re.search(r'<h1 class="title">(.*?)</h1>', html, re.S).group(1)
    assert re.findall(r"\w+", title) == re.findall(r"\w+", shown)


def test_there_are_course_decks_and_each_is_built(course_builds):
    assert COURSE_DECKS, "no deck in slides/"
    assert [deck for deck, _ in course_builds] == COURSE_DECKS
    assert all(html.is_file() and html.stat().st_size > 100_000 for _, html in course_builds)


# ------------------------------------------------------------------ every construct of the seed deck

def test_every_construct_of_the_seed_deck_is_rendered(constructs_html):
    assert slides_offline.not_embedded(constructs_html) == []
    html = re.sub(r"\s+", " ", constructs_html)  # pandoc wraps long lines
    assert '<p class="subtitle">Machine Learning Operations<br />TFX step by step</p>' in html
    assert "it must not become a slide" not in html
    assert html.count('class="title-slide slide level1"') == 2
    assert "Development ≠ production" in html
    assert re.search(r"<blockquote> <p>Think about your tools", html)
    assert '<a href="https://www.tensorflow.org/tfx">TensorFlow Extended</a>' in html
    assert 'href="https://www.tensorflow.org/tfx/guide"' in html
    assert html.count('<aside class="notes">') == CONSTRUCTS_NOTES
    assert "<b><u>Example for data access</u></b>" in html
    assert re.search(r'<img[^>]*data-src="data:image/png;base64,', html)
    assert len(re.findall(r'<figure class="mermaid-diagram"[^>]*>\s*<svg\b', html)) == 1
    assert "# not a slide" in html and "print" in html  # the code block is code
    assert "Think about your tools even before you start coding!" in html


# ------------------------------------------------------------------ failures

BROKEN_DECK = """\
---
title: "Broken"
---

## Fine

```mermaid
graph LR
    A --> B
```

## Broken

```mermaid
graph LR
    A[Data --> B[ExampleGen
```
"""


def test_a_broken_mermaid_block_fails_with_deck_line_and_mermaid_s_message(tmp_path):
    deck = tmp_path / "98_broken.md"
    deck.write_text(BROKEN_DECK)
    good = write_constructs_deck(tmp_path)
    report = slides.build([deck, good], tmp_path / "out")
    [error] = report.errors
    assert f"{deck}:14:" in error  # the deck and the line of the broken block's fence
    assert "Parse error on line 2" in error and "Expecting" in error  # mermaid's own words
    assert "line 16 of the deck" in error
    assert not slides.output_path(tmp_path / "out", deck).exists()
    assert report.built == [slides.output_path(tmp_path / "out", good)]  # the other deck still builds
    with pytest.raises(slides.SlideBuildError, match="Parse error on line 2"):
        slides.build_or_raise([deck], tmp_path / "out")


def test_the_command_fails_with_the_deck_and_the_missing_image(tmp_path):
    deck = tmp_path / "97_no_image.md"
    deck.write_text('---\ntitle: "x"\n---\n\n## A\n\n![chart](assets/chart.png)\n')
    result = subprocess.run([sys.executable, "tools/slides.py", str(deck), "--out", str(tmp_path / "out")],
                            cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert f"{deck}: missing image assets/chart.png" in result.stderr
    assert str(tmp_path / "assets" / "chart.png") in result.stderr
    assert not (tmp_path / "out" / "97_no_image.html").exists()


def test_missing_tools_stop_the_build_with_what_to_install(tmp_path):
    env = {**os.environ, "COURSE_CHROMIUM": str(tmp_path / "no-chromium")}
    result = subprocess.run([sys.executable, "tools/slides.py", "--out", str(tmp_path / "out")],
                            cwd=paths.REPO_ROOT, capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 1
    assert f"Chromium at {tmp_path / 'no-chromium'}" in result.stderr
    assert "apt-get install -y chromium" in result.stderr
    # the set-up says the same and carries on, quickly
    start = time.perf_counter()
    setup = subprocess.run(["bash", "tools/setup.sh"], cwd=paths.REPO_ROOT, capture_output=True,
                           text=True, timeout=60,
                           env={**env, "COURSE_VENV": os.environ.get("COURSE_VENV", ".venv")})
    assert setup.returncode == 0 and time.perf_counter() - start < 5
    assert result.stderr.strip() in setup.stderr


def test_missing_node_is_reported(monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which",
                        lambda name: None if name in ("node", "npm") else real_which(name))
    assert any("Node.js" in m and "npm" in m for m in slides_prerequisites.missing_prerequisites())


def test_node_modules_out_of_step_with_the_lock_is_reported(monkeypatch):
    monkeypatch.setattr(slides_prerequisites, "installed_node_version", lambda name: "0.0.0")
    [message] = [m for m in slides_prerequisites.missing_prerequisites() if "package-lock.json" in m]
    assert "npm ci" in message and "reveal.js" in message


# ------------------------------------------------------------------ the cache

def test_unchanged_decks_are_not_rebuilt_and_diagrams_are_cached(tmp_path, monkeypatch, constructs_html):
    deck = write_constructs_deck(tmp_path)
    out = tmp_path / "out"
    # the diagram cache of the constructs deck's build (same diagram): saves drawing it again here
    shutil.copytree(slides_mermaid.svg_cache(TEST_BUILD / "out"), slides_mermaid.svg_cache(out))
    assert slides.build_or_raise([deck], out).built
    html = slides.output_path(out, deck)
    first = html.stat().st_mtime_ns

    calls = []
    real_run = subprocess.run

    def recording_run(command, *args, **kwargs):
        calls.append(" ".join(map(str, command)))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(slides.subprocess, "run", recording_run)
    report = slides.build_or_raise([deck], out)
    assert (report.built, report.unchanged, calls) == ([], [deck], [])
    assert html.stat().st_mtime_ns == first

    deck.write_text(deck.read_text() + "\n## One more slide\n")  # the deck changed: rebuilt
    assert slides.build_or_raise([deck], out).built == [html]
    assert not any("slides_mermaid" in c for c in calls), "the cached diagram was drawn again"
    assert "One more slide" in html.read_text()

    (tmp_path / CONSTRUCTS_IMAGE).write_bytes(png(10, 10, (0, 0, 255)))  # an image changed: rebuilt
    assert slides.build_or_raise([deck], out).built == [html]
    html.write_text("tampered")  # the output changed: rebuilt
    assert slides.build_or_raise([deck], out).built == [html]
    html.unlink()  # the output is gone: rebuilt
    assert slides.build_or_raise([deck], out).built == [html]
    assert slides.build_or_raise([deck], out, force=True).built == [html]


# ------------------------------------------------------------------ the index page and the README

def test_the_index_lists_every_chapter_in_course_order(course_builds):
    index = (slides.OUT_DIR / "index.html").read_text()
    positions = [index.index(f'id="chapter-{c.number}"') for c in course.CHAPTERS]
    assert positions == sorted(positions)
    for chapter in course.CHAPTERS:
        row = re.search(rf'<tr id="chapter-{chapter.number}">(.*?)</tr>', index).group(1)
        if chapter.deck.is_file():
            assert f'href="{chapter.name}.html"' in row
            assert (slides.OUT_DIR / f"{chapter.name}.html").is_file()
        if chapter.written:
            assert f'href="../../notebooks/{chapter.name}.ipynb"' in row
            assert f'href="../course/html/{chapter.name}.html"' in row
            executed = paths.BUILD_DIR / "course" / "html" / f"{chapter.name}.html"
            assert ("make course</code> first" in row) is (not executed.is_file())
        elif not chapter.deck.is_file():
            assert "not yet written" in row and "href" not in row


def test_outputs_of_removed_decks_are_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "42_gone.html").write_text("old")
    (out / "notes.html").write_text("not a deck")
    slides.remove_orphans(out, [tmp_path / "01_kept.md"])
    assert sorted(p.name for p in out.iterdir()) == ["notes.html"]


def test_the_index_says_when_the_executed_notebook_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path)
    written = course.written_chapters()[0]
    html = slides_index.index_html(slides_index.index_rows(tmp_path / "slides"))
    row = re.search(rf'<tr id="chapter-{written.number}">(.*?)</tr>', html).group(1)
    assert "run <code>make course</code> first" in row
    (tmp_path / "course" / "html").mkdir(parents=True)
    (tmp_path / "course" / "html" / f"{written.name}.html").write_text("x")
    html = slides_index.index_html(slides_index.index_rows(tmp_path / "slides"))
    row = re.search(rf'<tr id="chapter-{written.number}">(.*?)</tr>', html).group(1)
    assert "make course" not in row and 'href="../course/html/' in row


def test_the_readme_course_map_links_the_same_decks_as_the_index(course_builds):
    index = (slides.OUT_DIR / "index.html").read_text()
    in_index = set(re.findall(r'href="(\d\d_[a-z_]+)\.html"', index))
    rows = [line for line in README.splitlines() if re.match(r"\| \d\d \|", line)]
    in_readme = {m for row in rows for m in re.findall(r"\(slides/(\d\d_[a-z_]+)\.md\)", row)}
    assert in_readme == in_index == {deck.stem for deck in COURSE_DECKS}


def test_the_readme_explains_the_slides():
    assert "## Slides" in README or "### Slides" in README
    assert "`make slides`" in README and "build/slides/" in README and "press **S**" in README
