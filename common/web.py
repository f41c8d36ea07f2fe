"""HTTP hardening and Vietnamese error pages shared by both apps."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parent.parent


def make_app(import_name: str, settings: dict) -> Flask:
    """A Flask app over the shared templates/ and static/, its instance folder created."""
    app = Flask(
        import_name,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
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
        "Tệp quá lớn",
        "Tệp gửi lên vượt quá giới hạn. Mỗi tệp tối đa 5 MB (PDF, JPEG hoặc PNG). Những gì "
        "bạn đã khai vẫn được lưu; vui lòng quay lại và chọn tệp nhỏ hơn.",
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


def add_security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self' http: https:",
    )
    return response


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
