"""HTTP hardening and Vietnamese error pages shared by both apps."""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


class DatabaseInt(IntegerConverter):
    """`<int:…>` in every route: an id no database column can hold (above 2**63 - 1) is
    simply no match (404), never an overflow in the query; and only ASCII digits match
    (werkzeug's `\\d+` also takes "١" or "٣")."""

    regex = r"[0-9]+"

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def make_app(import_name: str, settings: dict) -> Flask:
    """A Flask app over the shared templates/ and static/, its instance folder created."""
    app = Flask(
        import_name,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.url_map.converters["int"] = DatabaseInt
    app.json = SafeJSONProvider(app)
    app.config.from_mapping(settings)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return app


MESSAGES = {
    400: ("Yêu cầu không hợp lệ", "Dữ liệu gửi lên không hợp lệ. Vui lòng quay lại và thử lại."),
    401: ("Cần đăng nhập", "Bạn cần đăng nhập để xem trang này."),
    403: ("Không có quyền truy cập", "Tài khoản của bạn không có quyền xem trang này."),
    404: ("Không tìm thấy trang", "Trang bạn tìm không tồn tại hoặc đã được chuyển đi."),
    405: ("Thao tác không được hỗ trợ", "Trang này không hỗ trợ thao tác bạn vừa thực hiện."),
    413: (
        "Tệp quá lớn hoặc nội dung quá dài",
        "Tệp hoặc nội dung gửi lên vượt quá giới hạn. Mỗi tệp tối đa 5 MB (PDF, JPEG hoặc "
        "PNG); mỗi ô nhập có độ dài tối đa riêng. Những gì bạn đã lưu ở các bước trước vẫn "
        "còn; vui lòng quay lại, chọn tệp nhỏ hơn hoặc rút ngắn nội dung.",
    ),
    500: (
        "Hệ thống gặp sự cố",
        "Đã có lỗi ngoài ý muốn. Dữ liệu của bạn không bị mất. Vui lòng thử lại sau ít phút.",
    ),
}
CSRF_MESSAGE = (
    "Phiên làm việc đã hết hạn",
    "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và gửi lại.",
)


def pdf_response(body: bytes, filename: str, *, inline: bool = False) -> Response:
    """A private PDF (never cached), shown in the browser when `inline`, else downloaded;
    `filename` keeps only characters safe in the header."""
    name = re.sub(r"[^A-Za-z0-9._-]", "-", filename)
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def add_security_headers(response: Response, *, form_action: Iterable[str] | None = None):
    """Headers every answer carries. `form_action`: origins besides the app's own that its
    forms may lead to (a form whose answer redirects to another origin needs it: sign-out
    goes on to the provider, sign-in comes back to the client). None: the app's setting
    CSP_FORM_ACTION, or, for an app that has not listed its origins, any http(s) origin."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if form_action is None:
        form_action = current_app.config.get("CSP_FORM_ACTION", ("http:", "https:"))
    targets = " ".join(["'self'", *form_action])
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action {targets}",
    )
    return response


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL ("" when it has none)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# --- return URLs -----------------------------------------------------------------------------

# A path that may follow a sign-in: printable ASCII (a browser percent-encodes the rest), no
# backslash, no encoded slash or backslash, nothing a browser would strip or read as another
# host once decoded (tab, CR, LF: "/%09/evil.example" is "//evil.example" to a browser).
_PATH_CHARS = re.compile(r"^/[!-~]*$")
_ENCODED_SLASH = re.compile(r"%(2f|5c)", re.IGNORECASE)
MAX_RETURN_PATH = 2000


def safe_path(value: object) -> str | None:
    """`value` when it is a path on this site (same origin, no scheme, no host), else None.
    The one check for `next` and every other return URL."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_RETURN_PATH:
        return None
    if not _PATH_CHARS.match(value) or "\\" in value or _ENCODED_SLASH.search(value):
        return None
    try:
        decoded = unquote(value, errors="strict")
    except UnicodeDecodeError:  # percent-encoded bytes that are not UTF-8
        return None
    if not decoded.startswith("/") or decoded[1:2] in ("/", "\\") or "\\" in decoded:
        return None
    if has_control(decoded):
        return None
    parts = urlsplit(decoded)
    if parts.scheme or parts.netloc:
        return None
    return value


# --- text a browser sends --------------------------------------------------------------------

# Controls (NUL, CR, LF, tab…), format characters (e.g. U+202E, which turns text around) and
# lone surrogates: no name, address or note contains them, PostgreSQL refuses NUL and a
# UTF-8 encoder refuses surrogates. Multi-line fields may keep line breaks.
REFUSED_CATEGORIES = ("Cc", "Cf", "Cs")
LINE_BREAKS = "\n"
NAME_PUNCTUATION = " '’-"


def has_control(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) in REFUSED_CATEGORIES and ch not in allowed for ch in value)


def normalize_text(value: str, *, multiline: bool = False) -> str:
    """NFC (Vietnamese typed with combining marks becomes one letter each), trimmed; in a
    multi-line field CR LF and CR become LF."""
    value = unicodedata.normalize("NFC", value)
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.strip()


def is_name(value: str) -> bool:
    """A person's name: letters of any script (Vietnamese diacritics included), spaces,
    apostrophes and hyphens, starting with a letter."""
    return (
        bool(value)
        and value[0].isalpha()
        and all(ch.isalpha() or ch in NAME_PUNCTUATION for ch in value)
    )


def text_problem(
    value: str, *, label: str, max_length: int, multiline: bool = False, name: bool = False
) -> str | None:
    """The Vietnamese message for a typed value that cannot be kept (None when it can):
    too long, a control character, or a name with characters no name has. `value` is the
    normalized text (normalize_text)."""
    if len(value) > max_length:
        return f"{label} dài quá {max_length} ký tự."
    if has_control(value, LINE_BREAKS if multiline else ""):
        return f"{label} có ký tự điều khiển không hợp lệ. Vui lòng nhập lại."
    if name and not is_name(value):
        return (
            f"{label} chỉ gồm chữ cái (có dấu tiếng Việt), dấu cách, dấu nháy đơn (') "
            "và dấu gạch nối (-)."
        )
    return None


def clean_header_value(value: str) -> str:
    """`value` without the characters a header must not carry (CR, LF, NUL, other controls)."""
    return "".join(ch for ch in value if unicodedata.category(ch) not in REFUSED_CATEGORIES)


# --- JSON ------------------------------------------------------------------------------------


class SafeJSONProvider(DefaultJSONProvider):
    """JSON in and out, safe for any body a client sends.

    Reading: a body nested too deep for the parser (RecursionError) or holding a lone
    surrogate (valid JSON text, but no Unicode string) is a ValueError, so
    `request.get_json(silent=True)` gives None and the endpoint answers 400.
    Writing: Vietnamese stays readable (UTF-8, not \\u escapes); a value that cannot be
    UTF-8 (a lone surrogate echoed back) falls back to ASCII escapes rather than failing."""

    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError as exc:
            raise ValueError("JSON nested too deeply") from exc
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # lone surrogate → ValueError
        return value

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return super().dumps(obj, **{**kwargs, "ensure_ascii": True})
        return text


def register_error_pages(app: Flask, template: str, is_json: Callable[[], bool]) -> None:
    """Vietnamese pages (or JSON where `is_json()`) for HTTP errors; never a stack trace."""

    def render(status: int, title: str, message: str):
        if is_json():
            return jsonify(error=title, error_description=message), status
        return render_template(template, status=status, title=title, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(_exc):
        return render(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        return render(status, *MESSAGES.get(status, (exc.name, exc.description or "")))

    @app.errorhandler(Exception)
    def unexpected(_exc: Exception):
        logging.getLogger(app.import_name).exception("unexpected error on %s", request.path)
        return render(500, *MESSAGES[500])
