"""Reading a deck's Markdown: its fenced blocks (with line numbers) and mermaid diagrams among them, its front
matter, how many slides and speaker notes reveal.js will show, and, from pandoc's JSON AST of it, the images
it refers to (which must be local files) and the comment-only HTML blocks to drop."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from tools.slides_base import SlideBuildError, display, first_group

# --------------------------------------------------------------------------- the Markdown text

@dataclass(frozen=True)
class Fence:
    """A fenced code block: `line` is the 1-based line of its opening fence, `body` its content."""
    line: int
    end_line: int  # the closing fence's line (the last line of the deck when unterminated)
    info: str
    body: str


FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


def fences(text: str) -> list[Fence]:
    """The fenced code blocks of a Markdown text, with line numbers (fences inside fences are content)."""
    found = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
            i += 1
            continue
        marker = match.group(2)
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$")
        j = i + 1
        while j < len(lines) and not closing.match(lines[j]):
            j += 1
        found.append(Fence(line=i + 1, end_line=min(j, len(lines) - 1) + 1, info=match.group(3).strip(),
                           body="\n".join(lines[i + 1:j])))
        i = j + 1
    return found


def is_mermaid(info: str) -> bool:
    """```mermaid, ``` mermaid {#id}, ```{.mermaid}, ```{.wide .mermaid} all are mermaid blocks."""
    words = re.sub(r"[{}]", " ", info).split()
    return bool(words) and (words[0] == "mermaid" or ".mermaid" in words)


def mermaid_blocks(text: str) -> list[Fence]:
    return [f for f in fences(text) if is_mermaid(f.info)]


def lines_outside_fences(text: str) -> list[str]:
    lines = text.splitlines()
    inside = set()
    for f in fences(text):
        inside.update(range(f.line - 1, f.end_line))
    return [line for i, line in enumerate(lines) if i not in inside]


FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|$)", re.S)


def split_front_matter(text: str) -> tuple[str, str]:
    """(the YAML front matter's content, the rest of the deck); ("", text) without front matter."""
    match = FRONT_MATTER.match(text)
    return (match.group(1), text[match.end():]) if match else ("", text)


HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
HEADING = re.compile(r"^#{1,2}\s", re.M)


def count_slides(text: str) -> int:
    """The slides reveal.js will show: the title slide (when the front matter has a title), one per `#` and
    `##` heading (pandoc's slide level 2: a `#` heading is a section title slide), and one more when content
    comes before the first heading. HTML comments show nothing (the builder drops them)."""
    meta, body = split_front_matter(text)
    title = 1 if re.search(r"^title:\s*\S", meta, re.M) else 0
    body = HTML_COMMENT.sub("", "\n".join(lines_outside_fences(body)))
    first = HEADING.search(body)
    before = body[:first.start()] if first else body
    return title + len(HEADING.findall(body)) + (1 if before.strip() else 0)


NOTES_OPEN = re.compile(r"^:{3,}\s*(?:notes|\{\s*\.notes\s*\})\s*$")


def count_notes(text: str) -> int:
    """How many `::: notes` blocks (speaker notes) the deck has."""
    return sum(1 for line in lines_outside_fences(text) if NOTES_OPEN.match(line))


# --------------------------------------------------------------------------- pandoc's AST: images, comments

IMG_SRC = re.compile(r"<img\b[^>]*?\ssrc\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.I)
BACKGROUND_ATTRS = ("background-image", "data-background-image", "background-video",
                    "data-background-video")


def ast_images(node) -> list[str]:
    """Every image a pandoc JSON AST refers to: Markdown images, <img src> in raw HTML, slide backgrounds."""
    found: list[str] = []

    def walk(item):
        if isinstance(item, dict):
            kind, content = item.get("t"), item.get("c")
            if kind == "Image":
                found.append(content[2][0])
            elif kind in ("RawInline", "RawBlock") and content[0] == "html":
                found.extend(first_group(m) for m in IMG_SRC.finditer(content[1]))
            elif kind == "Header":
                found.extend(v for k, v in content[1][2] if k in BACKGROUND_ATTRS)
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(node)
    return found


def resolve_images(deck: Path, sources: list[str]) -> list[Path]:
    """The local files of a deck's images; SlideBuildError naming the deck and every missing or remote one."""
    files, problems = [], []
    for source in dict.fromkeys(sources):
        if source.startswith("data:"):
            continue
        parsed = urllib.parse.urlsplit(source)
        if parsed.scheme not in ("", "file") or source.startswith("//"):
            problems.append(f"remote image {source} (decks must work offline: put the file beside the deck)")
            continue
        path = Path(urllib.parse.unquote(parsed.path))
        path = path if path.is_absolute() else deck.parent / path
        if path.is_file():
            files.append(path.resolve())
        else:
            problems.append(f"missing image {source} (looked for {display(path)})")
    if problems:
        raise SlideBuildError(f"{display(deck)}: " + "; ".join(problems))
    return files


def drop_comments(node):
    """The pandoc AST without raw HTML blocks that are only comments: before the first heading such a block
    would make an empty slide, elsewhere it shows nothing anyway."""
    if isinstance(node, list):
        return [drop_comments(item) for item in node if not is_comment_block(item)]
    if isinstance(node, dict):
        return {key: drop_comments(value) for key, value in node.items()}
    return node


def is_comment_block(item) -> bool:
    return (isinstance(item, dict) and item.get("t") == "RawBlock" and item["c"][0] == "html"
            and HTML_COMMENT.sub("", item["c"][1]).strip() == "")
