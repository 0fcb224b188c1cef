"""What building the slides needs from outside Python: pandoc (the pypandoc-binary wheel), Node.js with the
npm packages of package-lock.json in node_modules/, and Chromium; where each is, whether this machine has
it, and the message that says how to get what is missing (`make slides`, tools/setup.sh and the tests)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from tools.slides_base import REPO, SlideBuildError

NODE_MODULES = REPO / "node_modules"
REVEALJS_DIR = NODE_MODULES / "reveal.js"
PACKAGE_LOCK = REPO / "package-lock.json"
# The node packages the build uses, checked against package-lock.json.
NODE_PACKAGES = ("reveal.js", "@mermaid-js/mermaid-cli", "puppeteer")

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
# Chromium as root needs --no-sandbox; the rest keep it from trying to reach the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
MIN_NODE = (18, 19)


class PrerequisitesMissing(SlideBuildError):
    """This machine lacks pandoc, Node.js, the npm packages or Chromium; the message says how to get them."""


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
