"""Is a built page self-contained? Finds every resource an HTML (or SVG) document would load from outside
itself (script and image sources, stylesheets, CSS url() and @import, fonts, media), looking inside the
data: URIs of stylesheets and SVG images too. The slide builder fails a deck that has any (decks must work
offline); the course site (tools/site.py) checks its pages with it as well."""

from __future__ import annotations

import base64
import re
import urllib.parse
from html.parser import HTMLParser

from tools.slides_base import first_group

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
