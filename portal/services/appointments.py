"""Appointments for in-person steps (marriage: both spouses sign at the commune): when an
office may give one and what a citizen may move it to. Each UBND sets its desk's hours;
the common schedule, used here, is 07:30–11:30 and 13:30–17:00 on working days. No Flask
here."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from common import tz
from portal.services import deadlines

# The desk's hours, local time (half-open: an appointment starts inside one of them).
HOURS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 0)))
HOURS_TEXT = "07:30–11:30 hoặc 13:30–17:00"
FURTHEST = timedelta(days=60)  # an appointment further away is a typing mistake


def problem(at: datetime, now: datetime, place: str | None) -> str | None:
    """Why an appointment at `at` (aware) given at `now` cannot stand, or None."""
    if not (place or "").strip():
        return "Vui lòng nhập nơi có mặt (địa chỉ bộ phận một cửa)."
    if len(place or "") > 255:
        return "Nơi có mặt dài quá 255 ký tự."
    if at <= now:
        return "Lịch hẹn phải ở thời điểm sau hiện tại."
    if at - now > FURTHEST:
        return "Lịch hẹn không được xa quá 60 ngày."
    local = deadlines.to_local(at)
    if not deadlines.is_working_day(local.date()):
        return f"Ngày {local:%d/%m/%Y} không phải ngày làm việc."
    if not any(start <= local.time() < end for start, end in HOURS):
        return f"Giờ hẹn phải trong giờ làm việc ({HOURS_TEXT})."
    return None


def parse_local(day: str, hour: str) -> datetime | None:
    """A date (yyyy-mm-dd) and time (hh:mm) typed in Vietnam's time as an aware datetime,
    or None when either is not a valid value."""
    try:
        naive = datetime.combine(
            datetime.strptime(day.strip(), "%Y-%m-%d").date(),
            datetime.strptime(hour.strip(), "%H:%M").time(),
        )
    except ValueError:
        return None
    return naive.replace(tzinfo=tz.VN_TZ)
