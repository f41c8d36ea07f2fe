"""A marriage filed with the marital-status confirmation from the citizen's data store
(Flask test client, the registry stubbed): no upload asked, the summary shows the document,
the dossier records it, the clerk and the receipt show it; without a usable confirmation the
paper is asked for; a document changed between the summary and submit is refused."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, ResultDocument, ReusedDocument, utcnow
from portal.services import registry, results, workflow
from tests.factories import (
    AN,
    BINH,
    HANH,
    LAN,
    MARITAL,
    PURPOSE,
    RECORD,
    act,
    issue_confirmation,
    sign_in,
)
from tests.support.filing import LOCKED_HASH, csrf_token
from tests.support.html import check_page, get_page

MARRIAGE, CONFIRMATION = "1.000894", MARITAL
RESIDENCE = {
    "street": "15 Lê Lợi",
    "ward_code": 26743,
    "ward_name": "Phường Bến Thành",
    "province_code": 79,
    "province_name": "Thành phố Hồ Chí Minh",
    "full": "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
}


def _record(personal_id: str, **values) -> dict:
    record = {**RECORD, "permanent_residence": {**RECORD["permanent_residence"]}}
    record["permanent_residence"]["value"] = RESIDENCE
    record["personal_id"] = {**RECORD["personal_id"], "value": personal_id}
    for key, value in values.items():
        record[key] = {**RECORD[key], "value": value}
    return record


RECORDS = {
    AN: _record(AN),
    LAN: _record(LAN, full_name="Đỗ Thị Lan", birth_date="2002-01-15", sex="Nữ", household=None),
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(backoffice_app):
    """The portal with the demo staff and the commune's office (tests/web/conftest.py)."""
    return backoffice_app


@pytest.fixture
def citizen(app, monkeypatch):
    """An, signed in, with the registry answering for him and Lan (and matching her name)."""

    def lookup(_issuer, _token, personal_id, **_kwargs):
        if personal_id not in RECORDS:
            raise registry.PersonNotFound(personal_id)
        return RECORDS[personal_id]

    def match(_issuer, _token, personal_id, full_name, birth_date=None, **_kwargs):
        found = RECORDS.get(personal_id)
        return (
            found is not None
            and found["full_name"]["value"] == full_name
            and birth_date in (None, found["birth_date"]["value"])
        )

    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: RECORDS[AN])
    monkeypatch.setattr(registry, "lookup", lookup)
    monkeypatch.setattr(registry, "match", match)
    monkeypatch.setattr(app.extensions["vneid"], "service_token", lambda *_a, **_k: "st")
    client = app.test_client()
    sign_in(app, client, AN, "Nguyễn Văn An")
    return client


@pytest.fixture
def clerk(app):
    client = app.test_client()
    sign_in(app, client, HANH)
    return client


def _tamper(app, doc: ResultDocument, **values) -> None:
    """Change a stored document behind the signature's back."""
    with app.app_context(), db.new_session() as session:
        session.execute(update(ResultDocument).where(ResultDocument.id == doc.id).values(**values))
        session.commit()


def _post(client, step: str, data: dict | None = None, **kwargs):
    path = f"/nop-ho-so/{MARRIAGE}/{step}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def _fill(client) -> list[str]:
    """Walk the marriage from its start to the summary; the steps that were shown."""
    shown = [client.get(f"/nop-ho-so/{MARRIAGE}").headers["Location"].rsplit("/", 1)[1]]
    data = {
        "ben-kia": {
            "partner_personal_id": LAN,
            "partner_full_name": "Đỗ Thị Lan",
            "partner_birth_date": "15/01/2002",
        }
    }
    while shown[-1] != "xem-lai":
        if shown[-1] == "tep-dinh-kem":
            break  # the caller decides what to attach
        resp = _post(client, shown[-1], data.get(shown[-1]))
        assert resp.status_code == 302, (shown[-1], resp.get_data(as_text=True)[:600])
        shown.append(resp.headers["Location"].rsplit("/", 1)[1])
    return shown


def _summary(client) -> str:
    return get_page(client, f"/nop-ho-so/{MARRIAGE}/xem-lai").get_data(as_text=True)


def _submit_form(client) -> dict[str, str]:
    page = _summary(client)
    found = LOCKED_HASH.search(page)
    return {"csrf_token": csrf_token(page), "locked_hash": found[1] if found else ""}


def _submit(client, form: dict[str, str] | None = None):
    return client.post(f"/nop-ho-so/{MARRIAGE}/nop", data=form or _submit_form(client))


def _filed(app) -> list[Dossier]:
    with app.app_context(), db.new_session() as session:
        found = session.exec(
            select(Dossier).where(Dossier.procedure_code == MARRIAGE, Dossier.code.is_not(None))
        ).all()
        session.expunge_all()
        return list(found)


def _reused(app) -> list[ReusedDocument]:
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(ReusedDocument)).all()
        session.expunge_all()
        return list(found)


def _lan_confirms(app, dossier: Dossier) -> None:
    """The other spouse confirms (her page is tests/web/test_party_pages.py's): only then
    does the office see the marriage."""
    with app.app_context(), db.new_session() as session:
        moved = workflow.apply(
            session, dossier.code, "confirm_party", workflow.party(LAN),
            expected_version=dossier.version, now=utcnow(),
        )  # fmt: skip
        assert moved.status == "submitted"


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed, to read sentences across markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- a usable confirmation is reused ----------------------------------------------------------


def test_marriage_reuses_the_confirmation_and_everyone_sees_it(app, citizen, clerk):
    doc = issue_confirmation(app)
    assert _fill(citizen) == ["ban-than", "ben-kia", "thong-tin-ben-kia", "noi-nop", "xem-lai"]
    assert citizen.get(f"/nop-ho-so/{MARRIAGE}/tep-dinh-kem").status_code == 404

    page = _summary(citizen)
    text = _text(page)
    assert "Tái sử dụng từ kho dữ liệu cá nhân" in text
    assert (
        f"Giấy xác nhận tình trạng hôn nhân (bản điện tử) số {doc.number}, cấp ngày "
        f"{results.issued_date(doc)}, bởi UBND Phường Bến Thành" in text
    )
    assert f'href="/tra-cuu-ket-qua/{doc.verification_code}"' in page
    assert "Cần đính kèm" not in text
    assert 'name="locked_hash"' in page

    resp = _submit(citizen)
    assert resp.status_code == 302 and "/ho-so/" in resp.headers["Location"], resp.status_code
    (dossier,) = _filed(app)
    (kept,) = _reused(app)
    assert (kept.dossier_id, kept.component, kept.result_id) == (dossier.id, 2, doc.id)
    assert kept.valid_until is not None

    _lan_confirms(app, dossier)
    assert act(clerk, dossier.code, "receive").status_code == 302  # the receipt comes now
    receipt = _text(get_page(citizen, f"/ho-so/{dossier.code}/phieu-tiep-nhan").get_data(True))
    assert f"Tái sử dụng từ kho dữ liệu cá nhân {doc.title} số {doc.number}" in receipt
    pdf = citizen.get(f"/ho-so/{dossier.code}/phieu-tiep-nhan.pdf").get_data()
    pdf_text = " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())
    assert f"Tái sử dụng từ kho dữ liệu cá nhân: {doc.title} số {doc.number}" in pdf_text

    own_page = _text(get_page(citizen, f"/ho-so/{dossier.code}").get_data(as_text=True))
    assert f"tái sử dụng từ kho dữ liệu của bạn ({doc.title} số {doc.number}" in own_page

    staff_page = _text(get_page(clerk, f"/can-bo/ho-so/{dossier.code}").get_data(as_text=True))
    assert f"tái sử dụng từ kho dữ liệu cá nhân: {doc.title} số {doc.number}" in staff_page
    assert "✓ Chữ ký số hợp lệ" in staff_page
    assert f"Tra cứu văn bản số {doc.number}" in staff_page
    assert "Giấy tờ tùy thân của hai bên: dùng lại từ CSDLQG về dân cư" in staff_page

    _tamper(app, doc, signer_name="Người khác")  # the clerk sees a document changed since
    staff_page = _text(get_page(clerk, f"/can-bo/ho-so/{dossier.code}").get_data(as_text=True))
    assert "✗ Chữ ký số không hợp lệ" in staff_page and "✓ Chữ ký số hợp lệ" not in staff_page


def test_the_newest_of_two_confirmations_is_reused(app, citizen):
    issue_confirmation(app, days_ago=40)
    newest = issue_confirmation(app, days_ago=5)
    _fill(citizen)
    assert newest.number in _summary(citizen)
    assert _submit(citizen).status_code == 302
    assert [r.result_id for r in _reused(app)] == [newest.id]


# --- without one, the paper is asked for ------------------------------------------------------

FALLBACKS = {
    "none": ({}, "Kho dữ liệu cá nhân của bạn chưa có giấy xác nhận tình trạng hôn nhân"),
    "expired": ({"days_ago": 200}, "đã hết hạn sử dụng"),
    "other purpose": (
        {"content": {PURPOSE: "Vay vốn ngân hàng"}},
        f"văn bản ghi «{PURPOSE}: Vay vốn ngân hàng», hồ sơ này cần «Đăng ký kết hôn»",
    ),
    "another citizen's": (
        {"owner": BINH},
        "Kho dữ liệu cá nhân của bạn chưa có giấy xác nhận tình trạng hôn nhân",
    ),
}


@pytest.mark.parametrize(("issued", "told"), FALLBACKS.values(), ids=FALLBACKS.keys())
def test_without_a_usable_confirmation_the_paper_must_be_attached(
    app, citizen, clerk, issued, told
):
    if issued:
        issue_confirmation(app, **issued)
    assert _fill(citizen) == ["ban-than", "ben-kia", "thong-tin-ben-kia", "tep-dinh-kem"]
    step = get_page(citizen, f"/nop-ho-so/{MARRIAGE}/tep-dinh-kem").get_data(as_text=True)
    assert told in _text(step)
    assert f'href="/nop-ho-so/{CONFIRMATION}"' in step  # get it online first
    assert 'aria-describedby="upload_2-reuse upload_2-hint"' in step

    refused = _post(citizen, "tep-dinh-kem")
    assert refused.status_code == 400
    check_page(refused.get_data(as_text=True))
    assert "Vui lòng đính kèm giấy xác nhận tình trạng hôn nhân." in refused.get_data(True)

    summary = _text(_summary(citizen))
    assert "Cần đính kèm: Giấy xác nhận tình trạng hôn nhân" in summary and told in summary
    assert "Tái sử dụng từ kho dữ liệu cá nhân" not in summary
    resp = _submit(citizen, {"csrf_token": csrf_token(_summary(citizen)), "locked_hash": "x"})
    assert resp.headers["Location"].endswith("/xem-lai") and not _filed(app)

    sent = {"upload_2": (BytesIO(PDF), "xac-nhan.pdf")}
    attached = _post(citizen, "tep-dinh-kem", sent, content_type="multipart/form-data")
    assert attached.status_code == 302
    assert "Cần đính kèm" not in _text(_summary(citizen))
    assert _submit(citizen).status_code == 302
    (dossier,) = _filed(app)
    assert _reused(app) == []
    _lan_confirms(app, dossier)
    assert act(clerk, dossier.code, "receive").status_code == 302
    receipt = _text(get_page(citizen, f"/ho-so/{dossier.code}/phieu-tiep-nhan").get_data(True))
    assert "Giấy xác nhận tình trạng hôn nhân Tệp đính kèm" in receipt
    staff_page = _text(get_page(clerk, f"/can-bo/ho-so/{dossier.code}").get_data(as_text=True))
    assert "Giấy xác nhận tình trạng hôn nhân: bản tải lên xac-nhan.pdf" in staff_page


# --- changes between the summary and submit ---------------------------------------------------


def test_a_document_tampered_after_the_summary_is_refused_cleanly(app, citizen):
    doc = issue_confirmation(app)
    _fill(citizen)
    form = _submit_form(citizen)
    _tamper(app, doc, content={**doc.content, PURPOSE: "Đăng ký kết hôn lần hai"})
    resp = _submit(citizen, form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    assert not _filed(app) and not _reused(app)
    summary = _text(_summary(citizen))
    assert "chữ ký số không hợp lệ" in summary
    assert "Cần đính kèm: Giấy xác nhận tình trạng hôn nhân" in summary


def test_a_document_issued_after_the_summary_makes_the_citizen_look_again(app, citizen):
    issue_confirmation(app, days_ago=40)
    _fill(citizen)
    form = _submit_form(citizen)
    newer = issue_confirmation(app, days_ago=1)  # the summary showed the older one
    resp = _submit(citizen, form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    assert not _filed(app)
    page = _summary(citizen)
    assert "đã thay đổi so với trang bạn vừa xem" in page and newer.number in page
    assert _submit(citizen).status_code == 302
    assert [r.result_id for r in _reused(app)] == [newer.id]


def test_the_reused_document_is_never_taken_from_the_form(app, citizen):
    theirs = issue_confirmation(app, owner=BINH)
    _fill(citizen)
    form = _submit_form(citizen) | {"reuse:2": theirs.verification_code, "result_id": theirs.id}
    resp = _submit(citizen, form)
    assert resp.headers["Location"].endswith("/xem-lai")  # the paper is still missing
    assert not _filed(app) and not _reused(app)
