"""Public statistics: the page `/thong-ke` and the same numbers as JSON at `/api/v1/stats`.

Filters (GET): `tinh` (province code, one that has offices), `tu_ngay` / `den_ngay` (ISO
dates, both inclusive). A bad value is ignored and named in a Vietnamese message on the page;
the API answers 400 with the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Blueprint, current_app, jsonify, render_template, request

from common import divisions
from portal.db import db
from portal.services import stats
from portal.services.deadlines import TIMELINESS_LABELS

bp = Blueprint("stats", __name__)

# The dates a filter may name: the portal's statistics cannot start earlier or end later.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_CHART_ROWS = 20
MAX_OFFICE_ROWS_UNFILTERED = 50
CHART_WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 22
ROW_GAP = 8
COLORS = {"truoc_han": "#1a7f37", "dung_han": "#0b5cad", "tre_han": "#b3261e", "bar": "#0b5cad"}


def _province_label(code: int) -> str:
    try:
        return divisions.province_name(code)
    except KeyError:
        return f"Tỉnh mã {code}"


def _full_process_codes() -> set[str]:
    catalogue = current_app.extensions["catalogue"]
    return {p.code for p in catalogue.procedures.values() if p.service_level == "toan_trinh"}


def _parse_filter(args, provinces: list[int]) -> tuple[stats.StatsFilter, list[str]]:
    errors: list[str] = []
    province: int | None = None
    raw = (args.get("tinh") or "").strip()
    if raw:
        if raw.isascii() and raw.isdigit() and int(raw) in provinces:
            province = int(raw)
        else:
            errors.append(
                f"Tỉnh, thành phố «{raw[:40]}» không có trong danh sách; "
                "đang hiển thị số liệu cả nước."
            )
    dates: dict[str, date | None] = {}
    for name, label in (("tu_ngay", "Từ ngày"), ("den_ngay", "Đến ngày")):
        value = (args.get(name) or "").strip()
        dates[name] = None
        if not value:
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            errors.append(
                f"{label} «{value[:40]}» không phải là ngày hợp lệ (định dạng năm-tháng-ngày, "
                "ví dụ 2026-01-31); bộ lọc này được bỏ qua."
            )
            continue
        if not FIRST_DAY <= day <= LAST_DAY:
            errors.append(
                f"{label} {day.isoformat()} nằm ngoài khoảng {FIRST_DAY.year}–{LAST_DAY.year}; "
                "bộ lọc này được bỏ qua."
            )
            continue
        dates[name] = day
    start, end = dates["tu_ngay"], dates["den_ngay"]
    if start and end and start > end:
        errors.append("“Từ ngày” sau “Đến ngày”; khoảng thời gian được bỏ qua.")
        start = end = None
    return stats.StatsFilter(province, start, end), errors


def _report(args):
    provinces = stats.provinces_with_offices(db.session)
    f, errors = _parse_filter(args, provinces)
    report = stats.compute(db.session, f, _full_process_codes())
    return report, errors, provinces


def _service_index(report: stats.StatsReport) -> stats.ServiceIndexReport:
    """The national service index's six groups for the report's offices (QĐ 766/QĐ-TTg)."""
    catalogue = current_app.extensions["catalogue"]
    by_body = stats.procedures_by_body(catalogue.procedures.values())
    index = current_app.extensions["service_index"]
    return stats.service_index(db.session, report, index, by_body)


def _body_label(key: str) -> str:
    body = current_app.extensions["catalogue"].authorities.get(key)
    if body is None:
        return key
    return f"{body.name} cấp {'xã' if body.level == 'commune' else 'tỉnh'}"


@bp.get("/api/v1/stats")
def api():
    report, errors, _ = _report(request.args)
    if errors:
        return jsonify(errors=errors), 400
    payload = stats.report_as_dict(report, _province_label)
    index = stats.service_index_as_dict(_service_index(report), _province_label, _body_label)
    return jsonify({**payload, "service_index": index})


# --- page helpers ------------------------------------------------------------------------


def fmt_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def fmt_pct(value: float | None) -> str:
    if value is None:
        return "Chưa có số liệu"
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def fmt_dec(value: float | None, unit: str = "") -> str:
    if value is None:
        return "Chưa có số liệu"
    return f"{value:.1f}".replace(".", ",") + (f" {unit}" if unit else "")


@dataclass
class Segment:
    x: float
    width: float
    color: str
    label: str


@dataclass
class Bar:
    label: str
    y: int
    segments: list[Segment]
    value_text: str
    text_x: float


@dataclass
class Chart:
    id: str
    title: str
    desc: str
    height: int
    bars: list[Bar]
    legend: list[tuple[str, str]]


def _chart(chart_id: str, title: str, desc: str, rows, legend=()) -> Chart:
    """rows: (label, [(value, color, segment label)], value_text); horizontal bars scaled
    to the largest row total."""
    rows = list(rows)[:MAX_CHART_ROWS]
    biggest = max((sum(v for v, _, _ in segs) for _, segs, _ in rows), default=0) or 1
    span = CHART_WIDTH - LABEL_WIDTH - 90
    bars = []
    for i, (label, segs, value_text) in enumerate(rows):
        x = float(LABEL_WIDTH)
        segments = []
        for value, color, seg_label in segs:
            width = span * value / biggest
            segments.append(Segment(x, width, color, seg_label))
            x += width
        y = i * (BAR_HEIGHT + ROW_GAP) + (24 if legend else 0)
        bars.append(Bar(label[:32], y, segments, value_text, x + 6))
    height = len(bars) * (BAR_HEIGHT + ROW_GAP) + (24 if legend else 0) or BAR_HEIGHT
    return Chart(chart_id, title, desc, height, bars, list(legend))


def _charts(report: stats.StatsReport) -> list[Chart]:
    if report.filter.province_code is not None:
        units = [(o.name, o.counts) for o in report.offices]
        scope = "từng cơ quan"
    else:
        units = [(_province_label(p.code), p.counts) for p in report.provinces]
        scope = "từng tỉnh, thành phố"
    received = sorted(units, key=lambda u: -u[1].received)
    timely = sorted(units, key=lambda u: -u[1].timed)
    labels = TIMELINESS_LABELS
    return [
        _chart(
            "bieu-do-tiep-nhan",
            f"Số hồ sơ tiếp nhận của {scope}",
            "Biểu đồ thanh ngang; mỗi thanh là số hồ sơ tiếp nhận trong kỳ. "
            "Số liệu giống bảng ngay sau biểu đồ.",
            [
                (name, [(c.received, COLORS["bar"], "Tiếp nhận")], fmt_int(c.received))
                for name, c in received
            ],
        ),
        _chart(
            "bieu-do-dung-han",
            f"Kết quả trả trước hạn, đúng hạn và trễ hạn của {scope}",
            "Biểu đồ thanh ngang xếp chồng: phần xanh lá là trước hạn, xanh dương là đúng hạn, "
            "đỏ là trễ hạn; con số bên phải là tỉ lệ đúng hạn. Số liệu giống bảng ngay sau.",
            [
                (
                    name,
                    [
                        (c.before_due, COLORS["truoc_han"], labels["truoc_han"]),
                        (c.on_due, COLORS["dung_han"], labels["dung_han"]),
                        (c.after_due, COLORS["tre_han"], labels["tre_han"]),
                    ],
                    fmt_pct(c.on_time_rate),
                )
                for name, c in timely
            ],
            legend=[(labels[k], COLORS[k]) for k in ("truoc_han", "dung_han", "tre_han")],
        ),
    ]


def _index_tables(index: stats.ServiceIndexReport, show_offices: bool) -> list[tuple]:
    """(title, id, scope header, [(row header, scores)]) of the index's three tables."""
    offices = [(o.name, o.scores) for o in index.offices] if show_offices else []
    return [
        ("Theo tỉnh, thành phố", "chi-so-tinh", "Tỉnh, thành phố",
         [(_province_label(code), scores) for code, scores in index.provinces]),
        ("Theo cơ quan", "chi-so-co-quan", "Cơ quan", offices),
        ("Theo loại cơ quan", "chi-so-loai", "Loại cơ quan",
         [(_body_label(key), scores) for key, scores in index.bodies]),
    ]  # fmt: skip


@bp.get("/thong-ke")
def page():
    report, errors, provinces = _report(request.args)
    f = report.filter
    show_offices = f.province_code is not None or len(report.offices) <= MAX_OFFICE_ROWS_UNFILTERED
    index = _service_index(report)
    return render_template(
        "portal/stats.html",
        report=report,
        errors=errors,
        provinces=[(code, _province_label(code)) for code in provinces],
        values={
            "tinh": request.args.get("tinh", ""),
            "tu_ngay": f.date_from.isoformat() if f.date_from else "",
            "den_ngay": f.date_to.isoformat() if f.date_to else "",
        },
        show_offices=show_offices,
        charts=_charts(report),
        index=index,
        index_groups=current_app.extensions["service_index"].groups,
        index_tables=_index_tables(index, show_offices),
        province_label=_province_label,
        fmt_int=fmt_int,
        fmt_pct=fmt_pct,
        fmt_dec=fmt_dec,
        labels=TIMELINESS_LABELS,
        chart_width=CHART_WIDTH,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )
