"""The course index of the built decks, build/slides/index.html: one row per chapter in course order, with
its deck, its notebook and the notebook as executed by `make course`, each linked where it exists. The
course site (tools/site.py) gives its own index the same look (INDEX_CSS)."""

from __future__ import annotations

import html
import os
import urllib.parse
from pathlib import Path

from tools.slides_base import OUT_DIR, output_path, write_atomically
from utils import course, paths

INDEX_CSS = """
body { font-family: "Source Sans Pro", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 68em;
       color: #222; padding: 0 1em; }
h1 { color: #1b2a41; border-bottom: 4px solid #e65100; padding-bottom: .2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45em .7em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #fff3e0; }
td.num { font-weight: 600; color: #e65100; }
.todo { color: #888; font-style: italic; }
.hint { color: #8a2d00; font-size: .9em; }
code { background: #f5f7fa; padding: 0 .2em; }
"""


def relative_link(target: Path, start: Path) -> str:
    return urllib.parse.quote(Path(os.path.relpath(target, start)).as_posix())


def index_rows(out_dir: Path, chapters=course.CHAPTERS) -> list[dict]:
    """One row per chapter, in course order: what exists of it and where (links relative to out_dir)."""
    rows = []
    for chapter in chapters:
        executed = paths.BUILD_DIR / "course" / "html" / f"{chapter.name}.html"
        rows.append({
            "chapter": chapter,
            "written": chapter.written or chapter.deck.is_file(),
            "deck": f"{chapter.name}.html" if chapter.deck.is_file() else None,
            "deck_built": output_path(out_dir, chapter.deck).is_file(),
            "notebook": relative_link(chapter.notebook, out_dir) if chapter.notebook.is_file() else None,
            "executed": relative_link(executed, out_dir) if chapter.notebook.is_file() else None,
            "executed_exists": executed.is_file(),
        })
    return rows


def index_html(rows: list[dict]) -> str:
    def cell(link: str | None, label: str, missing: str = "not yet written", hint: str = "") -> str:
        if link is None:
            return f'<td class="todo">{missing}</td>'
        hint_html = f' <span class="hint">{hint}</span>' if hint else ""
        return f'<td><a href="{html.escape(link)}">{html.escape(label)}</a>{hint_html}</td>'

    body = []
    for row in rows:
        chapter = row["chapter"]
        cells = [f'<td class="num">{chapter.number}</td>', f"<td>{html.escape(chapter.topic)}</td>"]
        if not row["written"]:
            cells.append('<td class="todo" colspan="3">not yet written</td>')
        else:
            cells.append(cell(row["deck"], "slides",
                              hint="" if row["deck_built"] else "(run <code>make slides</code>)"))
            cells.append(cell(row["notebook"], f"{chapter.name}.ipynb"))
            cells.append(cell(row["executed"], "executed notebook",
                              hint="" if row["executed_exists"] else "(run <code>make course</code> first)"))
        body.append(f'<tr id="chapter-{chapter.number}">{"".join(cells)}</tr>')
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TFX step by step: slides and notebooks</title>
<style>{INDEX_CSS}</style>
</head>
<body>
<h1>TFX step by step</h1>
<p>The course's chapters in order: each one's slide deck (press <b>S</b> in a deck for the speaker notes,
<b>Esc</b> for the overview), its notebook (open it in JupyterLab: <code>make lab</code>) and the notebook as
executed by <code>make course</code>.</p>
<table>
<thead><tr><th>#</th><th>topic</th><th>deck</th><th>notebook</th><th>executed notebook</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody>
</table>
</body>
</html>
"""


def write_index(out_dir: Path = OUT_DIR) -> Path:
    target = out_dir / "index.html"
    content = index_html(index_rows(out_dir))
    if not target.is_file() or target.read_text() != content:
        write_atomically(target, content)
    return target
