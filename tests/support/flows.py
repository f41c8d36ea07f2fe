"""Drive the login flow over real HTTP with `requests`, as a browser without JavaScript would."""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests

CSRF = re.compile(r'name="(?P<name>(?:[\w-]+-)?csrf_token)" type="hidden" value="(?P<value>[^"]+)"')


def csrf_tokens(html: str) -> dict[str, str]:
    return {m["name"]: m["value"] for m in CSRF.finditer(html)}


@dataclass
class FlowResult:
    browser: requests.Session
    response: requests.Response  # the portal's answer to the callback (or the last page)


def _follow(browser: requests.Session, resp: requests.Response, stop_at: str) -> requests.Response:
    """Follow redirects until one points at `stop_at` (not followed) or there are none."""
    while resp.is_redirect:
        location = requests.compat.urljoin(resp.url, resp.headers["Location"])
        if location.startswith(stop_at):
            return resp
        resp = browser.get(location, allow_redirects=False)
    return resp


def login(
    portal_url: str,
    idp_url: str,
    personal_id: str,
    *,
    passcode: str | None = None,
    decision: str = "allow",
    level: int | None = None,
    browser: requests.Session | None = None,
) -> FlowResult:
    """Sign in at the portal through VNeID; returns the portal's response to the callback."""
    browser = browser or requests.Session()
    query = "?muc=2" if level == 2 else ""
    resp = browser.get(portal_url + "/dang-nhap" + query, allow_redirects=False)
    resp = _follow(browser, resp, portal_url + "/auth/callback")
    if not resp.is_redirect and "/dang-nhap" in resp.url and resp.status_code == 200:
        resp = _sign_in(browser, idp_url, resp.text, personal_id, passcode)
        resp = _follow(browser, resp, portal_url + "/auth/callback")
        if not resp.is_redirect and resp.status_code == 200 and 'name="decision"' in resp.text:
            tokens = csrf_tokens(resp.text)
            action = re.search(r'<form method="post" action="([^"]+)"', resp.text)[1]
            resp = browser.post(
                requests.compat.urljoin(resp.url, action.replace("&amp;", "&")),
                data={"csrf_token": tokens["csrf_token"], "decision": decision},
                allow_redirects=False,
            )
    if resp.is_redirect and resp.headers["Location"].startswith(portal_url + "/auth/callback"):
        resp = browser.get(resp.headers["Location"], allow_redirects=False)
    return FlowResult(browser, resp)


def _sign_in(browser, idp_url, html, personal_id, passcode) -> requests.Response:
    tokens = csrf_tokens(html)
    if passcode is None:
        data = {"persona-csrf_token": tokens["persona-csrf_token"], "persona": personal_id}
    else:
        data = {
            "csrf_token": tokens["csrf_token"],
            "personal_id": personal_id,
            "passcode": passcode,
        }
    return browser.post(idp_url + "/dang-nhap", data=data, allow_redirects=False)
