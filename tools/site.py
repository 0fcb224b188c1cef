"""Build the course site, offline: build/index.html (the course map) and a page of every executed notebook.

    python tools/site.py                       # build/course/notebooks + build/slides -> build/
    python tools/site.py --notebooks build/test-output --out /tmp/site   # other notebooks, another root

`make course` runs it after the notebooks (tools/run_course.py) and the decks (tools/slides.py). In --out:
  index.html                 every chapter of utils.course.CHAPTERS in order, with links to its pages;
  course/html/NN_name.html   each executed chapter notebook (course/html/solutions/ for the solutions);
  slides/NN_name.html        the decks (copied there from --slides when that is another folder).
Every page works from file:// with no network:
  * nbconvert's 'lab' template without the blocks that load require.js, MathJax, mermaid and the widget
    manager from CDNs (the course's Markdown has no math: TeX would show as written);
  * outputs with scripts that load from the web are dropped: Apache Beam's interactive environment shows
    one, fetching jQuery and DataTables from CDNs, at the first `context.run` of every notebook;
  * links are rewritten: `../slides/NN_name.md` -> the deck's page, `*.ipynb` -> the notebook's page; a
    relative link to anything else (data/README.md, a notebook not executed) becomes text naming the file:
    every link resolves inside the site, wherever the site is copied;
  * the cell papermill adds (tagged injected-parameters) gets a visible note above it.
Each page is checked: anything it would load from outside itself is an error (exit status 1).
"""

from __future__ import annotations

import argparse
import html
import posixpath
import re
import shutil
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tools import slides  # noqa: E402
from utils import course, paths  # noqa: E402

NOTEBOOKS_IN = paths.BUILD_DIR / "course" / "notebooks"
PAGES = "course/html"  # where the notebook pages go, relative to the site root (tools/slides.py links here)
REMOTE = re.compile(r"""https?://[^\s"'<>)]+""", re.I)
INJECTED_NOTE = ("**Parameters injected by the run that made this page** (papermill, e.g. `make course`): "
                 "the cell below replaces the values of the cell above; the outputs were made with them.")
OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block body_header -%}{{ super() }}<!-- site-nav -->{%- endblock body_header -%}
{% block extra_css %}<style>
nav.site-nav { padding: .6em 1em; margin-bottom: 1em; border-bottom: 4px solid #e65100; background: #fff3e0;
               font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; }
nav.site-nav a { margin-right: 1.5em; }
.celltag_site-note { background: #fff3e0; border-left: 4px solid #e65100; }
.site-offsite { color: #555; }
</style>{% endblock extra_css %}
"""
NAV_MARKER = "<!-- site-nav -->"


@dataclass
class Report:
    pages: list[Path] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)  # what a page would load from outside itself
    notes: list[str] = field(default_factory=list)  # links made plain text
    stripped: int = 0  # remote scripts dropped from outputs
    index: Path | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Notebook:
    """An executed notebook of the course: its file and its path under notebooks/ ("solutions/x.ipynb")."""
    executed: Path
    source: str
    chapter: course.Chapter

    @property
    def page(self) -> str:
        return f"{PAGES}/{self.source[:-len('.ipynb')]}.html"


# --------------------------------------------------------------------------- what the site holds

def course_notebooks(notebooks_dir: Path, chapters=course.CHAPTERS) -> list[Notebook]:
    """The executed notebooks of the course map found in notebooks_dir, each chapter before its solutions."""
    found = []
    for chapter in chapters:
        for source in (f"{chapter.name}.ipynb", f"solutions/{chapter.name}_solutions.ipynb"):
            if (notebooks_dir / source).is_file():
                found.append(Notebook(notebooks_dir / source, source, chapter))
    return found


def deck_page(chapter: course.Chapter) -> str:
    return f"slides/{chapter.name}.html"


def copy_decks(slides_dir: Path, out: Path) -> None:
    """The built decks into <out>/slides/ (they are self-contained: a copy works anywhere)."""
    target = out / "slides"
    if slides_dir.resolve() == target.resolve() or not slides_dir.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for deck in slides_dir.glob(slides.DECK_GLOB.replace(".md", ".html")):
        shutil.copyfile(deck, target / deck.name)


# --------------------------------------------------------------------------- notebooks before rendering

REMOTE_TAG = re.compile(r"""<script\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//[^>]*>.*?</script\s*>"""
                        r"""|<script\b[^>]*>(?:(?!</script).)*?https?://(?:(?!</script).)*</script\s*>"""
                        r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//[^>]*>""", re.I | re.S)


def strip_remote_scripts(nb) -> int:
    """Drop what outputs would fetch from the web: scripts (JavaScript outputs, <script> and <link> in HTML
    outputs) naming a remote URL; an output left with nothing to show is dropped. Returns how many."""
    removed = 0
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            for mime in list(data):
                text = "".join(data[mime]) if isinstance(data[mime], list) else data[mime]
                if mime in ("application/javascript", "text/javascript") and REMOTE.search(str(text)):
                    del data[mime]
                    removed += 1
                elif mime == "text/html":
                    data[mime], count = REMOTE_TAG.subn("", str(text))
                    removed += count
            if "data" not in output or data:
                kept.append(output)
        if "outputs" in cell:
            cell.outputs = kept
    return removed


def label_injected_parameters(nb) -> None:
    """A visible note (a Markdown cell tagged site-note) above each cell papermill injected."""
    import nbformat

    for i in reversed(range(len(nb.cells))):
        if "injected-parameters" in nb.cells[i].metadata.get("tags", []):
            note = nbformat.v4.new_markdown_cell(INJECTED_NOTE, metadata={"tags": ["site-note"]})
            if "id" not in nb.cells[i]:
                note.pop("id", None)  # notebooks before nbformat 4.5 have no cell ids
            nb.cells.insert(i, note)


# --------------------------------------------------------------------------- links

def site_target(href: str, source: str, site_files: set[str]) -> str | None:
    """The site file a relative link of the notebook notebooks/<source> means, or None when the site does
    not have it. A notebook's link is to the .ipynb or the deck's .md: their pages are .html."""
    path = posixpath.normpath(posixpath.join("notebooks", posixpath.dirname(source), href))
    if path.startswith("notebooks/") and path.endswith(".ipynb"):
        path = f"{PAGES}/{path[len('notebooks/'):-len('.ipynb')]}.html"
    elif path.startswith("slides/") and path.endswith(".md") and "/" not in path[len("slides/"):]:
        path = f"slides/{path[len('slides/'):-len('.md')]}.html"
    return path if path in site_files else None


ANCHOR = re.compile(r"<a\b(?P<attrs>[^>]*)>(?P<inner>.*?)</a\s*>", re.I | re.S)
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def rewrite_links(document: str, page: str, source: str, site_files: set[str]) -> tuple[str, list[str]]:
    """Relative links resolved to site pages (page-relative hrefs); the others made plain text. Links with
    a scheme (https:, mailto:) and fragments (#id) stay. Returns the document and the links made text."""
    demoted = []

    def one(match: re.Match) -> str:
        href_match = HREF.search(match["attrs"])
        if not href_match:
            return match[0]
        href = html.unescape(slides.first_group(href_match))
        parts = urllib.parse.urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            return match[0]
        path = urllib.parse.unquote(parts.path)
        target = site_target(path, source, site_files)
        if target is None:
            demoted.append(href)
            named = posixpath.normpath(posixpath.join("notebooks", posixpath.dirname(source), path))
            where = "" if named in html.unescape(re.sub(r"<[^>]+>", "", match["inner"])) else \
                f" (<code>{html.escape(named)}</code> in the course folder)"
            return f'<span class="site-offsite" title="not part of this site">{match["inner"]}{where}</span>'
        relative = posixpath.relpath(target, posixpath.dirname(page))
        new_href = urllib.parse.quote(relative) + (f"#{parts.fragment}" if parts.fragment else "")
        attrs = HREF.sub(lambda _: f'href="{html.escape(new_href)}"', match["attrs"], count=1)
        return f"<a{attrs}>{match['inner']}</a>"

    return ANCHOR.sub(one, document), demoted


def nav_html(notebook: Notebook, site_files: set[str]) -> str:
    """The bar at the top of a notebook page: back to the course map, the chapter's other pages."""
    chapter = notebook.chapter
    links = [("index.html", "← TFX step by step: course map")]
    if notebook.source.startswith("solutions/"):
        links.append((f"{PAGES}/{chapter.name}.html", f"chapter {chapter.number} notebook"))
    else:
        links.append((f"{PAGES}/solutions/{chapter.name}_solutions.html", "solutions"))
    links.append((deck_page(chapter), "slides"))
    here = posixpath.dirname(notebook.page)
    anchors = [f'<a href="{urllib.parse.quote(posixpath.relpath(target, here))}">{html.escape(label)}</a>'
               for target, label in links if target in site_files]
    return f'<nav class="site-nav">{"".join(anchors)}</nav>'


# --------------------------------------------------------------------------- pages

def exporter():
    import jinja2
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", template_file="site-offline.html.j2",
                        extra_loaders=[jinja2.DictLoader({"site-offline.html.j2": OFFLINE_TEMPLATE})])


def remote_loads(document: str) -> list[str]:
    """What a page would load from outside itself: slides.not_embedded() for elements and CSS, plus URLs
    inside inline scripts (a script can add a <script src> at run time, as Beam's did)."""
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script\s*>", document, re.I | re.S)
    return slides.not_embedded(document) + [f"a script naming {url}" for body in scripts
                                            for url in REMOTE.findall(body)]


def render_page(notebook: Notebook, out: Path, site_files: set[str], html_exporter, report: Report) -> None:
    """Write one notebook's page (offline, links rewritten, the injected cell labelled) and check it."""
    import nbformat

    nb = nbformat.read(notebook.executed, as_version=4)
    report.stripped += strip_remote_scripts(nb)
    label_injected_parameters(nb)
    nb.metadata["title"] = f"TFX step by step: {notebook.executed.stem}"
    document, _ = html_exporter.from_notebook_node(nb)
    document, demoted = rewrite_links(document, notebook.page, notebook.source, site_files)
    document = document.replace(NAV_MARKER, nav_html(notebook, site_files), 1)
    target = out / notebook.page
    target.parent.mkdir(parents=True, exist_ok=True)
    slides.write_atomically(target, document)
    report.pages.append(target)
    report.notes += [f"{notebook.page}: link to {href} not in the site: shown as text" for href in demoted]
    report.leaks += [f"{notebook.page}: would load {leak}" for leak in remote_loads(document)]


def remove_orphans(out: Path, pages: set[str]) -> None:
    """Delete pages of notebooks that are no longer among the executed ones."""
    for page in (out / PAGES).rglob("*.html"):
        if page.relative_to(out).as_posix() not in pages:
            page.unlink()


# --------------------------------------------------------------------------- the index

def index_cell(target: str | None, label: str, site_files: set[str], missing: str) -> str:
    if target in site_files:
        return f'<td><a href="{urllib.parse.quote(target)}">{html.escape(label)}</a></td>'
    return f'<td class="todo">{missing}</td>'


def index_html(site_files: set[str], chapters=course.CHAPTERS) -> str:
    rows = []
    for chapter in chapters:
        cells = [f'<td class="num">{chapter.number}</td>', f"<td>{html.escape(chapter.topic)}</td>"]
        if not chapter.written:
            cells.append('<td class="todo" colspan="3">not yet written</td>')
        else:
            not_run = 'not run yet <span class="hint">(<code>make course</code>)</span>'
            cells.append(index_cell(f"{PAGES}/{chapter.name}.html", f"{chapter.name}", site_files, not_run))
            solutions = f"{PAGES}/solutions/{chapter.name}_solutions.html"
            cells.append(index_cell(solutions, "solutions", site_files,
                                    not_run if chapter.solutions.is_file() else "no exercises"))
            cells.append(index_cell(deck_page(chapter), "slides", site_files,
                                    'not built yet <span class="hint">(<code>make slides</code>)</span>'
                                    if chapter.deck.is_file() else "not yet written"))
        rows.append(f'<tr id="chapter-{chapter.number}">{"".join(cells)}</tr>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TFX step by step: the course</title>
<style>{slides.INDEX_CSS}</style>
</head>
<body>
<h1>TFX step by step</h1>
<p>The course's chapters in order: each one's notebook as executed by <code>make course</code>, with its
outputs; the solutions of its exercises; and its slide deck (press <b>S</b> in a deck for the speaker notes,
<b>Esc</b> for the overview). Every page here works offline. To run the notebooks yourself, open them in
JupyterLab: <code>make lab</code>.</p>
<table>
<thead><tr><th>#</th><th>topic</th><th>executed notebook</th><th>solutions</th><th>deck</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


# --------------------------------------------------------------------------- building

def build(notebooks_dir: Path = NOTEBOOKS_IN, out: Path = paths.BUILD_DIR,
          slides_dir: Path = slides.OUT_DIR, chapters=course.CHAPTERS) -> Report:
    """The whole site under out: decks copied in, a page per executed notebook, then the index."""
    start = time.perf_counter()
    report = Report()
    out.mkdir(parents=True, exist_ok=True)
    copy_decks(slides_dir, out)
    notebooks = course_notebooks(notebooks_dir, chapters)
    decks = {deck_page(c) for c in chapters if (out / deck_page(c)).is_file()}
    site_files = {"index.html", *decks, *(nb.page for nb in notebooks)}
    html_exporter = exporter() if notebooks else None
    for notebook in notebooks:
        render_page(notebook, out, site_files, html_exporter, report)
    remove_orphans(out, {nb.page for nb in notebooks})
    report.index = out / "index.html"
    slides.write_atomically(report.index, index_html(site_files, chapters))
    report.seconds = time.perf_counter() - start
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS_IN,
                        help="the executed notebooks (default: build/course/notebooks)")
    parser.add_argument("--slides", type=Path, default=slides.OUT_DIR,
                        help="the built decks (default: build/slides)")
    parser.add_argument("--out", type=Path, default=paths.BUILD_DIR, help="the site's root (default: build)")
    args = parser.parse_args(argv)
    report = build(args.notebooks.resolve(), args.out.resolve(), args.slides.resolve())
    if not report.pages:
        print(f"[site] no executed notebook in {slides.display(args.notebooks)}: run `make course` first")
    for line in [*report.notes, *(f"ERROR {leak}" for leak in report.leaks)]:
        print(f"[site] {line}", file=sys.stderr)
    print(f"[site] {len(report.pages)} notebook page(s) ({report.stripped} remote script(s) dropped from "
          f"outputs), index: {slides.display(report.index)}, in {report.seconds:.1f} s")
    return 1 if report.leaks else 0


if __name__ == "__main__":
    sys.exit(main())
