"""The registry's write API over HTTP, and what its failures mean for a write-back.

A transient failure (no answer, 5xx, 401, 408, 425, 429) raises WriteFailed and is retried
with exponential backoff (`backoff`); any other 4xx is a refusal (WriteRefused) that
retrying cannot change, told to the officer in Vietnamese (`refusal_message`).
"""

from __future__ import annotations

import requests

from portal.services.registry import RegistryAuthExpired, RegistryError, RegistryRefused

TRANSIENT_4XX = frozenset({401, 408, 425, 429})  # token expired, timeouts, rate limited
REASON_MAX = 500


class WriteFailed(RegistryError):
    """The registry did not take the write this time: no answer, 5xx, 429 (retry)."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None):
        super().__init__(reason)
        self.status, self.retry_after = status, retry_after


class WriteRefused(RegistryRefused):
    """The registry understood the write and refused it (a 4xx): retrying cannot help."""

    def __init__(self, reason: str, status: int):
        super().__init__(reason)
        self.status = status


_http = requests.Session()
_http.trust_env = False  # the registry is reached directly, as in services/registry.py


def post_json(url: str, token: str, body: dict, timeout: int) -> dict:
    """POST a write; the `data` of a 200/201 answer, else WriteFailed or WriteRefused."""
    try:
        resp = _http.post(
            url, headers={"Authorization": f"Bearer {token}"}, json=body, timeout=timeout
        )
    except requests.RequestException as exc:
        raise WriteFailed(f"no answer: {exc}") from exc
    if resp.status_code in (200, 201):
        try:
            return resp.json()["data"]
        except (ValueError, KeyError, TypeError) as exc:
            raise WriteFailed("malformed answer", resp.status_code) from exc
    reason = _reason(resp)
    if is_permanent_status(resp.status_code):
        raise WriteRefused(reason, resp.status_code)
    raise WriteFailed(reason, resp.status_code, _retry_after(resp))


def _reason(resp: requests.Response) -> str:
    try:
        reason = resp.json().get("error_description")
    except (ValueError, AttributeError):
        reason = None
    return f"{resp.status_code} {reason or resp.reason or ''}".strip()[:REASON_MAX]


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After", "")
    return float(value) if value.isascii() and value.isdigit() else None


def is_permanent_status(status: int) -> bool:
    """A 4xx other than 401, 408, 425 and 429 is a refusal; 5xx and the rest are transient."""
    return 400 <= status < 500 and status not in TRANSIENT_4XX


def is_permanent(exc: Exception) -> bool:
    """Whether a write-back failure is a refusal that retrying cannot change."""
    if isinstance(exc, RegistryAuthExpired):
        return False
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return is_permanent_status(status)
    return isinstance(exc, RegistryRefused)


def backoff(attempt: int, base: float = 30, cap: float = 3600) -> float:
    """Seconds to wait after failed attempt number `attempt` (0 first): base·2^attempt,
    at most `cap`."""
    return float(min(cap, base * 2 ** min(max(attempt, 0), 32)))


REFUSALS = {
    400: "dữ liệu gửi sang không hợp lệ hoặc không khớp với dữ liệu đã có",
    403: "Cổng Dịch vụ công chưa được cấp quyền ghi dữ liệu này",
    404: "không tìm thấy thông tin liên quan (số giấy chứng sinh hoặc số định danh cá nhân)",
    409: "thông tin đã được đăng ký trước đó hoặc mâu thuẫn với dữ liệu hiện có",
    422: "dữ liệu gửi sang không được chấp nhận",
}


def refusal_message(status: int | None) -> str:
    """The officer's Vietnamese sentence for a refusal with this HTTP status."""
    why = REFUSALS.get(status or 0, f"yêu cầu không được chấp nhận (mã lỗi {status})")
    return (
        f"CSDLQG về dân cư từ chối ghi kết quả: {why}. Hệ thống không tự động gửi lại; "
        "vui lòng đối chiếu thông tin với cơ quan quản lý CSDLQG về dân cư, rồi bấm "
        "“Gửi lại sang CSDLQG về dân cư” nếu cần."
    )
