"""The registry's write API over HTTP, and what its failures mean for a write-back.

A transient failure (no answer, 5xx, 401, 408, 425, 429) raises WriteFailed and is retried
with exponential backoff (`backoff`); any other 4xx is a refusal (WriteRefused) that
retrying cannot change, told to the officer in Vietnamese (`refusal_message`).
"""

from __future__ import annotations

import re

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
# The registry's own reasons (English, as its API gives them, kept in registry_error) that
# the officer reads in Vietnamese; anything else is told by its status only, never raw.
REASONS = (
    (r"birth notice \S+ is already registered", "giấy chứng sinh này đã được dùng để đăng ký "
     "khai sinh trước đó (trẻ đã được đăng ký khai sinh)"),
    (r"a child .* born on \S+ is already registered", "trẻ có cùng họ tên, ngày sinh và mẹ đã "
     "được đăng ký khai sinh trước đó"),
    (r"has an electronic birth notice", "việc sinh này có giấy chứng sinh điện tử của cơ sở y "
     "tế; đăng ký khai sinh theo giấy chứng sinh điện tử"),
    (r"name or birth date does not match", "họ tên hoặc ngày sinh của cha hoặc mẹ đã khai không "
     "khớp với số định danh cá nhân trong CSDLQG về dân cư"),
    (r"was born after the child", "ngày sinh của cha hoặc mẹ không trước ngày sinh của trẻ"),
    (r"is already married", "một bên đang có vợ hoặc chồng (đã đăng ký kết hôn với người khác)"),
    (r"the deceased \S+ is recorded as deceased", "người được khai tử đã được ghi nhận là đã "
     "chết (đã đăng ký khai tử trước đó)"),
    (r"the (?:person|partner) \S+ is recorded as deceased", "người được ghi trong hồ sơ đã được "
     "ghi nhận là đã chết"),
    (r"the mother \S+ is recorded as deceased", "người mẹ đã được ghi nhận là đã chết"),
    (r"the household head \S+ is recorded as deceased", "chủ hộ đã được ghi nhận là đã chết"),
    (r"the child \S+ is recorded as deceased", "trẻ đã được ghi nhận là đã chết"),
    (r"no birth notice number", "không tìm thấy giấy chứng sinh với số đã kê khai"),
    (r"does not match the birth notice", "thông tin cha hoặc mẹ không khớp với giấy chứng sinh"),
    (r"has no permanent residence to remove", "người này không có nơi thường trú để xóa đăng "
     "ký (đã được xóa trước đó)"),
    (r"already permanently registered at this address", "người này đã đăng ký thường trú tại "
     "địa chỉ này"),
    (r"is not the head of a household", "người được khai là chủ hộ không phải là chủ hộ có nơi "
     "thường trú trong CSDLQG về dân cư"),
    (r"the household of \S+ is not in ward", "hộ gia đình của chủ hộ đã khai không ở xã, "
     "phường nơi đăng ký thường trú"),
    (r"household head has full civil capacity", "người chưa thành niên không thể là chủ hộ; cần "
     "khai chủ hộ của hộ gia đình mà người này nhập vào"),
    (r"'relation_to_head' field is required", "chưa khai quan hệ với chủ hộ"),
    (r"not a known ward code", "mã xã, phường nơi đăng ký thường trú không hợp lệ"),
    (r"already has a health-insurance card", "trẻ đã được cấp thẻ bảo hiểm y tế"),
    (r"this card is for children under", "trẻ đã đủ 6 tuổi, không thuộc diện cấp thẻ bảo hiểm "
     "y tế trẻ em dưới 6 tuổi"),
    (r"before the birth date", "ngày chết trước ngày sinh của người được khai tử"),
)  # fmt: skip
_REASONS = tuple((re.compile(pattern, re.IGNORECASE), text) for pattern, text in REASONS)


def registry_reason(reason: str | None) -> str | None:
    """The registry's own reason in Vietnamese where it is known, else None."""
    return next((text for pattern, text in _REASONS if pattern.search(reason or "")), None)


def refusal_message(status: int | None, reason: str | None = None) -> str:
    """The Vietnamese sentence for a refusal with this HTTP status and, where known, the
    registry's own reason (`reason`, as stored; never shown as it is)."""
    why = REFUSALS.get(status or 0, f"yêu cầu không được chấp nhận (mã lỗi {status})")
    known = registry_reason(reason)
    detail = f" Cụ thể: {known}." if known else ""
    return (
        f"CSDLQG về dân cư từ chối ghi kết quả: {why}.{detail} Hệ thống không tự động gửi "
        "lại; hồ sơ được trả lại cán bộ xử lý."
    )
