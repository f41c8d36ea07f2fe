"""Page checks every web test gets for free: a title, one h1, lang="vi", unique ids."""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: Counter = Counter()
        self.lang: str | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags[tag] += 1
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def check_page(html: str) -> _Collector:
    """Assert the basics of an accessible Vietnamese page and return what was parsed."""
    page = _Collector()
    page.feed(html)
    assert page.lang == "vi"
    assert page.title.strip(), "page has no <title>"
    assert page.tags["h1"] == 1, f"expected one <h1>, found {page.tags['h1']}"
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    assert "Traceback" not in html
    return page


def get_page(client, path: str, status: int = 200):
    resp = client.get(path)
    assert resp.status_code == status, (path, resp.status_code)
    check_page(resp.get_data(as_text=True))
    return resp


def locked_value(page: str, name: str) -> str | None:
    """The value a filing page shows locked (read-only, never posted) for field `name`."""
    locked = rf'<input class="field__input locked-value" id="{name}" value="([^"]*)"'
    found = re.search(locked, page)
    return html.unescape(found[1]) if found else None


def typed_input(page: str, name: str) -> bool:
    """Whether the page has an input the citizen types `name` into."""
    return re.search(rf'<(?:input|select|textarea)[^>]* name="{name}"', page) is not None


def page_text(page: str) -> str:
    """The page's text, tags removed and whitespace folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
