"""The national service index on /thong-ke and in /api/v1/stats: the six groups per
province, office and body, the same numbers on the page and in the JSON (Flask test client)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from portal.api.service_index_schemas import ServiceIndexAnswer
from portal.db import db
from portal.models import Dossier, DossierEvent, Office
from portal.models.payments import Payment
from portal.models.ratings import Rating
from tests.support.html import check_page, get_page

FULL, PARTIAL = "1.004194", "1.000894"
OFFICES = [  # code, name, kind, province
    ("79.26743", "UBND Phường Bến Thành", "ubnd_xa", 79),
    ("79.26743.ca", "Công an Phường Bến Thành", "cong_an_xa", 79),
    ("01.00004", "UBND Phường Ba Đình", "ubnd_xa", 1),
]
TABLES = {  # table id → the JSON list it shows
    "chi-so-tinh": "provinces",
    "chi-so-co-quan": "offices",
    "chi-so-loai": "bodies",
}


def _utc(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)  # 10:00 Vietnam time


@pytest.fixture
def seeded(portal_app):
    best = {q.key: q.answers[0].key for q in portal_app.extensions["service_index"].questions}
    rows = [  # office, procedure, due, returned, fee, paid, answers
        ("79.26743", FULL, date(2026, 12, 14), date(2026, 12, 9), 0, None, best),
        ("79.26743", PARTIAL, date(2026, 12, 10), date(2026, 12, 11), 8000, "paid", None),
        ("79.26743.ca", FULL, date(2026, 12, 15), None, 8000, "pending", None),
        ("01.00004", PARTIAL, date(2027, 1, 8), date(2027, 1, 6), 0, None, None),
    ]
    with portal_app.app_context(), db.new_session() as session:
        for code, name, kind, province in OFFICES:
            session.add(Office(code=code, name=name, kind=kind, province_code=province))
        for i, (office, proc, due, returned, fee, paid, answers) in enumerate(rows):
            dossier = Dossier(
                code=f"{office}-IDX-{i:04d}",
                procedure_code=proc,
                procedure_version=1,
                applicant_id=f"0790000000{i:02d}",
                draft_key=None,
                status="returned" if returned else "processing",
                office_code=office,
                fee_amount=fee,
                submitted_at=_utc(date(2026, 12, 7)),
                received_at=_utc(date(2026, 12, 7)),
                due_date=due,
                original_due_date=due,
                decided_at=_utc(returned) if returned else None,
                returned_at=_utc(returned) if returned else None,
            )
            session.add(dossier)
            session.flush()
            session.add(
                DossierEvent(dossier_id=dossier.id, actor_id="079187090123", actor_role="reception",
                             to_status="received", action="receive")
            )  # fmt: skip
            if paid:
                session.add(
                    Payment(dossier_id=dossier.id, attempt=1, order_id=f"{dossier.code}-1",
                            amount=fee, description="Lệ phí", status=paid)
                )  # fmt: skip
            if returned:
                score = 5 if answers else 2
                session.add(
                    Rating(dossier_id=dossier.id, score=score, answers=answers,
                           created_at=_utc(returned))
                )  # fmt: skip
        session.commit()
    return portal_app.test_client()


def _cell(value: float | None) -> str:
    return "Chưa có số liệu" if value is None else f"{value:.1f}".replace(".", ",")


def _table_rows(html: str, table_id: str) -> dict[str, list[str]]:
    """row header → the cells of the index table under the heading `table_id`."""
    start = html.index(f'<h3 id="{table_id}">')
    table = html[start : html.index("</table>", start)]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    return {name: re.findall(r"<td>(.*?)</td>", cells) for name, cells in rows}


def test_the_page_and_the_json_give_the_same_index(seeded):
    data = seeded.get("/api/v1/stats").get_json()
    index = data["service_index"]
    assert [g["max_points"] for g in index["total"]["groups"]] == [18, 20, 12, 10, 18, 22]
    assert [p["code"] for p in index["provinces"]] == [1, 79]
    assert {o["code"]: o["body"] for o in index["offices"]} == {
        code: kind for code, _, kind, _ in OFFICES
    }
    assert [(b["key"], b["name"]) for b in index["bodies"]] == [
        ("cong_an_xa", "Công an cấp xã"),
        ("ubnd_xa", "UBND cấp xã"),
    ]
    groups = {g["key"]: g["points"] for g in index["total"]["groups"]}
    assert groups["tien_do_giai_quyet"] == pytest.approx(20 * 2 / 3, abs=0.01)  # 2 of 3 on time
    assert groups["dich_vu_truc_tuyen"] == 6  # 2 of the 4 received are toàn trình
    assert groups["thanh_toan_truc_tuyen"] == 5  # 1 of the 2 fee dossiers paid online
    # the answers at their best, and two old ratings of 2: (2 - 1) / 4 each
    assert groups["muc_do_hai_long"] == pytest.approx(18 * (1 + 0.25 + 0.25) / 3)
    assert groups["so_hoa_ho_so"] == 0  # no electronic result, no reuse in this data

    html = get_page(seeded, "/thong-ke").get_data(as_text=True)
    check_page(html)
    assert (
        f"thang 100, chỉ tính các nhóm có số liệu: <strong>{_cell(index['total']['total'])}" in html
    )
    for table_id, key in TABLES.items():
        shown = _table_rows(html, table_id)
        assert len(shown) == len(index[key])
        for unit in index[key]:
            expected = [_cell(g["points"]) for g in unit["groups"]] + [_cell(unit["total"])]
            assert shown[unit["name"]] == expected, (table_id, unit["name"])
    # tables with a caption and scope headers; no script needed
    for caption in ("theo tỉnh, thành phố", "theo cơ quan", "theo loại cơ quan"):
        assert (
            f"<caption>Điểm Bộ chỉ số phục vụ người dân, doanh nghiệp {caption}</caption>" in html
        )
    assert '<th scope="col">Mức độ hài lòng (tối đa 18)</th>' in html
    assert "<script" not in html


def test_the_json_follows_its_model(seeded):
    index = seeded.get("/api/v1/stats?tinh=79").get_json()["service_index"]
    checked = ServiceIndexAnswer.model_validate(index)
    assert [o.body for o in checked.offices] == ["ubnd_xa", "cong_an_xa"]


def test_the_province_filter_applies_to_the_index(seeded):
    index = seeded.get("/api/v1/stats?tinh=1").get_json()["service_index"]
    assert [o["code"] for o in index["offices"]] == ["01.00004"]
    assert [b["key"] for b in index["bodies"]] == ["ubnd_xa"]
    html = get_page(seeded, "/thong-ke?tinh=1").get_data(as_text=True)
    assert list(_table_rows(html, "chi-so-co-quan")) == ["UBND Phường Ba Đình"]


def test_no_data_says_so(portal_client):
    index = portal_client.get("/api/v1/stats").get_json()["service_index"]
    assert index["total"]["total"] is None and index["offices"] == []
    html = get_page(portal_client, "/thong-ke").get_data(as_text=True)
    start = html.index('id="bo-chi-so"')
    assert "Chưa có số liệu trong phạm vi đã chọn." in html[start:]
