"""The clerk's desk (issue 13 item 8) through the Flask test client: the queue names the
applicant and flags what needs attention, the dossier page puts the actions first, "approve
and sign" shows the unsigned result before signing it, and timelines name staff."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from sqlmodel import select

from portal.db import db
from portal.models import DossierParty
from portal.models.results import ResultDocument
from portal.services import queues
from tests.factories import (
    AN,
    COMMUNE_NAME,
    HANH,
    LAN,
    act,
    add_dossiers,
    add_rows,
    load,
    sign_in,
)
from tests.support.filing import csrf_token
from tests.support.html import get_page

HANH_SHOWN = "Trương Thị Hạnh — UBND Phường Bến Thành"


@pytest.fixture
def app(backoffice_app):
    return backoffice_app


@pytest.fixture
def client(app):
    return app.test_client()


def _row(html: str, code: str) -> str:
    """The queue's table row of `code`."""
    found = re.search(rf"<tr>(?:(?!</tr>).)*?/can-bo/ho-so/{re.escape(code)}\".*?</tr>", html, re.S)
    assert found, code
    return found[0]


# --- the queue ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "sync", "error", "parties", "duplicate", "expected"),
    [
        ("submitted", None, None, False, False, ()),
        ("awaiting_parties", None, None, False, False, (queues.PARTIES_PENDING,)),
        ("awaiting_confirmation", None, None, False, False, (queues.PARTIES_PENDING,)),
        ("submitted", None, None, True, False, (queues.PARTIES_PENDING,)),
        ("awaiting_payment", None, None, False, False, (queues.UNPAID,)),
        ("processing", "refused", 422, False, False, (queues.REGISTRY_CONFLICT,)),
        ("approved", "pending", 503, False, False, (queues.REGISTRY_CONFLICT,)),
        ("approved", "pending", None, False, False, ()),
        ("returned", "done", None, False, False, ()),
        ("submitted", None, None, False, True, (queues.DUPLICATE_RISK,)),
    ],
)
def test_flags_of_a_row(status, sync, error, parties, duplicate, expected):
    assert queues.flags_of(status, sync, error, parties, duplicate) == expected


def test_the_queue_names_the_applicant_not_their_personal_id(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    html = get_page(client, "/can-bo").get_data(as_text=True)
    row = _row(html, code)
    assert "Nguyễn Văn An" in row and AN not in row
    assert "Người nộp" in html and "Số định danh người nộp" not in html


def test_the_queue_flags_registry_conflicts_duplicates_and_waiting_parties(app, client):
    refused, failing, calm = add_dossiers(
        app,
        {"status": "approved", "registry_sync": "refused", "registry_error_status": 422},
        {"status": "approved", "registry_sync": "pending", "registry_error_status": 503},
        {"status": "approved"},
    )
    earlier, again = add_dossiers(
        app,
        {"status": "returned", "subject_key": "applicant:" + AN},
        {"subject_key": "applicant:" + AN},
    )
    [waiting] = add_dossiers(app, {})
    waiting_id = load(app, waiting).id
    assert waiting_id is not None
    add_rows(
        app,
        DossierParty(
            dossier_id=waiting_id, personal_id=LAN, full_name="Đỗ Thị Lan", role="spouse",
            consent="required",
        ),
    )  # fmt: skip
    sign_in(app, client, HANH)
    ready = get_page(client, "/can-bo?tab=cho-tra").get_data(as_text=True)
    assert queues.REGISTRY_CONFLICT.label in _row(ready, refused)
    assert queues.REGISTRY_CONFLICT.label in _row(ready, failing)
    assert "flag" not in _row(ready, calm)
    submitted = get_page(client, "/can-bo").get_data(as_text=True)
    assert queues.DUPLICATE_RISK.label in _row(submitted, again)
    assert queues.PARTIES_PENDING.label in _row(submitted, waiting)
    assert queues.DUPLICATE_RISK.label not in _row(submitted, waiting)
    done = get_page(client, "/can-bo?tab=da-tra").get_data(as_text=True)
    assert queues.DUPLICATE_RISK.label in _row(done, earlier)  # the other one is open


def test_the_flags_of_a_page_take_a_fixed_number_of_queries(app, client):
    """Names, parties and duplicates are read per page, not per row."""
    add_dossiers(app, *({"subject_key": f"applicant:{n}"} for n in range(12)))
    sign_in(app, client, HANH)
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        get_page(client, "/can-bo")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    parties = [s for s in statements if "dossier_party" in s and "FROM dossier_party" in s]
    assert len(parties) <= 1, parties


# --- the dossier page --------------------------------------------------------------------


def test_the_actions_come_before_the_data_and_the_timeline(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    html = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    summary, actions = html.index('id="tong-quan"'), html.index('id="xu-ly"')
    data, timeline = html.index('id="thong-tin"'), html.index('id="tien-trinh"')
    assert summary < actions < data < timeline
    assert html.index('id="nut-receive"') < data


def _preview_form(html: str) -> tuple[str, dict]:
    action = re.search(r'<form method="post" action="([^"]+/approve)"', html)
    version = re.search(r'name="version" value="(\d+)"', html)
    assert action and version
    return action[1], {"csrf_token": csrf_token(html), "version": version[1]}


def test_approve_shows_the_unsigned_result_then_signs_it(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    act(client, code, "receive")
    act(client, code, "start")
    page = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    assert f'<form method="get" action="/can-bo/ho-so/{code}/duyet-ky"' in page
    preview = get_page(client, f"/can-bo/ho-so/{code}/duyet-ky").get_data(as_text=True)
    assert "DỰ THẢO — chưa ký" in preview
    assert "Nguyễn Văn An" in preview and "Trương Thị Hạnh" in preview
    assert "(cấp số khi ký)" in preview and "Đã ký số" not in preview
    dossier = load(app, code)
    assert dossier.status == "processing"
    with app.app_context(), db.new_session() as session:
        stored = select(ResultDocument).where(ResultDocument.dossier_id == dossier.id)
        assert session.exec(stored).all() == []  # nothing signed by looking
    action, form = _preview_form(preview)
    resp = client.post(action, data=form)
    assert resp.status_code == 302
    assert load(app, code).status == "approved"
    with app.app_context(), db.new_session() as session:
        [doc] = session.exec(stored).all()
        assert doc.signer_name == "Trương Thị Hạnh"
        assert doc.content["Họ, chữ đệm và tên"] == "Nguyễn Văn An"


def test_the_preview_is_refused_when_approval_is_not_possible(app, client):
    [code] = add_dossiers(app, {})  # submitted: not yet processed
    sign_in(app, client, HANH)
    resp = client.get(f"/can-bo/ho-so/{code}/duyet-ky")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/can-bo/ho-so/{code}")
    assert load(app, code).status == "submitted"


def test_the_preview_without_csrf_signs_nothing(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    act(client, code, "receive")
    act(client, code, "start")
    preview = get_page(client, f"/can-bo/ho-so/{code}/duyet-ky").get_data(as_text=True)
    action, form = _preview_form(preview)
    resp = client.post(action, data={"version": form["version"]})
    assert resp.status_code == 400
    assert load(app, code).status == "processing"


# --- timelines ---------------------------------------------------------------------------


def _timeline(html: str) -> str:
    start = html.index('id="tien-trinh"')
    return html[start : html.index("</ol>", start)]


def test_timelines_name_staff_and_never_show_their_personal_id(app, client):
    [code] = add_dossiers(app, {})
    sign_in(app, client, HANH)
    act(client, code, "receive")
    act(client, code, "start")
    clerk = _timeline(get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True))
    assert HANH_SHOWN in clerk and HANH not in clerk
    assert COMMUNE_NAME in clerk

    citizen = app.test_client()
    sign_in(app, citizen, AN)
    html = get_page(citizen, f"/ho-so/{code}").get_data(as_text=True)
    assert HANH_SHOWN in _timeline(html)
    assert HANH not in html
