"""The clerk queue (/can-bo) through the Flask test client: sortable columns without
JavaScript, pages that keep the order, and the bulk return of results on "Chờ trả kết quả"."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import update

from portal.db import db
from portal.models import Dossier, Staff
from portal.services import deadlines, workflow
from portal.services.workflow import CONFLICT
from tests.factories import AN, COMMUNE, HANH, LONG, add_dossiers, listed_codes, load, sign_in
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CHO_TRA = "/can-bo?tab=cho-tra"
RETURN = "/can-bo/tra-ket-qua-hang-loat"
NO_RECEPTION = "079301000001"  # staff of the commune without the tiep_nhan role
HEADER = re.compile(r'<th scope="col"([^>]*)><a href="([^"]+)">([^<]+)')


@pytest.fixture
def app(backoffice_app):
    """The portal with the demo staff and the commune's office (tests/web/conftest.py)."""
    return backoffice_app


@pytest.fixture
def client(app):
    return app.test_client()


def headers(html: str) -> dict[str, tuple[str, dict[str, list[str]]]]:
    """Sortable column label → (its <th> attributes, the query of its link)."""
    return {
        label.strip(): (attrs, parse_qs(urlsplit(unescape(href)).query))
        for attrs, href, label in HEADER.findall(html)
    }


def link(html: str, rel: str) -> str:
    return unescape(re.search(rf'<a href="([^"]+)" rel="{rel}"', html)[1])


def days(n: int):
    return deadlines.today() + timedelta(days=n)


# --- sorting -------------------------------------------------------------------------------


FOUR = (  # due in … days, submitted … days before NOW, procedure; codes ascend as a, b, c, d
    ("a", 10, 0, "1.004873"),
    ("b", -20, 2, "2.000635"),
    ("c", 1, 3, "1.000656"),
    ("d", -2, 1, "1.004873"),
)


@pytest.fixture
def four(app):
    """Four dossiers whose order differs on every column, by letter."""
    codes = add_dossiers(
        app,
        *(
            {"due_date": days(due), "submitted_at": NOW - timedelta(ago), "procedure_code": proc}
            for _, due, ago, proc in FOUR
        ),
    )
    return {letter: code for (letter, *_), code in zip(FOUR, codes, strict=True)}


@pytest.mark.parametrize(
    ("query", "order"),
    [
        ("", "bdca"),  # default: by due date, oldest overdue first
        ("sap-xep=han-tra&chieu=tang", "bdca"),
        ("sap-xep=han-tra&chieu=giam", "acdb"),
        ("sap-xep=ngay-nop&chieu=tang", "cbda"),
        ("sap-xep=ngay-nop&chieu=giam", "adbc"),
        ("sap-xep=ma-ho-so&chieu=tang", "abcd"),
        ("sap-xep=ma-ho-so&chieu=giam", "dcba"),
        ("sap-xep=thu-tuc&chieu=tang", "cdab"),  # one procedure: most urgent first (d, a)
        ("sap-xep=thu-tuc&chieu=giam", "bdac"),  # … in both directions
        ("sap-xep=thu-tuc", "cdab"),
    ],
)
def test_every_column_sorts_both_ways(app, client, four, query, order):
    sign_in(app, client, HANH)
    html = get_page(client, f"/can-bo?tab=cho-tiep-nhan&{query}").get_data(as_text=True)
    assert listed_codes(html) == [four[k] for k in order]


def test_undated_dossiers_come_last_ascending_and_first_descending(app, client):
    later, undated, oldest, overdue = add_dossiers(
        app,
        {"due_date": days(3)},
        {"due_date": None},
        {"due_date": days(-9)},
        {"due_date": days(-1)},
    )
    sign_in(app, client, HANH)
    html = get_page(client, "/can-bo").get_data(as_text=True)
    assert listed_codes(html) == [oldest, overdue, later, undated]
    assert "sắp xếp theo ngày hẹn trả (quá hạn lâu nhất trước)" in html
    html = get_page(client, "/can-bo?sap-xep=han-tra&chieu=giam").get_data(as_text=True)
    assert listed_codes(html) == [undated, later, overdue, oldest]
    assert "sắp xếp theo ngày hẹn trả (hạn trả xa nhất trước)" in html


@pytest.mark.parametrize(
    "query",
    [
        "sap-xep=khong-co&chieu=giam-dan",
        "sap-xep=due_date&chieu=desc",
        "sap-xep=&chieu=",
        "sap-xep=han-tra&sap-xep=ma-ho-so&chieu=%00",
        "sap-xep=' OR 1=1 --",
        "chieu=tang&trang=-3",
    ],
)
def test_unknown_sort_values_fall_back_to_the_default_order(app, client, four, query):
    sign_in(app, client, HANH)
    html = get_page(client, f"/can-bo?{query}").get_data(as_text=True)
    assert listed_codes(html) == [four[k] for k in "bdca"]


def test_the_current_column_carries_aria_sort_and_links_to_the_other_direction(app, client, four):
    sign_in(app, client, HANH)
    found = headers(get_page(client, "/can-bo?tab=cho-tiep-nhan").get_data(as_text=True))
    assert list(found) == ["Mã hồ sơ", "Thủ tục", "Ngày nộp", "Ngày hẹn trả"]
    attrs, query = found["Ngày hẹn trả"]
    assert attrs == ' aria-sort="ascending"'
    assert query == {"tab": ["cho-tiep-nhan"], "sap-xep": ["han-tra"], "chieu": ["giam"]}
    for label in ("Mã hồ sơ", "Thủ tục", "Ngày nộp"):
        assert "aria-sort" not in found[label][0]
        assert found[label][1]["chieu"] == ["tang"]

    html = get_page(client, "/can-bo?tab=cho-tiep-nhan&sap-xep=ma-ho-so&chieu=giam&trang=2")
    found = headers(html.get_data(as_text=True))
    assert found["Mã hồ sơ"][0] == ' aria-sort="descending"'
    assert found["Mã hồ sơ"][1]["chieu"] == ["tang"]
    assert "aria-sort" not in found["Ngày hẹn trả"][0]
    assert all("trang" not in q for _, q in found.values())  # a new order starts at page 1
    assert html.get_data(as_text=True).count("aria-sort=") == 1


def test_pages_keep_the_order_and_never_show_a_dossier_twice(app, client):
    # 60 dossiers due the same day, submitted in pairs at the same time: the id settles ties.
    codes = add_dossiers(
        app,
        *({"submitted_at": NOW - timedelta(hours=i // 2), "due_date": days(5)} for i in range(60)),
    )
    pairs = list(zip(codes[::2], codes[1::2], strict=True))
    newest_first = [c for pair in pairs for c in pair]  # ties in id order either way
    oldest_first = [c for pair in reversed(pairs) for c in pair]
    sign_in(app, client, HANH)
    first = get_page(client, "/can-bo?sap-xep=ngay-nop&chieu=giam").get_data(as_text=True)
    assert listed_codes(first) == newest_first[:50]
    assert "trang 1/2" in first
    following = link(first, "next")
    assert parse_qs(urlsplit(following).query) == {
        "tab": ["cho-tiep-nhan"],
        "sap-xep": ["ngay-nop"],
        "chieu": ["giam"],
        "trang": ["2"],
    }
    second = get_page(client, following).get_data(as_text=True)
    assert listed_codes(second) == newest_first[50:]
    assert parse_qs(urlsplit(link(second, "prev")).query)["chieu"] == ["giam"]
    ascending = get_page(client, "/can-bo?sap-xep=ngay-nop&chieu=tang&trang=2")
    assert listed_codes(ascending.get_data(as_text=True)) == oldest_first[50:]
    by_due = [get_page(client, f"/can-bo?trang={n}").get_data(as_text=True) for n in (1, 2)]
    assert listed_codes(by_due[0]) + listed_codes(by_due[1]) == oldest_first


# --- bulk return ---------------------------------------------------------------------------


def post_return(client, codes: list[str], **form):
    token = csrf_token(client.get(CHO_TRA).get_data(as_text=True))
    data = {"csrf_token": token, "ho_so": codes} | form
    return client.post(RETURN, data=data, follow_redirects=True)


def test_the_awaiting_return_tab_offers_a_labelled_checkbox_per_dossier(app, client):
    codes = add_dossiers(app, {"status": "approved"}, {"status": "approved"})
    sign_in(app, client, HANH)
    html = get_page(client, CHO_TRA).get_data(as_text=True)
    assert f'action="{RETURN}"' in html and 'name="csrf_token"' in html
    assert '<button type="submit" class="button">Trả kết quả các hồ sơ đã chọn</button>' in html
    for code in codes:
        box = re.search(rf'<input type="checkbox" name="ho_so" value="{code}" id="([^"]+)">', html)
        assert f'<label for="{box[1]}" class="visually-hidden">Chọn hồ sơ {code}</label>' in html
    for tab in ("dang-xu-ly", "da-tra", "qua-han"):  # no bulk action there
        other = get_page(client, f"/can-bo?tab={tab}").get_data(as_text=True)
        assert 'type="checkbox"' not in other


def test_bulk_return_reports_each_dossier_and_returns_the_others(app, client, monkeypatch):
    first, stale, second, processing = add_dossiers(
        app,
        {"status": "approved"},
        {"status": "approved"},
        {"status": "approved"},
        {"status": "processing"},
    )
    [foreign] = add_dossiers(app, {"status": "approved", "office_code": "79.26740"})
    real_apply = workflow.apply

    def apply_after_a_colleague(session, dossier, *args, **kwargs):
        if dossier.code == stale:  # someone saves the dossier between our read and write
            with db.new_session() as other:
                other.execute(update(Dossier).where(Dossier.code == stale).values(version=9))
                other.commit()
        return real_apply(session, dossier, *args, **kwargs)

    monkeypatch.setattr(workflow, "apply", apply_after_a_colleague)
    sign_in(app, client, HANH)
    picked = [first, foreign, stale, processing, "khong-ton-tai", second, first]
    resp = post_return(client, picked)
    assert resp.status_code == 200 and resp.request.path == "/can-bo"
    assert resp.request.args["tab"] == "cho-tra"
    page = resp.get_data(as_text=True)
    check_page(page)
    assert f"Hồ sơ {first}: đã trả kết quả." in page and f"Hồ sơ {second}: đã trả kết quả." in page
    assert f"Hồ sơ {foreign}: không tìm thấy hồ sơ của cơ quan." in page
    assert "Hồ sơ khong-ton-tai: không tìm thấy hồ sơ của cơ quan." in page
    assert f"Hồ sơ {stale}: {CONFLICT}" in page
    assert f"Hồ sơ {processing}: Không thể trả kết quả hồ sơ đang ở trạng thái" in page
    assert page.count("Không thành công:") == 4
    assert [load(app, c).status for c in (first, second)] == ["returned", "returned"]
    assert load(app, first).version == 2  # ticked twice, returned once
    assert [load(app, c).status for c in (stale, processing, foreign)] == [
        "approved",
        "processing",
        "approved",
    ]


def test_a_clerk_without_the_reception_role_cannot_return(app, client):
    codes = add_dossiers(app, {"status": "approved"}, {"status": "approved"})
    with app.app_context(), db.new_session() as session:
        session.add(Staff(personal_id=NO_RECEPTION, office_code=COMMUNE, roles="xu_ly,lanh_dao"))
        session.commit()
    sign_in(app, client, NO_RECEPTION, "Lê Văn Xử")
    html = get_page(client, CHO_TRA).get_data(as_text=True)
    assert codes[0] in html and 'type="checkbox"' not in html
    assert "Trả kết quả các hồ sơ đã chọn" not in html
    token = csrf_token(get_page(client, "/").get_data(as_text=True))
    page = client.post(
        RETURN, data={"csrf_token": token, "ho_so": codes}, follow_redirects=True
    ).get_data(as_text=True)
    for code in codes:
        assert f"Hồ sơ {code}: Bạn không có quyền trả kết quả hồ sơ" in page
        assert load(app, code).status == "approved"


@pytest.mark.parametrize("picked", [[], [""], ["", ""]])
def test_bulk_return_with_nothing_ticked_says_so(app, client, picked):
    [code] = add_dossiers(app, {"status": "approved"})
    sign_in(app, client, HANH)
    resp = post_return(client, picked)
    assert resp.status_code == 200
    check_page(resp.get_data(as_text=True))
    assert "Chưa chọn hồ sơ nào để trả kết quả." in resp.get_data(as_text=True)
    assert load(app, code).status == "approved"


def test_bulk_return_of_more_than_a_page_is_refused(app, client):
    codes = add_dossiers(app, *({"status": "approved"} for _ in range(51)))
    sign_in(app, client, HANH)
    page = post_return(client, codes).get_data(as_text=True)
    assert "Chỉ chọn được tối đa 50 hồ sơ mỗi lần." in page
    assert {load(app, c).status for c in codes} == {"approved"}


def test_a_full_page_is_returned_and_reported_in_one_go(app, client):
    codes = add_dossiers(app, *({"status": "approved"} for _ in range(50)))
    sign_in(app, client, HANH)
    html = get_page(client, CHO_TRA).get_data(as_text=True)
    token = csrf_token(html)
    resp = client.post(RETURN, data={"csrf_token": token, "ho_so": listed_codes(html)})
    cookie = resp.headers["Set-Cookie"]
    assert len(cookie) < 4093, len(cookie)
    print(len(cookie))  # the flashed messages fit the session cookie
    page = get_page(client, CHO_TRA).get_data(as_text=True)
    assert page.count(": đã trả kết quả.") == 50
    assert {load(app, c).status for c in codes} == {"returned"}


@pytest.mark.parametrize("token", [None, "", "khong-hop-le"])
def test_bulk_return_without_a_valid_csrf_token_is_refused(app, client, token):
    [code] = add_dossiers(app, {"status": "approved"})
    sign_in(app, client, HANH)
    data = {"ho_so": [code]} | ({} if token is None else {"csrf_token": token})
    assert client.post(RETURN, data=data).status_code == 400
    assert load(app, code).status == "approved"


@pytest.mark.parametrize(("who", "status"), [(AN, 403), (LONG, 302)])
def test_bulk_return_by_someone_else_changes_nothing(app, client, who, status):
    [code] = add_dossiers(app, {"status": "approved"})
    sign_in(app, client, who)
    token = csrf_token(client.get("/").get_data(as_text=True))
    resp = client.post(RETURN, data={"csrf_token": token, "ho_so": [code]})
    assert resp.status_code == status
    if status == 302:  # staff of another office: as if the dossier did not exist
        page = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert f"Hồ sơ {code}: không tìm thấy hồ sơ của cơ quan." in page
    assert load(app, code).status == "approved"
