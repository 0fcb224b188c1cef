"""Build the slide decks (slides/NN_*.md) into self-contained reveal.js HTML, offline, plus a course index.

    python tools/slides.py                       # every deck into build/slides/, and build/slides/index.html
    python tools/slides.py slides/01_example_gen.md --out /tmp/decks --force
    python tools/slides.py --check-prerequisites # what is missing to build slides? (tools/setup.sh asks)

How a deck is built (all local: nothing is downloaded at build time or when a deck is viewed):
  1. every ```mermaid block is rendered to SVG by @mermaid-js/mermaid-cli (node_modules) driving Debian's
     Chromium, all diagrams of a build in one browser (tools/slides_mermaid.mjs); each SVG is cached under
     build/slides/.cache/mermaid/ by the hash of its source, and goes into the deck as an inline <svg>;
  2. pandoc 3 (from the PyPI wheel pypandoc-binary) parses the deck; every image must be a local file
     (relative paths resolve from the deck's folder);
  3. pandoc writes reveal.js HTML with --embed-resources (reveal.js from node_modules, the course theme
     slides/theme/course.css, images, fonts all inlined), --mathml (no MathJax CDN); `::: notes` become
     speaker notes (press S in the deck);
  4. the output is checked: any resource that is not embedded (a data: URI) fails the build.
A deck is rebuilt only when its content, its images, the theme, package-lock.json, requirements.lock or
this builder's code changed. A broken mermaid block fails the build with the deck, the block's line and
mermaid's own message; a missing image with the deck and the image's path.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import course, paths  # noqa: E402

REPO = paths.REPO_ROOT
OUT_DIR = paths.BUILD_DIR / "slides"
THEME_CSS = paths.SLIDES_DIR / "theme" / "course.css"
NODE_MODULES = REPO / "node_modules"
REVEALJS_DIR = NODE_MODULES / "reveal.js"
PACKAGE_LOCK = REPO / "package-lock.json"
MERMAID_HELPER = Path(__file__).resolve().parent / "slides_mermaid.mjs"
DECK_GLOB = "[0-9][0-9]_*.md"
# What decides a deck's output besides the deck itself (and its images): the cache key covers them all.
SHARED_INPUTS = (THEME_CSS, PACKAGE_LOCK, paths.LOCK_FILE, Path(__file__).resolve(), MERMAID_HELPER)
# The node packages the build uses, checked against package-lock.json.
NODE_PACKAGES = ("reveal.js", "@mermaid-js/mermaid-cli", "puppeteer")

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# Chromium as root needs --no-sandbox; the rest keep it from trying to reach the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MIN_NODE = (18, 19)

PANDOC_OPTIONS = [
    "--to=revealjs", "--standalone", "--embed-resources", "--mathml",
    "--variable=width=1280", "--variable=height=720",
    "--variable=slideNumber=true", "--variable=hash=true",
]


class SlideBuildError(Exception):
    """A deck cannot be built; the message says which deck, where, and why."""


class PrerequisitesMissing(SlideBuildError):
    pass


# --------------------------------------------------------------------------- reading a deck

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


# --------------------------------------------------------------------------- images

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


def first_group(match: re.Match) -> str:
    return next(g for g in match.groups() if g is not None)


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


# --------------------------------------------------------------------------- cache keys

def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shared_digest(inputs: tuple[Path, ...] = SHARED_INPUTS) -> str:
    """One hash of everything every deck's output depends on (a missing file counts as empty)."""
    h = hashlib.sha256()
    for path in inputs:
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def deck_key(text: str, shared: str) -> str:
    """The cache key of a deck: its content and the shared inputs (the theme, the locks, the builder)."""
    return hashlib.sha256(f"{shared}\0{text}".encode()).hexdigest()


def images_digest(images: list[Path]) -> str:
    h = hashlib.sha256()
    for path in images:
        h.update(str(path).encode() + b"\0")
        h.update(file_digest(path).encode() if path.is_file() else b"<missing>")
    return h.hexdigest()


def mermaid_key(definition: str) -> str:
    """The cache key of one diagram: its source, the locked node packages, the browser flags, the helper."""
    h = hashlib.sha256()
    for part in (definition.strip(), json.dumps(puppeteer_config(), sort_keys=True)):
        h.update(part.encode() + b"\0")
    for path in (PACKAGE_LOCK, MERMAID_HELPER):
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


@dataclass
class Stamp:
    """What the last successful build of a deck was made from (build/slides/.cache/decks/NAME.json)."""
    key: str
    images: list[str] = field(default_factory=list)
    images_digest: str = ""
    output_digest: str = ""

    @classmethod
    def load(cls, path: Path) -> Stamp | None:
        try:
            return cls(**json.loads(path.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(self.__dict__, indent=1) + "\n")


def stamp_path(out_dir: Path, deck: Path) -> Path:
    return out_dir / ".cache" / "decks" / f"{deck.stem}.json"


def output_path(out_dir: Path, deck: Path) -> Path:
    return out_dir / f"{deck.stem}.html"


def up_to_date(deck: Path, text: str, out_dir: Path, shared: str) -> bool:
    """True when the deck's last build came from exactly these inputs and its output is intact."""
    stamp = Stamp.load(stamp_path(out_dir, deck))
    output = output_path(out_dir, deck)
    return (stamp is not None and stamp.key == deck_key(text, shared) and output.is_file()
            and stamp.images_digest == images_digest([Path(p) for p in stamp.images])
            and stamp.output_digest == file_digest(output))


# --------------------------------------------------------------------------- prerequisites

def pandoc_path() -> Path:
    """pandoc from the pypandoc-binary wheel in this environment (found without importing pypandoc)."""
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    if spec is None or not spec.submodule_search_locations:
        return Path("pandoc-from-pypandoc-binary-not-installed")
    return Path(list(spec.submodule_search_locations)[0]) / "files" / "pandoc"


def node_version(node: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=20).stdout
    except OSError:
        return None
    match = re.match(r"v(\d+)\.(\d+)", out.strip())
    return tuple(int(g) for g in match.groups()) if match else None


def locked_node_versions(lock: Path = PACKAGE_LOCK) -> dict[str, str]:
    packages = json.loads(lock.read_text()).get("packages", {})
    return {name: packages.get(f"node_modules/{name}", {}).get("version", "?") for name in NODE_PACKAGES}


def installed_node_version(name: str) -> str | None:
    try:
        return json.loads((NODE_MODULES / name / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def missing_prerequisites() -> list[str]:
    """What this machine lacks to build the slides, each with the way to get it."""
    missing = []
    if not pandoc_path().is_file():
        missing.append("pandoc 3 (the PyPI wheel pypandoc-binary, in requirements.lock): run `make setup`")
    node = shutil.which("node")
    version = node_version(node) if node else None
    if version is None or version < MIN_NODE or not shutil.which("npm"):
        missing.append("Node.js >= 18.19 with npm (tested with Node 20): as root"
                       " `apt-get install -y nodejs npm`, or from https://nodejs.org")
    stale = [f"{name} {want} (installed: {installed_node_version(name) or 'none'})"
             for name, want in locked_node_versions().items() if installed_node_version(name) != want]
    if stale:
        missing.append("the npm packages of package-lock.json in node_modules/ (" + ", ".join(stale)
                       + "): run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts` in the course folder")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"Chromium at {CHROMIUM}: as root `apt-get update && apt-get install -y chromium`"
                       " (or point COURSE_CHROMIUM at a Chromium or Chrome binary)")
    return missing


def prerequisites_message(missing: list[str]) -> str:
    return ("[slides] cannot build the slides; missing:\n" + "".join(f"  - {m}\n" for m in missing)
            + "  `make setup` installs these where it can (npm on PATH; Chromium as root with apt-get).\n"
            "  Then run `make slides` again. The notebooks do not need any of this.")


def require_prerequisites() -> None:
    missing = missing_prerequisites()
    if missing:
        raise PrerequisitesMissing(prerequisites_message(missing))


# --------------------------------------------------------------------------- the theme

# reveal.js's white theme brings Source Sans Pro in three formats (EOT, WOFF, TTF: 1.8 MB). Every browser
# in use reads WOFF, so the course theme inlines only that: decks are a third of the size and build faster.
BASE_THEME = "white"
FONT_FACES = (("regular", "normal", "normal"), ("italic", "normal", "italic"),
              ("semibold", "600", "normal"), ("semibolditalic", "600", "italic"))


def theme_css() -> str:
    """The course theme as one stylesheet: reveal.js's white theme with its fonts inlined (WOFF only),
    then slides/theme/course.css."""
    theme_dir = REVEALJS_DIR / "dist" / "theme"
    fonts = theme_dir / "fonts" / "source-sans-pro"
    faces = []
    for name, weight, style in FONT_FACES:
        woff = base64.b64encode((fonts / f"source-sans-pro-{name}.woff").read_bytes()).decode()
        faces.append(f"@font-face {{ font-family: 'Source Sans Pro'; font-weight: {weight}; "
                     f"font-style: {style}; src: url(data:font/woff;base64,{woff}) format('woff'); }}")
    base, imports = re.subn(r"@import url\(\./fonts/source-sans-pro/source-sans-pro\.css\);",
                            "", (theme_dir / f"{BASE_THEME}.css").read_text())
    if imports != 1 or "@import" in base:
        raise SlideBuildError(f"reveal.js's {BASE_THEME} theme no longer imports its fonts as tools/slides.py"
                              " expects: update theme_css()")
    return "\n".join([*faces, base, THEME_CSS.read_text()])


def write_theme(out_dir: Path) -> Path:
    """The bundled theme in the build cache, named by its content."""
    css = theme_css()
    path = out_dir / ".cache" / "theme" / f"course-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, css)
    return path


def write_atomically(path: Path, text: str) -> None:
    """Write beside the target, then rename: a reader (another build) never sees half a file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; the outputs are for everyone to read
    os.replace(tmp, path)


def theme_variable(css: Path) -> str:
    """pandoc's template loads `<revealjs-url>/dist/theme/<theme>.css`: the theme, relative to there."""
    return os.path.relpath(css.with_suffix(""), REVEALJS_DIR / "dist" / "theme")


# --------------------------------------------------------------------------- mermaid

def puppeteer_config() -> dict:
    """The puppeteer launch options, as the file `mmdc -p` takes: Debian's Chromium, offline flags."""
    return {"executablePath": str(CHROMIUM), "headless": "shell", "args": CHROMIUM_ARGS}


@dataclass(frozen=True)
class DiagramJob:
    deck: Path
    block: Fence
    key: str

    @property
    def svg_id(self) -> str:
        return f"mermaid-{self.key[:16]}"


def svg_cache(out_dir: Path) -> Path:
    return out_dir / ".cache" / "mermaid"


def render_diagrams(jobs: list[DiagramJob], out_dir: Path) -> list[tuple[Path, str]]:
    """Render every job whose SVG is not cached yet, in one browser. Returns the errors, one per broken
    block: (deck, message naming the deck, the block's line and mermaid's own message)."""
    cache = svg_cache(out_dir)
    cache.mkdir(parents=True, exist_ok=True)
    todo = {}
    for job in jobs:
        if not (cache / f"{job.key}.svg").is_file():
            todo.setdefault(job.key, job)
    if not todo:
        return []
    config = out_dir / ".cache" / "puppeteer-config.json"
    write_atomically(config, json.dumps(puppeteer_config(), indent=1) + "\n")  # `mmdc -p` takes it too
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        requests = [{"definition": job.block.body, "svgId": job.svg_id, "output": f"{tmp}/{key}.svg"}
                    for key, job in todo.items()]
        pages = str(min(os.cpu_count() or 1, 4))
        run = subprocess.run(["node", str(MERMAID_HELPER), str(config), pages], input=json.dumps(requests),
                             capture_output=True, text=True, cwd=REPO, timeout=600)
        if run.returncode != 0:
            raise SlideBuildError(f"rendering mermaid diagrams failed:\n{run.stderr.strip()}")
        results = {Path(r["output"]).stem: r for r in json.loads(run.stdout)}
        for key in todo:
            if results.get(key, {}).get("ok"):
                os.replace(f"{tmp}/{key}.svg", cache / f"{key}.svg")
    errors = []
    for job in jobs:
        result = results.get(job.key)
        if result is not None and not result["ok"]:
            errors.append((job.deck, mermaid_error(job.deck, job.block, result["error"])))
    return errors


def mermaid_error(deck: Path, block: Fence, message: str) -> str:
    where = f"{display(deck)}:{block.line}"
    # mermaid counts lines from the block's first line: translate to the deck's line when it says one
    match = re.search(r"on line (\d+)", message)
    hint = f" (mermaid's line {match.group(1)} is line {block.line + int(match.group(1))} of the deck)" \
        if match else ""
    return f"{where}: mermaid block starting at line {block.line} is broken{hint}:\n" \
           + "\n".join(f"    {line}" for line in message.splitlines())


def with_diagrams(text: str, blocks: list[Fence], svgs: dict[int, str]) -> str:
    """The deck with each mermaid block replaced by its SVG in a raw HTML block (pandoc passes it as is)."""
    lines = text.splitlines()
    for block in sorted(blocks, key=lambda b: b.line, reverse=True):
        svg = svgs[block.line]
        fence = "`" * max(3, 1 + max((len(m) for m in re.findall(r"`+", svg)), default=0))
        raw = [f"{fence}{{=html}}", f'<figure class="mermaid-diagram" data-source-line="{block.line}">',
               svg, "</figure>", fence]
        lines[block.line - 1:block.end_line] = raw
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- output check

URL_IN_CSS = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)]*?))\s*\)""", re.I)
IMPORT_IN_CSS = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
RESOURCE_ATTRS = {"src", "href", "srcset", "poster", "data", "xlink:href", "data-src", "data-background",
                  "data-background-image", "data-background-video", "data-background-iframe"}


def embedded(url: str) -> bool:
    """A reference that loads nothing from elsewhere: a data: URI or a fragment (#id) of this document."""
    url = url.strip()
    return url == "" or url.startswith(("data:", "#"))


def css_not_embedded(css: str) -> list[str]:
    found = []
    for regex in (URL_IN_CSS, IMPORT_IN_CSS):
        for match in regex.finditer(css):
            url = first_group(match)
            if not embedded(url):
                found.append(url)
            elif url.strip().startswith("data:text/css"):
                found.extend(css_not_embedded(decode_data_uri(url)))
    return found


def decode_data_uri(url: str) -> str:
    header, _, payload = url.strip().partition(",")
    data = base64.b64decode(payload) if header.endswith(";base64") else urllib.parse.unquote(payload).encode()
    return data.decode("utf-8", "replace")


class _ResourceFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found.extend(css_not_embedded(value))
            elif name in RESOURCE_ATTRS and not (tag == "a" and name == "href"):
                # srcset: "url 1x, url 2x" (a data: URI has a comma too, but none followed by a space)
                urls = [u.split()[0] for u in re.split(r",\s+", value.strip()) if u.strip()] \
                    if name == "srcset" else [value]
                for url in urls:
                    if not embedded(url):
                        self.found.append(f"<{tag} {name}={url}>")
                    elif url.startswith(("data:text/css", "data:image/svg+xml")):
                        inner = decode_data_uri(url)
                        self.found.extend(css_not_embedded(inner) if url.startswith("data:text/css")
                                          else not_embedded(inner))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found.extend(css_not_embedded(data))


def not_embedded(document: str) -> list[str]:
    """Every resource an HTML (or SVG) document would load from outside itself: script and image sources,
    stylesheets, CSS url() and @import, fonts, media. Plain <a href> links are not resources."""
    finder = _ResourceFinder()
    finder.feed(document)
    finder.close()
    return finder.found


# --------------------------------------------------------------------------- building

def display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def run_pandoc(args: list[str], stdin: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(pandoc_path()), *args], input=stdin, capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def render_deck(deck: Path, text: str, svgs: dict[int, str], out_dir: Path,
                theme: Path | None = None) -> tuple[Path, list[Path]]:
    """pandoc: Markdown (diagrams already SVG) -> checked images -> one self-contained reveal.js HTML."""
    source = with_diagrams(text, mermaid_blocks(text), svgs)
    folder = deck.parent.resolve()
    parsed = run_pandoc(["--from=markdown", "--to=json"], source, folder)
    if parsed.returncode:
        raise SlideBuildError(f"{display(deck)}: pandoc could not read the deck:\n{parsed.stderr.strip()}")
    ast = drop_comments(json.loads(parsed.stdout))
    images = resolve_images(deck, ast_images(ast))

    output = output_path(out_dir, deck)
    fd, name = tempfile.mkstemp(dir=out_dir, prefix=f".{output.name}.", suffix=".partial")
    os.close(fd)
    os.chmod(name, 0o644)
    partial = Path(name)
    theme = theme or write_theme(out_dir)
    result = run_pandoc(["--from=json", *PANDOC_OPTIONS, f"--resource-path={folder}",
                         f"--variable=revealjs-url={REVEALJS_DIR}",
                         f"--variable=theme={theme_variable(theme)}", f"--output={partial}"],
                        json.dumps(ast), folder)
    if result.returncode:
        partial.unlink(missing_ok=True)
        raise SlideBuildError(f"{display(deck)}: pandoc failed:\n{result.stderr.strip()}")
    unfetched = re.findall(r"Could not fetch resource (\S+)", result.stderr)
    if unfetched:
        partial.unlink(missing_ok=True)
        raise SlideBuildError(f"{display(deck)}: missing resource(s): {', '.join(unfetched)}")
    for warning in result.stderr.strip().splitlines():
        print(f"[slides] {display(deck)}: pandoc: {warning}", file=sys.stderr)
    leaks = not_embedded(partial.read_text())
    if leaks:
        partial.unlink()
        raise SlideBuildError(f"{display(deck)}: the HTML would load resources from outside itself: "
                              + ", ".join(leaks[:10]))
    os.replace(partial, output)
    return output, images


@dataclass
class Report:
    built: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0


def course_decks(slides_dir: Path = paths.SLIDES_DIR) -> list[Path]:
    return sorted(slides_dir.glob(DECK_GLOB))


def build(decks: list[Path] | None = None, out_dir: Path = OUT_DIR, force: bool = False,
          index: bool | None = None, jobs: int | None = None) -> Report:
    """Build decks (default: every course deck) into out_dir; unchanged ones are skipped. Every deck is
    attempted; the errors are collected in the report (see build_or_raise)."""
    start = time.perf_counter()
    index = decks is None if index is None else index
    decks = course_decks() if decks is None else [Path(d) for d in decks]
    out_dir.mkdir(parents=True, exist_ok=True)
    report = Report()
    shared = shared_digest()
    texts = {deck: deck.read_text(encoding="utf-8") for deck in decks}
    stale = [deck for deck in decks if force or not up_to_date(deck, texts[deck], out_dir, shared)]
    report.unchanged = [deck for deck in decks if deck not in stale]
    if stale:
        require_prerequisites()
        diagram_jobs = [DiagramJob(deck, block, mermaid_key(block.body))
                        for deck in stale for block in mermaid_blocks(texts[deck])]
        diagram_errors = render_diagrams(diagram_jobs, out_dir)
        report.errors.extend(message for _, message in diagram_errors)
        theme = write_theme(out_dir)
        broken = {deck for deck, _ in diagram_errors}
        for deck in broken:
            stamp_path(out_dir, deck).unlink(missing_ok=True)
        buildable = [deck for deck in stale if deck not in broken]

        def one(deck: Path) -> Path:
            svgs = {job.block.line: (svg_cache(out_dir) / f"{job.key}.svg").read_text()
                    for job in diagram_jobs if job.deck == deck}
            output, images = render_deck(deck, texts[deck], svgs, out_dir, theme)
            Stamp(key=deck_key(texts[deck], shared), images=[str(p) for p in images],
                  images_digest=images_digest(images), output_digest=file_digest(output),
                  ).save(stamp_path(out_dir, deck))
            return output

        workers = jobs or min(len(buildable), os.cpu_count() or 1) or 1
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(one, deck): deck for deck in buildable}
            for future in futures:
                try:
                    report.built.append(future.result())
                except SlideBuildError as exc:
                    stamp_path(out_dir, futures[future]).unlink(missing_ok=True)
                    report.errors.append(str(exc))
    if index:
        remove_orphans(out_dir, decks)
        report.index = write_index(out_dir)
    report.seconds = time.perf_counter() - start
    return report


def remove_orphans(out_dir: Path, decks: list[Path]) -> None:
    """Delete the outputs of decks that no longer exist (renamed or removed from slides/)."""
    names = {deck.stem for deck in decks}
    for output in out_dir.glob(DECK_GLOB.replace(".md", ".html")):
        if output.stem not in names:
            output.unlink()
            stamp_path(out_dir, output).unlink(missing_ok=True)


def build_or_raise(decks: list[Path] | None = None, out_dir: Path = OUT_DIR, **kwargs) -> Report:
    report = build(decks, out_dir, **kwargs)
    if report.errors:
        raise SlideBuildError("\n".join(report.errors))
    return report


# --------------------------------------------------------------------------- the index page

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


# --------------------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decks", nargs="*", type=Path, help="decks to build (default: slides/NN_*.md)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: build/slides)")
    parser.add_argument("--force", action="store_true", help="rebuild even the unchanged decks")
    parser.add_argument("--check-prerequisites", action="store_true",
                        help="only say whether this machine has what building slides needs")
    args = parser.parse_args(argv)

    if args.check_prerequisites:
        missing = missing_prerequisites()
        if missing:
            print(prerequisites_message(missing), file=sys.stderr)
            return 1
        print("[slides] pandoc, node, node_modules and Chromium are in place")
        return 0
    try:
        missing = missing_prerequisites()
        if missing:
            raise PrerequisitesMissing(prerequisites_message(missing))
        report = build(args.decks or None, args.out.resolve(), force=args.force)
    except SlideBuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    for deck in report.built:
        print(f"[slides] built {display(deck)}")
    if report.unchanged:
        print(f"[slides] {len(report.unchanged)} deck(s) unchanged")
    if report.index:
        print(f"[slides] index: {display(report.index)}")
    for error in report.errors:
        print(f"[slides] ERROR {error}", file=sys.stderr)
    print(f"[slides] {len(report.built)} built, {len(report.unchanged)} unchanged, "
          f"{len(report.errors)} failed in {report.seconds:.1f} s")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
