"""Generators and checks for the no-HTTP-500 fuzz tests (tests/fuzz/).

The values are what attackers and unlucky citizens send: digits that are not ASCII
(superscripts, Arabic-Indic), lone surrogates, control characters, huge and negative
numbers, dates at the ends of the calendar, open-redirect shapes and very long text.
Everything is sent percent-encoded by hand, so a lone surrogate or an invalid UTF-8 byte
reaches the server as it would from a raw socket.
"""

from __future__ import annotations

import json
import logging
import os
import re
import traceback
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

ROOT = str(Path(__file__).resolve().parents[2]) + "/"

# Examples per route and role; CI runs the bounded default, FUZZ_EXAMPLES=500 digs deeper.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("FUZZ_RANDOM") != "1",  # reproducible in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
    # no shrinking: a failure is reported as found, and the run stays bounded
    phases=[Phase.explicit, Phase.generate],
)

NASTY = [
    "²",
    "١٢",
    "٣",
    "¹²³",
    "๑",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "10000-01-01",
    "99999999999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "\x00",
    "a\r\nSet-Cookie: x=1",
    "\n",
    "\t",
    "\x7f",
    "\u202e",
    "\ud800",
    "\udfff",
    "/%09/evil.example",
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "%2f%2fevil.example",
    "../../etc/passwd",
    "x" * 10_000,
    "Nguyễn Văn An",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "",
    " ",
]

text_value = st.one_of(
    st.sampled_from(NASTY),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


def encode(value: str) -> str:
    """Percent-encode like a browser would, but let lone surrogates through as bytes."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def query_string(params: dict[str, str]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in params.items())


def form_body(params: dict[str, str]) -> bytes:
    return query_string(params).encode("ascii")


def json_body(value) -> bytes:
    """JSON text; `ensure_ascii` writes lone surrogates as \\udXXX escapes, valid JSON."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=False, allow_infinity=False),
        text_value,
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(text_value, inner, max_size=3)
    ),
    max_leaves=8,
)

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")


# OAuth's own endpoints answer in the protocol's words (RFC 6749 error codes), for machines.
PROTOCOL_PATHS = ("/token", "/userinfo", "/test/")


def assert_calm(resp, what: str) -> None:
    """No server error, and an error answer says what went wrong in Vietnamese."""
    body = resp.get_data().decode("utf-8", "replace")  # a PDF is bytes
    assert resp.status_code < 500, f"{what} → {resp.status_code}\n{body[:800]}"
    protocol = what.split(" ")[1].startswith(PROTOCOL_PATHS)
    if resp.status_code >= 400 and resp.status_code != 405 and not protocol:
        assert VIETNAMESE.search(body.lower()), f"{what} → {resp.status_code} without Vietnamese"
    for name, value in resp.headers.items():
        assert "\n" not in value and "\r" not in value and "\x00" not in value, (what, name)


PARAM = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")
INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"')


def form_names(html: str) -> set[str]:
    """The names of the fields in a page's forms (the fuzz sends each of them)."""
    return set(INPUT_NAME.findall(html)) - {"csrf_token"}


def path_for(rule: str, values: dict[str, str]) -> str:
    """The rule's path with `values` percent-encoded in place of its parameters."""
    return PARAM.sub(lambda m: encode(str(values[m[2]])), rule)


def path_params(rule: str) -> list[tuple[str | None, str]]:
    return PARAM.findall(rule)


# --- driving the routes -------------------------------------------------------------------


class Findings:
    """Every distinct problem seen, instead of stopping at the first: a server error is
    named by its exception and the project line that raised it (one cause, one entry)."""

    def __init__(self, app) -> None:
        self.problems: dict[str, str] = {}
        self.requests = 0
        self._last_cause: str | None = None
        self._last_message = ""
        # The apps' error handler logs every unexpected exception with its traceback.
        handler = logging.Handler(logging.ERROR)
        handler.emit = self._on_log  # type: ignore[method-assign]
        logging.getLogger(app.import_name).addHandler(handler)

    def _on_log(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        exception = record.exc_info[1]
        frames = [f for f in traceback.extract_tb(exception.__traceback__) if ROOT in f.filename]
        where = f"{frames[-1].filename.removeprefix(ROOT)}:{frames[-1].lineno}" if frames else "?"
        self._last_cause = f"{type(exception).__name__} at {where}"
        self._last_message = str(exception)[:100]

    def check(self, resp, what: str, rule: str = "") -> None:
        self.requests += 1
        try:
            assert_calm(resp, what)
        except AssertionError as exc:
            status = str(exc).splitlines()[0].split(" → ")[-1]
            key = self._last_cause or f"{status} on {rule or what.split(' ')[1]}"
            self.problems.setdefault(key, f"{what} ({self._last_message})")
        self._last_cause = None
        self._last_message = ""

    def report(self) -> str:
        return "\n".join(f"{key}\n    e.g. {what[:200]}" for key, what in self.problems.items())


def drive(client, findings: Findings, *, method, rule, base, names, known=None, headers=None):
    """Send `method rule` FUZZ_SETTINGS times with drawn path values and fields."""
    known = known or {}
    params = path_params(rule)

    @FUZZ_SETTINGS
    @given(data=st.data())
    def run(data):
        values = {
            n: data.draw(st.one_of(st.just(base.get(n, "x")), text_value)) for _c, n in params
        }
        chosen = data.draw(st.lists(st.sampled_from(names), max_size=6, unique=True))
        fields = {
            n: data.draw(st.one_of(st.just(known[n]), text_value) if n in known else text_value)
            for n in chosen
        }
        path = path_for(rule, values)
        what = f"{method} {path[:120]} {sorted(fields)}"
        if method in ("GET", "DELETE"):
            resp = client.open(path + "?" + query_string(fields), method=method, headers=headers)
        else:
            resp = client.open(
                path,
                method=method,
                headers=headers,
                data=form_body(fields),
                content_type="application/x-www-form-urlencoded",
            )
        findings.check(resp, what, rule)

    run()
    sweep(client, findings, method=method, rule=rule, base=base, names=names, headers=headers)


def sweep(client, findings: Findings, *, method, rule, base, names, headers=None) -> None:
    """Each NASTY value once in every field at the same time, then once in every path
    parameter: the systematic half of the fuzz, so no known-bad value is left to chance."""
    params = [n for _c, n in path_params(rule)]
    real_path = path_for(rule, {n: base.get(n, "x") for n in params})
    for value in NASTY:
        fields = dict.fromkeys(names, value)
        sent = [(real_path, fields)]
        if params:
            sent.append((path_for(rule, dict.fromkeys(params, value or "x")), {}))
        for path, body in sent:
            if method in ("GET", "DELETE"):
                resp = client.open(path + "?" + query_string(body), method=method, headers=headers)
            else:
                resp = client.open(
                    path,
                    method=method,
                    headers=headers,
                    data=form_body(body),
                    content_type="application/x-www-form-urlencoded",
                )
            findings.check(resp, f"{method} {path[:120]} all fields = {value[:30]!r}", rule)


def routes(app, skipped=("/static/<path:filename>",)) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
        if rule.rule not in skipped
    )
