"""The course's reveal.js theme as one stylesheet: reveal.js's white theme with its Source Sans Pro fonts
inlined (WOFF only), then slides/theme/course.css; written to the build cache under a name made from its
content, and named to pandoc the way its reveal.js template wants."""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path

from tools.slides_base import SlideBuildError, write_atomically
from tools.slides_prerequisites import REVEALJS_DIR
from utils import paths

THEME_CSS = paths.SLIDES_DIR / "theme" / "course.css"

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
        raise SlideBuildError(f"reveal.js's {BASE_THEME} theme no longer imports its fonts as"
                              " tools/slides_theme.py expects: update theme_css()")
    return "\n".join([*faces, base, THEME_CSS.read_text()])


def write_theme(out_dir: Path) -> Path:
    """The bundled theme in the build cache, named by its content."""
    css = theme_css()
    path = out_dir / ".cache" / "theme" / f"course-{hashlib.sha256(css.encode()).hexdigest()[:16]}.css"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, css)
    return path


def theme_variable(css: Path) -> str:
    """pandoc's template loads `<revealjs-url>/dist/theme/<theme>.css`: the theme, relative to there."""
    return os.path.relpath(css.with_suffix(""), REVEALJS_DIR / "dist" / "theme")
