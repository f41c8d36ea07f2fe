"""The public statistics page and its JSON through the Flask test client."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from portal.db import db
from portal.models import Dossier, Office
from portal.models.ratings import Rating
from tests.support.html import check_page, get_page

FULL = "1.004194"  # đăng ký tạm trú: toàn trình (khai tử is một phần, portal-2026)
PARTIAL = "1.000894"  # đăng ký kết hôn: một phần
OFFICES = [
    ("79.26743", "UBND Phường Bến Thành", 79),
    ("79.26740", "UBND Phường Sài Gòn", 79),
    ("01.00004", "UBND Phường Ba Đình", 1),
]


def _utc(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)  # 10:00 Vietnam time


@pytest.fixture
def seeded(portal_app):
    rows = [  # office, procedure, received, due, returned, score
        ("79.26743", FULL, date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 9), 5),
        ("79.26743", FULL, date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 14), 4),
        ("79.26743", PARTIAL, date(2026, 12, 7), date(2026, 12, 10), date(2026, 12, 11), 2),
        ("79.26740", FULL, date(2026, 12, 8), date(2026, 12, 15), None, None),
        ("01.00004", PARTIAL, date(2027, 1, 4), date(2027, 1, 8), date(2027, 1, 6), 3),
    ]
    with portal_app.app_context(), db.new_session() as session:
        for code, name, province in OFFICES:
            session.add(Office(code=code, name=name, kind="commune", province_code=province))
        for i, (office, proc, received, due, returned, score) in enumerate(rows):
            dossier = Dossier(
                code=f"{office}-STAT-{i:04d}",
                procedure_code=proc,
                procedure_version=1,
                applicant_id=f"0790000000{i:02d}",
                draft_key=None,
                status="returned" if returned else "processing",
                office_code=office,
                submitted_at=_utc(received),
                received_at=_utc(received),
                due_date=due,
                original_due_date=due,
                decided_at=_utc(returned) if returned else None,
                returned_at=_utc(returned) if returned else None,
            )
            session.add(dossier)
            session.flush()
            if score:
                session.add(Rating(dossier_id=dossier.id, score=score, created_at=_utc(returned)))
        session.commit()
    return portal_app.test_client()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_page_for_anyone_without_data(portal_client):
    html = get_page(portal_client, "/thong-ke").get_data(as_text=True)
    assert "Thống kê tình hình giải quyết hồ sơ" in html
    assert "Chưa có số liệu" in html
    data = portal_client.get("/api/v1/stats").get_json()
    assert data["total"]["received"] == 0 and data["total"]["on_time_rate"] is None


def test_page_and_json_give_the_same_numbers(seeded):
    data = seeded.get("/api/v1/stats").get_json()
    total = data["total"]
    assert total == {
        "received": 5,
        "full_process": 3,
        "full_process_rate": 0.6,
        "resolved": 4,
        "before_due": 2,
        "on_due": 1,
        "after_due": 1,
        "on_time_rate": 0.75,
        "avg_processing_days": 3.25,  # (2 + 5 + 4 + 2) / 4
        "ratings": 4,
        "avg_satisfaction": 3.5,
    }
    assert [p["code"] for p in data["provinces"]] == [1, 79]
    assert data["provinces"][1]["name"] == "Thành phố Hồ Chí Minh"
    assert {o["code"] for o in data["offices"]} == {code for code, _, _ in OFFICES}

    html = get_page(seeded, "/thong-ke").get_data(as_text=True)
    text = _text(html)
    for words in (
        "60,0 %",
        "75,0 %",
        "3,2 ngày làm việc",
        "3,5 / 5",
        "UBND Phường Bến Thành",
        "Thành phố Hồ Chí Minh",
    ):
        assert words in text, words
    # charts: server-rendered SVG, labelled, with a data table carrying the same numbers
    assert html.count('<svg role="img"') == 2
    for chart in ("bieu-do-tiep-nhan", "bieu-do-dung-han"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in html
        assert f'<title id="{chart}-title">' in html and f'<desc id="{chart}-desc">' in html
    assert "viewBox=" in html and 'width="100%"' in html
    assert "<caption>Số liệu theo tỉnh, thành phố</caption>" in html
    assert "<script" not in html


def test_province_filter(seeded):
    data = seeded.get("/api/v1/stats?tinh=79").get_json()
    assert data["filter"]["tinh"] == 79
    assert [p["code"] for p in data["provinces"]] == [79]
    assert {o["code"] for o in data["offices"]} == {"79.26743", "79.26740"}
    assert (data["total"]["received"], data["total"]["resolved"]) == (4, 3)
    html = get_page(seeded, "/thong-ke?tinh=79").get_data(as_text=True)
    assert '<option value="79" selected>' in html
    assert "UBND Phường Sài Gòn" in html and "UBND Phường Ba Đình" not in html
    # only provinces that have offices are offered
    assert re.findall(r'<option value="(\d+)"', html) == ["1", "79"]


def test_period_filter(seeded):
    data = seeded.get("/api/v1/stats?tu_ngay=2027-01-01&den_ngay=2027-01-31").get_json()
    assert (data["total"]["received"], data["total"]["resolved"]) == (1, 1)
    assert data["filter"] == {"tinh": None, "tu_ngay": "2027-01-01", "den_ngay": "2027-01-31"}
    html = get_page(seeded, "/thong-ke?tu_ngay=2027-01-01&den_ngay=2027-01-31").get_data(
        as_text=True
    )
    assert 'value="2027-01-01"' in html and "01/01/2027" in html
    assert 'href="/api/v1/stats?tu_ngay=2027-01-01&amp;den_ngay=2027-01-31"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("tinh=abc", "không có trong danh sách"),
        ("tinh=99", "không có trong danh sách"),
        ("tinh=-1", "không có trong danh sách"),
        ("tinh=7%C2%B2", "không có trong danh sách"),  # a superscript two
        ("tinh=%D9%A7%D9%A9", "không có trong danh sách"),  # Arabic-Indic 79
        ("tu_ngay=0001-01-01", "nằm ngoài khoảng"),
        ("den_ngay=9999-12-31", "nằm ngoài khoảng"),
        ("tu_ngay=31-12-2026", "không phải là ngày hợp lệ"),
        ("den_ngay=2026-02-30", "không phải là ngày hợp lệ"),
        ("tu_ngay=2027-01-31&den_ngay=2027-01-01", "“Từ ngày” sau “Đến ngày”"),
        ("tu_ngay=%00%ff&tinh=%F0%9F%98%80&_scheme=x&_external=0", "không phải là ngày hợp lệ"),
    ],
)
def test_bad_filters_still_render_with_a_message(seeded, query, message):
    resp = seeded.get("/thong-ke?" + query)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'role="alert"' in html and message in html
    assert "Hồ sơ tiếp nhận" in html  # the numbers are still there, the bad filter ignored
    api = seeded.get("/api/v1/stats?" + query)
    assert api.status_code == 400 and api.get_json()["errors"]
