"""File a dossier over real HTTP with `requests`, as a browser without JavaScript would."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import requests

from tests.support import flows

LOCKED_HASH = re.compile(r'name="locked_hash" value="([0-9a-f]+)"')
# Hand-written forms put type before name; WTForms puts name first: accept both.
CSRF_INPUT = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF_INPUT.search(html)
    return VALUE.search(found[0])[1] if found else ""


DOSSIER_PATH = re.compile(r"/ho-so/([^/?#]+)$")


@dataclass
class Filer:
    """A signed-in citizen filing at the portal."""

    portal_url: str
    browser: requests.Session

    @classmethod
    def login(cls, live, personal_id: str) -> Filer:
        result = flows.login(live.portal_url, live.idp_url, personal_id, level=2)
        assert result.response.status_code == 302, result.response.text[:500]
        return cls(live.portal_url, result.browser)

    def url(self, path: str) -> str:
        return self.portal_url + path

    def get(self, path: str) -> requests.Response:
        return self.browser.get(self.url(path), allow_redirects=False)

    def start(self, code: str) -> requests.Response:
        """Open /nop-ho-so/<code> and follow to the first step."""
        return self.browser.get(self.url(f"/nop-ho-so/{code}"))

    def _csrf(self, path: str) -> str:
        return csrf_token(self.browser.get(self.url(path)).text)

    def post_step(
        self, code: str, step: str, data: dict | None = None, files: dict | None = None
    ) -> requests.Response:
        path = f"/nop-ho-so/{code}/{step}"
        form = {"csrf_token": self._csrf(path), **(data or {})}
        return self.browser.post(self.url(path), data=form, files=files, allow_redirects=False)

    def review(self, code: str) -> requests.Response:
        return self.browser.get(self.url(f"/nop-ho-so/{code}/xem-lai"))

    def submit_form(self, code: str) -> dict[str, str]:
        """The hidden fields of the summary's submit form (what a click would post)."""
        page = self.review(code)
        found = LOCKED_HASH.search(page.text)
        return {"csrf_token": csrf_token(page.text), "locked_hash": found[1] if found else ""}

    def post_submit(self, code: str, form: dict[str, str]) -> requests.Response:
        return self.browser.post(
            self.url(f"/nop-ho-so/{code}/nop"), data=form, allow_redirects=False
        )

    def submit(self, code: str, *, locked_hash: str | None = None) -> requests.Response:
        form = self.submit_form(code)
        if locked_hash is not None:
            form["locked_hash"] = locked_hash
        return self.post_submit(code, form)

    def answer(self, dossier: str, decision: str, reason: str = "") -> requests.Response:
        """As a party named on `dossier` (its code): confirm it or decline it with a
        reason, as the dossier page's form posts it."""
        token = csrf_token(self.browser.get(self.url(f"/ho-so/{dossier}")).text)
        if not token:  # not a party: no page, but the form still needs a token to be judged
            token = csrf_token(self.browser.get(self.url("/ca-nhan")).text)
        return self.browser.post(
            self.url(f"/ho-so/{dossier}/xac-nhan"),
            data={"csrf_token": token, "decision": decision, "reason": reason},
            allow_redirects=False,
        )

    def fill(self, code: str, steps: dict[str, dict]) -> None:
        """Walk every step, posting the typed values given per step."""
        self.start(code)
        for step, data in steps.items():
            resp = self.post_step(code, step, data)
            assert resp.status_code == 302, f"{step}: {resp.status_code} {resp.text[:800]}"

    def file(self, code: str, steps: dict[str, dict]) -> requests.Response:
        """Fill every step, then submit."""
        self.fill(code, steps)
        return self.submit(code)


def dossier_code(resp: requests.Response) -> str | None:
    """The dossier code a submit redirected to, if any."""
    if resp.status_code != 302:
        return None
    found = DOSSIER_PATH.search(resp.headers["Location"])
    return found[1] if found else None


def signed_in_filers(live) -> Callable[[str], Filer]:
    """One signed-in browser per persona on `live`, made on first use."""
    made: dict[str, Filer] = {}

    def get(personal_id: str) -> Filer:
        if personal_id not in made:
            made[personal_id] = Filer.login(live, personal_id)
        return made[personal_id]

    return get
