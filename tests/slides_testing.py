"""Shared by tests/test_slides.py and tests/test_slides_browser.py: a deck with every construct the course's
decks use (the seed deck's constructs), tiny PNG images made on the fly, and the builds both files check."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from tools import slides
from tools.slides_prerequisites import CHROMIUM, CHROMIUM_ARGS
from utils import paths

# Built by the tests, beside (not inside) build/slides/ so that the course's own output stays clean.
TEST_BUILD = paths.BUILD_DIR / "slides-test"

# Every construct of the seed deck (/work/shared/seed/01-tfx-pipelines.md): front matter with HTML in the
# subtitle, an HTML comment before the first heading, # and ## slides, a list with an entity, a blockquote,
# ::: notes with raw HTML, an image by a relative path, links (inline and autolinks), a mermaid block,
# and empty slides.
CONSTRUCTS_DECK = """\
---
title: "99. Every construct"
subtitle: "Machine Learning Operations<br/>TFX step by step"
author: Course tests
date: 2026
---

<!--

A comment the author left for themselves: it must not become a slide.

-->

# Part one

## A list and a quote

- Development &ne; production
  - Dev: scikit-learn, Jupyter...
- See [TensorFlow Extended](https://www.tensorflow.org/tfx) and <https://www.tensorflow.org/tfx/guide>

> Think about your tools even before you start coding!
> A good toolset can save you a lot of time and effort.

::: notes

<b><u>Example for data access</u></b>

A speaker note with a list:

- first point
- see <https://www.tensorflow.org/tfx/guide>

:::

## An image

![](./assets/construct/orange.png)

## A diagram

```mermaid
graph LR
    A[Data source] --> B[ExampleGen]
    B --> C[Examples]
```

::: notes

Say: the diagram was drawn at build time.

:::

# Part two

## An empty slide

## Code that looks like headings

```python
# not a slide
## not a slide either
print("::: notes")
```
"""
CONSTRUCTS_IMAGE = "assets/construct/orange.png"
CONSTRUCTS_NOTES = 2
CONSTRUCTS_SLIDES = 1 + 2 + 5  # title slide, two sections, five slides


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (no imaging library needed)."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


def write_constructs_deck(folder: Path, name: str = "99_constructs.md") -> Path:
    image = folder / CONSTRUCTS_IMAGE
    image.parent.mkdir(parents=True, exist_ok=True)
    image.write_bytes(png(320, 120, (230, 81, 0)))
    deck = folder / name
    deck.write_text(CONSTRUCTS_DECK)
    return deck


def build_constructs_deck() -> tuple[Path, Path]:
    """The constructs deck, built (or found up to date) in build/slides-test/out/: (deck, html)."""
    deck = write_constructs_deck(TEST_BUILD / "src")
    slides.build_or_raise([deck], TEST_BUILD / "out")
    return deck, slides.output_path(TEST_BUILD / "out", deck)


def launch_chromium(playwright):
    """Debian's Chromium, headless, with the builder's flags (no sandbox as root, no background network);
    never `playwright install`. Shared by the browser tests of the decks and of the course site."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def build_course_decks() -> list[tuple[Path, Path]]:
    """Every course deck built (or found up to date) into build/slides/: [(deck, html), ...]."""
    slides.build_or_raise()
    return [(deck, slides.output_path(slides.OUT_DIR, deck)) for deck in slides.course_decks()]
