"""The course site (tools/site.py), built from tiny executed notebooks made here: static checks of the pages,
then the site in a real headless Chromium (Debian's, driven by Playwright, like tests/test_slides_browser.py).

The fixture has what the real executed notebooks have: Markdown links to ../slides/NN.md and to
solutions/…ipynb (and back), Apache Beam's script that fetches jQuery from a CDN, a <script src> from a CDN
in an HTML output, a papermill-injected parameters cell, an image output; plus links the site cannot serve.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from slides_testing import launch_chromium, png

from tools import site, slides
from utils import course, paths

CH01, CH02 = course.CHAPTERS[1], course.CHAPTERS[2]
JQUERY = "https://code.jquery.com/jquery-3.4.1.slim.min.js"
# What Beam's interactive environment displays at the first context.run: a script that adds a <script src>.
BEAM_SCRIPT = f"""
if (typeof window.interactive_beam_jquery == 'undefined') {{
  var jqueryScript = document.createElement('script');
  jqueryScript.src = '{JQUERY}';
  document.head.appendChild(jqueryScript);
}}
"""
INTRO_01 = f"""# 01 · A chapter

Slides: [`slides/{CH01.name}.md`](../slides/{CH01.name}.md). The data: [`data/README.md`](../data/README.md)
and [the penguins' licence](../data/penguins/LICENSE). On the web: [Palmer penguins](https://example.org/penguins).
Further down: [the exercises](#Exercises). Next: [chapter 02](02_data_validation.ipynb), then
[chapter 03](03_transform.ipynb)."""


def executed_notebook(intro: str, outputs: list | None = None, extra: str = ""):
    """A notebook as papermill leaves it: Markdown, the parameters cell, the injected one, outputs."""
    cells = [new_markdown_cell(intro),
             new_code_cell("FAST = False", metadata={"tags": ["parameters"]}, execution_count=1),
             new_code_cell("# Parameters\nFAST = True\n", metadata={"tags": ["injected-parameters"]},
                           execution_count=2),
             new_code_cell("context.run(example_gen)", execution_count=3, outputs=outputs or []),
             new_markdown_cell(f"## Exercises\n\n{extra}")]
    kernel = {"name": "tfx-step-by-step", "language": "python", "display_name": "TFX step by step"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernel})


def chapter_01_outputs() -> list:
    image = base64.b64encode(png(40, 20, (230, 81, 0))).decode()
    return [new_output("display_data", data={"application/javascript": BEAM_SCRIPT}),
            new_output("display_data", data={"text/html": f'<script src="{JQUERY}"></script><b>kept html</b>',
                                             "text/plain": "<HTML>"}),
            new_output("stream", name="stdout", text="ExampleGen ran\n"),
            new_output("display_data", data={"image/png": image, "text/plain": "<Figure>"})]


def write_fixture(root: Path) -> tuple[Path, Path]:
    """Executed notebooks (chapters 01 and 02, 01's solutions, a notebook not of the course) and one deck."""
    notebooks, decks = root / "executed", root / "decks"
    (notebooks / "solutions").mkdir(parents=True)
    decks.mkdir()
    solutions = f"solutions/{CH01.name}_solutions.ipynb"
    solutions_link = f"[`{solutions}`]({solutions}#Exercise-1)"
    nbformat.write(executed_notebook(INTRO_01, chapter_01_outputs(), solutions_link),
                   notebooks / f"{CH01.name}.ipynb")
    nbformat.write(executed_notebook(f"Solutions of [`{CH01.name}.ipynb`](../{CH01.name}.ipynb)."),
                   notebooks / "solutions" / f"{CH01.name}_solutions.ipynb")
    nbformat.write(executed_notebook(f"# 02\n\n[`slides/{CH02.name}.md`](../slides/{CH02.name}.md)"),
                   notebooks / f"{CH02.name}.ipynb")
    nbformat.write(executed_notebook("not a chapter"), notebooks / "failing.ipynb")
    (decks / f"{CH01.name}.html").write_text("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                                             "<title>deck</title></head><body><h1>A deck</h1></body></html>")
    return notebooks, decks


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    notebooks, decks = write_fixture(root)
    out = root / "out"
    report = site.build(notebooks, out, decks)
    return out, report


def pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text() for p in sorted(out.rglob("*.html"))}


class Collector(HTMLParser):
    """Every <a href>, and every URL an element would load (script, link, img, iframe, and the like)."""

    LOADS = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
             ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if tag == "a" and name == "href":
                self.links.append(value)
            elif (tag, name) in self.LOADS:
                self.loads.append(value)


def collect(document: str) -> Collector:
    collector = Collector()
    collector.feed(document)
    return collector


def page_path(out: Path, page: str, href: str) -> Path:
    return (out / page).parent / urllib.parse.unquote(urllib.parse.urlsplit(href).path)


# --------------------------------------------------------------------------- static checks

def test_a_page_per_course_notebook_and_the_decks(built):
    out, report = built
    assert sorted(pages(out)) == sorted(["index.html", f"course/html/{CH01.name}.html",
                                         f"course/html/solutions/{CH01.name}_solutions.html",
                                         f"course/html/{CH02.name}.html", f"slides/{CH01.name}.html"])
    assert len(report.pages) == 3 and report.leaks == []


def test_every_link_resolves_inside_the_site(built):
    out, _ = built
    checked = 0
    for page, document in pages(out).items():
        for href in collect(document).links:
            parts = urllib.parse.urlsplit(href)
            if parts.scheme in ("http", "https") or not parts.path:  # the web, or a fragment of the page
                continue
            target = page_path(out, page, href).resolve()
            assert target.is_file() and out.resolve() in target.parents, (page, href)
            checked += 1
    assert checked >= 10


def test_markdown_links_point_to_the_built_pages(built):
    out, _ = built
    chapter = pages(out)[f"course/html/{CH01.name}.html"]
    links = collect(chapter).links
    assert f"../../slides/{CH01.name}.html" in links
    assert f"solutions/{CH01.name}_solutions.html#Exercise-1" in links
    assert f"{CH02.name}.html" in links and "#Exercises" in links
    assert "https://example.org/penguins" in links  # the web stays a link (a click, not a load)
    assert not [h for h in links if re.search(r"\.(md|ipynb)(#|$)", h)]
    solutions = collect(pages(out)[f"course/html/solutions/{CH01.name}_solutions.html"]).links
    assert f"../{CH01.name}.html" in solutions and "../../../index.html" in solutions


def test_links_the_site_cannot_serve_become_text_naming_the_file(built):
    out, report = built
    chapter = pages(out)[f"course/html/{CH01.name}.html"]
    assert re.search(r'<span class="site-offsite"[^>]*><code>data/README.md</code></span>', chapter)
    assert "<code>data/penguins/LICENSE</code> in the course folder" in chapter
    assert "<code>notebooks/03_transform.ipynb</code> in the course folder" in chapter  # not executed
    assert f"<code>slides/{CH02.name}.md</code>" in pages(out)[f"course/html/{CH02.name}.html"]  # no deck
    assert len(report.notes) == 4


def test_no_page_loads_anything_from_the_web(built):
    out, _ = built
    for page, document in pages(out).items():
        loads = collect(document).loads
        assert not [url for url in loads if re.match(r"(https?:)?//", url.strip())], page
        for needle in ("code.jquery.com", "cdnjs", "require.min.js", "mathjax@", "MathJax.js", "unpkg.com"):
            assert needle not in document, (page, needle)
        assert site.remote_loads(document) == [], page


def test_outputs_are_kept_and_images_embedded(built):
    out, report = built
    chapter = pages(out)[f"course/html/{CH01.name}.html"]
    assert "<b>kept html</b>" in chapter and "ExampleGen ran" in chapter
    assert re.search(r'<img[^>]+src="data:image/png;base64,', chapter)
    assert report.stripped == 2  # Beam's script output, and the <script src> of the HTML output


def test_the_injected_parameters_cell_is_labelled(built):
    out, _ = built
    for page, document in pages(out).items():
        if not page.startswith("course/"):
            continue
        own = document.index("celltag_parameters")
        note = document.index("Parameters injected by the run that made this page")
        injected = document.index("celltag_injected-parameters")
        assert own < note < injected, page
        assert document.count("Parameters injected by the run") == 1


def test_the_index_lists_every_chapter_in_course_order(built):
    out, _ = built
    index = pages(out)["index.html"]
    rows = re.findall(r'<tr id="chapter-(\d\d)">(.*?)</tr>', index, re.S)
    assert [number for number, _ in rows] == [c.number for c in course.CHAPTERS]
    assert slides.INDEX_CSS in index  # the look of build/slides/index.html
    for chapter, (_, row) in zip(course.CHAPTERS, rows, strict=True):
        if not chapter.written:
            assert "not yet written" in row and "<a " not in row, chapter.number
        elif chapter is CH01:
            assert collect(row).links == [f"course/html/{CH01.name}.html",
                                          f"course/html/solutions/{CH01.name}_solutions.html",
                                          f"slides/{CH01.name}.html"]
        elif chapter is CH02:  # executed, without its solutions and without a built deck
            assert collect(row).links == [f"course/html/{CH02.name}.html"]
            assert "not run yet" in row and "not built yet" in row and "make slides" in row
        else:  # written, but not executed in the fixture
            assert "not run yet" in row and "<a " not in row, chapter.number


def test_a_page_that_would_load_from_the_web_fails_the_build(tmp_path):
    notebooks = tmp_path / "executed"
    notebooks.mkdir()
    outputs = [new_output("display_data", data={"text/html": '<img src="https://example.org/a.png">'})]
    nbformat.write(executed_notebook("# 01", outputs), notebooks / f"{CH01.name}.ipynb")
    assert site.main(["--notebooks", str(notebooks), "--out", str(tmp_path / "out"),
                      "--slides", str(tmp_path / "none")]) == 1
    report = site.build(notebooks, tmp_path / "out", tmp_path / "none")
    assert report.leaks and "https://example.org/a.png" in report.leaks[0]


def test_without_executed_notebooks_the_index_says_what_to_run(tmp_path):
    stale = tmp_path / "out" / "course" / "html" / "99_gone.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    report = site.build(tmp_path / "nothing", tmp_path / "out", tmp_path / "nothing")
    assert report.pages == [] and not stale.exists()
    assert "not run yet" in report.index.read_text()


@pytest.mark.parametrize("href, source, expected", [
    (f"../slides/{CH01.name}.md", f"{CH01.name}.ipynb", f"slides/{CH01.name}.html"),
    (f"solutions/{CH01.name}_solutions.ipynb", f"{CH01.name}.ipynb",
     f"course/html/solutions/{CH01.name}_solutions.html"),
    (f"../{CH01.name}.ipynb", f"solutions/{CH01.name}_solutions.ipynb", f"course/html/{CH01.name}.html"),
    ("../data/README.md", f"{CH01.name}.ipynb", None),
    (f"../../slides/{CH01.name}.md", f"{CH01.name}.ipynb", None),  # outside the course folder
])
def test_site_target(href, source, expected):
    files = {f"slides/{CH01.name}.html", f"course/html/{CH01.name}.html",
             f"course/html/solutions/{CH01.name}_solutions.html"}
    assert site.site_target(href, source, files) == expected


def test_make_course_builds_the_site_after_the_slides():
    makefile = (paths.REPO_ROOT / "Makefile").read_text()
    recipe = re.search(r"^course:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    order = [recipe.index(f"tools/{tool}.py") for tool in ("run_course", "slides", "site")]
    assert order == sorted(order)
    slides_recipe = re.search(r"^slides:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert "tools/slides.py" in slides_recipe and "site.py" not in slides_recipe


# --------------------------------------------------------------------------- in Chromium

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not slides.CHROMIUM.is_file():
        pytest.fail(slides.prerequisites_message(slides.missing_prerequisites()))
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


def test_the_site_works_offline_in_chromium(browser, built):
    out, _ = built
    out = out.resolve()
    context = browser.new_context()
    requests, errors = [], []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("console", lambda msg: errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"{page.url}: {exc}"))
    try:
        todo, opened = [out / "index.html"], set()
        while todo:
            html = todo.pop(0)
            if html in opened:
                continue
            opened.add(html)
            page.goto(html.as_uri(), wait_until="load")
            page.wait_for_timeout(100)  # a script that adds a <script src> would have run by now
            for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
                if href.startswith(("http:", "https:")):
                    continue
                assert href.startswith("file:"), (html, href)
                target = Path(urllib.parse.unquote(urllib.parse.urlsplit(href).path))
                assert target.is_file() and out in target.parents, (html, href)
                todo.append(target)
            if html.name == f"{CH01.name}.html" and "course" in html.parts:
                assert page.is_visible("text=Parameters injected by the run that made this page")
                assert page.evaluate("[...document.images].every(img => img.naturalWidth > 0)")
        assert opened == {p.resolve() for p in out.rglob("*.html")}  # every page is reachable from the index
        assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
        assert errors == []
    finally:
        context.close()
