"""The mermaid diagrams of the decks, drawn to SVG at build time: every diagram not in the cache yet is
rendered in one headless Chromium by tools/slides_mermaid.mjs (@mermaid-js/mermaid-cli from node_modules);
each SVG is cached under build/slides/.cache/mermaid/ by a key of its source, and goes into the deck in
place of its ```mermaid block. A broken block's error names the deck, the line, and mermaid's message."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tools.slides_base import REPO, SlideBuildError, display, write_atomically
from tools.slides_markdown import Fence
from tools.slides_prerequisites import CHROMIUM, CHROMIUM_ARGS, PACKAGE_LOCK

MERMAID_HELPER = Path(__file__).resolve().parent / "slides_mermaid.mjs"


def puppeteer_config() -> dict:
    """The puppeteer launch options, as the file `mmdc -p` takes: Debian's Chromium, offline flags."""
    return {"executablePath": str(CHROMIUM), "headless": "shell", "args": CHROMIUM_ARGS}


def mermaid_key(definition: str) -> str:
    """The cache key of one diagram: its source, the locked node packages, the browser flags, the helper."""
    h = hashlib.sha256()
    for part in (definition.strip(), json.dumps(puppeteer_config(), sort_keys=True)):
        h.update(part.encode() + b"\0")
    for path in (PACKAGE_LOCK, MERMAID_HELPER):
        h.update(path.read_bytes() if path.is_file() else b"<missing>")
    return h.hexdigest()


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
