"""The named rules a result's content may compute (procedures/result_schema.RULES).

Each rule takes the value of its argument source (a string, a list or a dict from the
registry, or None) and the issuing context (`office_province`), and returns a text, a dict
of rows (spliced into the section in order), or None (the row is left out). No Flask here.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date

from common import divisions
from common import personal_id as pid

# --- dates ----------------------------------------------------------------------------------


def parse_date(value) -> date | None:
    """A date from YYYY-MM-DD or dd/mm/yyyy; None for anything else."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        day, month, year = (int(p) for p in text.split("/"))
        return date(year, month, day)
    except ValueError:
        return None


def dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _below_100(n: int, *, padded: bool) -> str:
    """1–99 in words; `padded`: after hundreds or thousands ("linh năm", not "năm")."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return f"linh {_DIGITS[units]}" if padded else _DIGITS[units]
    head = "mười" if tens == 1 else f"{_DIGITS[tens]} mươi"
    if units == 0:
        return head
    if units == 5:
        tail = "lăm"
    elif units == 1 and tens > 1:
        tail = "mốt"
    elif units == 4 and tens > 1:
        tail = "tư"
    else:
        tail = _DIGITS[units]
    return f"{head} {tail}"


def number_in_words(n: int) -> str:
    """0–9999 in Vietnamese words: 2026 → "hai nghìn không trăm hai mươi sáu"."""
    if not 0 <= n <= 9999:
        raise ValueError(f"{n} is outside 0–9999")
    if n == 0:
        return "không"
    thousands, rest = divmod(n, 1000)
    hundreds, below = divmod(rest, 100)
    parts = []
    if thousands:
        parts.append(f"{_DIGITS[thousands]} nghìn")
    if hundreds or (thousands and below):
        parts.append(f"{_DIGITS[hundreds]} trăm")
    if below:
        parts.append(_below_100(below, padded=bool(parts)))
    return " ".join(parts)


def date_in_words(value, _context=None) -> str | None:
    """15/11/2026 → "ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu"
    (the birth date "ghi bằng chữ" on the Giấy khai sinh); month 4 is "tư"."""
    day = parse_date(value)
    if day is None:
        return None
    month = "tư" if day.month == 4 else number_in_words(day.month)
    return f"ngày {number_in_words(day.day)} tháng {month} năm {number_in_words(day.year)}"


def year(value, _context=None) -> str | None:
    day = parse_date(value)
    return str(day.year) if day else None


# --- the child's health-insurance card ------------------------------------------------------

# Luật Bảo hiểm y tế (2008, amended 2014 and by Luật 51/2024/QH15), điều 16: a child's card
# is valid until the child is 72 months old; when the child turns 72 months before the
# school year ("chưa đến kỳ nhập học"), until 30 September of that year [law per the
# reference notes]. The school year opens on 5 September (the national opening day of the
# Ministry of Education's calendar) [secondary].
SCHOOL_YEAR_OPENS = (9, 5)
CARD_UNTIL_BEFORE_SCHOOL = (9, 30)
CHILD_MONTHS = 72


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the last day of the month when it has no such day
    (Bộ luật Dân sự 2015, điều 147–148: 29/02 + 12 months → 28/02)."""
    index = day.month - 1 + months
    y, m = day.year + index // 12, index % 12 + 1
    return date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


def card_valid_until(birth: date) -> date:
    """The last day of a child's card: the day the child is 72 months old, or 30/09 of that
    year when that day comes before the school year opens."""
    grown = add_months(birth, CHILD_MONTHS)
    opens = date(grown.year, *SCHOOL_YEAR_OPENS)
    return date(grown.year, *CARD_UNTIL_BEFORE_SCHOOL) if grown < opens else grown


def bhyt_valid_until(value, _context=None) -> str | None:
    birth = parse_date(value)
    return dmy(card_valid_until(birth)) if birth else None


def card_number(personal_id: str, province_code: int) -> str:
    """A child's card: object code TE, benefit level 1, the 2-digit province, the last 10
    digits of the personal ID (the layout the registry uses for the same child) [card
    layout after QĐ 1351/QĐ-BHXH, unverified]."""
    return f"TE1{province_code:02d}{personal_id[-10:]}"


def bhyt_card_number(value, context=None) -> str | None:
    if not isinstance(value, str) or not pid.is_valid(value.strip()):
        return None
    province = getattr(context, "office_province", None) or pid.parse(value).province_code
    return card_number(value.strip(), province or 0) if province else None


# --- places and people ----------------------------------------------------------------------


def ward_name(value, _context=None) -> str | None:
    """A ward's code (as the address pickers store it) → "Phường Bến Thành, Thành phố Hồ Chí
    Minh"; any other text is kept as typed."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isdigit():
        ward = divisions.wards().get(int(text))
        if ward is not None:
            return divisions.full_address("", ward.code, ward.province_code)
    return text


def address(value, context=None) -> str | None:
    """The address typed in the form's `<value>_street` and `<value>_ward_code` fields
    ("new" → new_street, new_ward_code), the ward written out with its province."""
    data = getattr(context, "data", None) or {}
    if not value or not isinstance(data, dict):
        return None
    street = str(data.get(f"{value}_street") or "").strip()
    ward = ward_name(data.get(f"{value}_ward_code"))
    return ", ".join(p for p in (street, ward) if p) or None


def sex_of_id(value, _context=None) -> str | None:
    if not isinstance(value, str) or not pid.is_valid(value.strip()):
        return None
    return "Nam" if pid.parse(value.strip()).sex == "nam" else "Nữ"


# --- the Phiếu lý lịch tư pháp ----------------------------------------------------------------


def _join(parts: list[tuple[str, object]]) -> str:
    return "; ".join(
        f"{label}: {value}" if label else str(value) for label, value in parts if value
    )


def conviction_text(entry: dict) -> str:
    """One conviction as the phiếu writes it: a phiếu 1 entry has the offence and the
    penalties; a phiếu 2 entry also the judgment, the articles, the civil obligations,
    the court fee, the enforcement and whether the record was expunged."""
    judged = parse_date(entry.get("judgment_date"))
    judgment = None
    if entry.get("judgment_number"):
        judgment = f"Bản án số {entry['judgment_number']}"
        if judged:
            judgment += f" ngày {dmy(judged)}"
        if entry.get("court"):
            judgment += f" của {entry['court']}"
    return _join(
        [
            ("", judgment),
            ("Tội danh", entry.get("offence")),
            ("Điều khoản áp dụng", entry.get("articles")),
            ("Hình phạt chính", entry.get("main_penalty")),
            ("Hình phạt bổ sung", entry.get("additional_penalty")),
            ("Nghĩa vụ dân sự", entry.get("civil_obligations")),
            ("Án phí", entry.get("court_fee")),
            ("Tình trạng thi hành án", entry.get("enforcement_status")),
            ("", entry.get("status")),
        ]
    )


def convictions(value, _context=None) -> dict | None:
    """The convictions listed on the phiếu, one row each ("Án tích thứ 1": …)."""
    if not isinstance(value, list) or not value:
        return None
    return {f"Án tích thứ {n}": conviction_text(e) for n, e in enumerate(value, 1)}


def bans(value, _context=None) -> dict | None:
    """The bankruptcy bans in force, one row each, with the court's decision."""
    if not isinstance(value, list) or not value:
        return None
    rows = {}
    for n, ban in enumerate(value, 1):
        decided = parse_date(ban.get("decision_date"))
        decision = f"Quyết định số {ban.get('decision_number')}"
        if decided:
            decision += f" ngày {dmy(decided)}"
        if ban.get("court"):
            decision += f" của {ban['court']}"
        rows[f"Quyết định thứ {n}"] = _join(
            [
                ("", decision),
                ("Doanh nghiệp, hợp tác xã", ban.get("enterprise")),
                ("", ban.get("statement")),
            ]  # fmt: skip
        )
    return rows


RULES: dict[str, Callable] = {
    "date_in_words": date_in_words,
    "year": year,
    "bhyt_valid_until": bhyt_valid_until,
    "bhyt_card_number": bhyt_card_number,
    "ward_name": ward_name,
    "address": address,
    "convictions": convictions,
    "bans": bans,
    "sex_of_id": sex_of_id,
}
