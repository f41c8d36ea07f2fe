"""A contract on a house certified (chứng thực hợp đồng, giao dịch, 2.001035) with the
marital-status confirmation from the citizen's data store (Flask test client, the registry
stubbed): the confirmation is not asked for, the summary shows the document, the dossier
records it, the clerk and the receipt show it; without a usable confirmation (none, expired,
revoked, issued for another purpose, someone else's) the paper is asked for; a document changed
between the summary and submit is refused; which document is reused never comes from the form.

A domestic marriage no longer asks for this confirmation (the registry is queried): the
chứng thực of a sale by a single owner is where the portal still reuses it."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, ResultDocument, ReusedDocument, utcnow
from portal.services import registry, results
from tests.factories import (
    AN,
    BINH,
    HANH,
    MARITAL,
    PURPOSE,
    RECORD,
    act,
    issue_confirmation,
    sign_in,
)
from tests.support.filing import LOCKED_HASH, csrf_token
from tests.support.html import check_page, get_page
from tests.support.payment_stub import paid_through_ipn

CONTRACT, CONFIRMATION = "2.001035", MARITAL
FOR_PROPERTY = {PURPOSE: "Mua bán nhà đất"}  # the purpose 2.001035 asks for
REUSED = 4  # the data-store component's index in 2.001035's [[components]]
PAPERS = ("upload_1", "upload_2")  # the draft contract, the papers of the house
RESIDENCE = {
    "street": "15 Lê Lợi",
    "ward_code": 26743,
    "ward_name": "Phường Bến Thành",
    "province_code": 79,
    "province_name": "Thành phố Hồ Chí Minh",
    "full": "15 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
}
AN_RECORD = {
    **RECORD,
    "permanent_residence": {**RECORD["permanent_residence"], "value": RESIDENCE},
}
TYPED = {
    "nguoi-yeu-cau": {"applicant_phone": "0903123456"},
    "giao-dich": {
        "transaction_kind": "Mua bán, tặng cho nhà ở",
        "asset_kind": "Nhà ở",
        "asset_description": "Nhà số 15 Lê Lợi, thửa đất số 125, tờ bản đồ số 7, 120 m².",
        "property_ward_code": "Phường Bến Thành",
    },
    "cac-ben": {
        "other_parties": "Bà Đỗ Thị Lan, số định danh cá nhân 079302034567",
        "contract_pages": "3",
        "copies": "2",
    },
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(backoffice_app):
    """The portal with the demo staff and the commune's office (tests/web/conftest.py)."""
    return backoffice_app


@pytest.fixture
def citizen(app, monkeypatch):
    """An, signed in, with the registry answering for him."""
    monkeypatch.setattr(registry, "my_record", lambda *_a, **_k: AN_RECORD)
    monkeypatch.setattr(app.extensions["vneid"], "service_token", lambda *_a, **_k: "st")
    client = app.test_client()
    sign_in(app, client, AN, "Nguyễn Văn An")
    return client


@pytest.fixture
def clerk(app):
    client = app.test_client()
    sign_in(app, client, HANH)
    return client


def _issue(app, **kwargs) -> ResultDocument:
    """A signed confirmation in the data store, issued for a sale unless told otherwise."""
    return issue_confirmation(app, **{"content": FOR_PROPERTY, **kwargs})


def _tamper(app, doc: ResultDocument, **values) -> None:
    """Change a stored document behind the signature's back."""
    with app.app_context(), db.new_session() as session:
        session.execute(update(ResultDocument).where(ResultDocument.id == doc.id).values(**values))
        session.commit()


def _post(client, step: str, data: dict | None = None, **kwargs):
    path = f"/nop-ho-so/{CONTRACT}/{step}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def _papers(*names: str) -> dict:
    return {name: (BytesIO(PDF), f"{name}.pdf") for name in names}


def _attach(client, *names: str):
    return _post(client, "tep-dinh-kem", _papers(*names), content_type="multipart/form-data")


def _fill(client) -> list[str]:
    """Walk the contract from its start to the attachments; the steps that were shown."""
    shown = [client.get(f"/nop-ho-so/{CONTRACT}").headers["Location"].rsplit("/", 1)[1]]
    while shown[-1] != "tep-dinh-kem":  # the caller decides what to attach
        resp = _post(client, shown[-1], TYPED.get(shown[-1]))
        assert resp.status_code == 302, (shown[-1], resp.get_data(as_text=True)[:600])
        shown.append(resp.headers["Location"].rsplit("/", 1)[1])
    return shown


def _to_summary(client, *extra: str) -> None:
    """Attach the papers every contract needs (and `extra`), then choose where to file."""
    assert _attach(client, *PAPERS, *extra).status_code == 302
    resp = _post(client, "noi-nop")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")


def _summary(client) -> str:
    return get_page(client, f"/nop-ho-so/{CONTRACT}/xem-lai").get_data(as_text=True)


def _submit_form(client) -> dict[str, str]:
    page = _summary(client)
    found = LOCKED_HASH.search(page)
    return {"csrf_token": csrf_token(page), "locked_hash": found[1] if found else ""}


def _submit(client, form: dict[str, str] | None = None):
    return client.post(f"/nop-ho-so/{CONTRACT}/nop", data=form or _submit_form(client))


def _filed(app) -> list[Dossier]:
    with app.app_context(), db.new_session() as session:
        found = session.exec(
            select(Dossier).where(Dossier.procedure_code == CONTRACT, Dossier.code.is_not(None))
        ).all()
        session.expunge_all()
        return list(found)


def _reused(app) -> list[ReusedDocument]:
    with app.app_context(), db.new_session() as session:
        found = session.exec(select(ReusedDocument)).all()
        session.expunge_all()
        return list(found)


def _text(html: str) -> str:
    """The page's text, tags dropped and spaces collapsed, to read sentences across markup."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _upload_inputs(client) -> list[str]:
    page = get_page(client, f"/nop-ho-so/{CONTRACT}/tep-dinh-kem").get_data(as_text=True)
    return re.findall(r'type="file" id="(upload_\d+)"', page)


# --- a usable confirmation is reused ----------------------------------------------------------


def test_the_contract_reuses_the_confirmation_and_everyone_sees_it(app, citizen, clerk):
    doc = _issue(app)
    assert _fill(citizen) == ["nguoi-yeu-cau", "giao-dich", "cac-ben", "tep-dinh-kem"]
    assert _upload_inputs(citizen) == list(PAPERS)  # the confirmation is not asked for
    _to_summary(citizen)

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
    assert (kept.dossier_id, kept.component, kept.result_id) == (dossier.id, REUSED, doc.id)
    assert kept.valid_until is not None

    paid_through_ipn(app, dossier.code)  # 50.000 đồng, paid online before reception
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
    assert "Giấy tờ tùy thân của người yêu cầu: dùng lại từ CSDLQG về dân cư" in staff_page

    _tamper(app, doc, signer_name="Người khác")  # the clerk sees a document changed since
    staff_page = _text(get_page(clerk, f"/can-bo/ho-so/{dossier.code}").get_data(as_text=True))
    assert "✗ Chữ ký số không hợp lệ" in staff_page and "✓ Chữ ký số hợp lệ" not in staff_page


def test_the_newest_of_two_confirmations_is_reused(app, citizen):
    _issue(app, days_ago=40)
    newest = _issue(app, days_ago=5)
    _fill(citizen)
    _to_summary(citizen)
    assert newest.number in _summary(citizen)
    assert _submit(citizen).status_code == 302
    assert [r.result_id for r in _reused(app)] == [newest.id]


def test_an_older_usable_one_is_reused_when_the_newest_is_for_a_marriage(app, citizen):
    older = _issue(app, days_ago=60)
    _issue(app, content={PURPOSE: "Đăng ký kết hôn"}, days_ago=2)
    _fill(citizen)
    assert _upload_inputs(citizen) == list(PAPERS)
    _to_summary(citizen)
    assert older.number in _summary(citizen)
    assert _submit(citizen).status_code == 302
    assert [r.result_id for r in _reused(app)] == [older.id]


# --- without one, the paper is asked for ------------------------------------------------------

NONE_YET = "Kho dữ liệu cá nhân của bạn chưa có giấy xác nhận tình trạng hôn nhân"
FALLBACKS = {
    "none": ({}, NONE_YET),
    "expired": ({"days_ago": 200}, "đã hết hạn sử dụng"),
    "issued for a marriage": (
        {"content": {PURPOSE: "Đăng ký kết hôn"}},
        f"văn bản ghi «{PURPOSE}: Đăng ký kết hôn», hồ sơ này cần «Mua bán nhà đất»",
    ),
    "revoked": ({"revoked": "Cấp sai đối tượng"}, "thu hồi"),
    "another citizen's": ({"owner": BINH}, NONE_YET),
}


@pytest.mark.parametrize(("issued", "told"), FALLBACKS.values(), ids=FALLBACKS.keys())
def test_without_a_usable_confirmation_the_paper_must_be_attached(
    app, citizen, clerk, issued, told
):
    if issued:
        revoked = issued.get("revoked")
        doc = _issue(app, **{k: v for k, v in issued.items() if k != "revoked"})
        if revoked:
            _tamper(app, doc, revoked_at=utcnow() - timedelta(days=1), revoked_reason=revoked)
    _fill(citizen)
    assert _upload_inputs(citizen) == [*PAPERS, f"upload_{REUSED}"]
    step = get_page(citizen, f"/nop-ho-so/{CONTRACT}/tep-dinh-kem").get_data(as_text=True)
    assert told in _text(step)
    assert f'href="/nop-ho-so/{CONFIRMATION}"' in step  # get it online first
    assert f'aria-describedby="upload_{REUSED}-reuse upload_{REUSED}-hint"' in step

    refused = _attach(citizen, *PAPERS)
    assert refused.status_code == 400
    check_page(refused.get_data(as_text=True))
    assert "Vui lòng đính kèm giấy xác nhận tình trạng hôn nhân." in refused.get_data(True)

    assert _post(citizen, "noi-nop").status_code == 302
    summary = _text(_summary(citizen))
    assert "Cần đính kèm: Giấy xác nhận tình trạng hôn nhân" in summary and told in summary
    assert "Tái sử dụng từ kho dữ liệu cá nhân" not in summary
    resp = _submit(citizen, {"csrf_token": csrf_token(_summary(citizen)), "locked_hash": "x"})
    assert resp.headers["Location"].endswith("/xem-lai") and not _filed(app)

    assert _attach(citizen, f"upload_{REUSED}").status_code == 302  # the papers stay
    assert "Cần đính kèm" not in _text(_summary(citizen))
    assert _submit(citizen).status_code == 302
    (dossier,) = _filed(app)
    assert _reused(app) == []
    paid_through_ipn(app, dossier.code)
    assert act(clerk, dossier.code, "receive").status_code == 302
    receipt = _text(get_page(citizen, f"/ho-so/{dossier.code}/phieu-tiep-nhan").get_data(True))
    assert "Giấy xác nhận tình trạng hôn nhân Tệp đính kèm" in receipt
    staff_page = _text(get_page(clerk, f"/can-bo/ho-so/{dossier.code}").get_data(as_text=True))
    assert f"Giấy xác nhận tình trạng hôn nhân: bản tải lên upload_{REUSED}.pdf" in staff_page


# --- changes between the summary and submit ---------------------------------------------------


def test_a_document_tampered_after_the_summary_is_refused_cleanly(app, citizen):
    doc = _issue(app)
    _fill(citizen)
    _to_summary(citizen)
    form = _submit_form(citizen)
    _tamper(app, doc, content={**doc.content, PURPOSE: "Mua bán nhà đất lần hai"})
    resp = _submit(citizen, form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    assert not _filed(app) and not _reused(app)
    summary = _text(_summary(citizen))
    assert "chữ ký số không hợp lệ" in summary
    assert "Cần đính kèm: Giấy xác nhận tình trạng hôn nhân" in summary


def test_a_document_issued_after_the_summary_makes_the_citizen_look_again(app, citizen):
    _issue(app, days_ago=40)
    _fill(citizen)
    _to_summary(citizen)
    form = _submit_form(citizen)
    newer = _issue(app, days_ago=1)  # the summary showed the older one
    resp = _submit(citizen, form)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/xem-lai")
    assert not _filed(app)
    page = _summary(citizen)
    assert "đã thay đổi so với trang bạn vừa xem" in page and newer.number in page
    assert _submit(citizen).status_code == 302
    assert [r.result_id for r in _reused(app)] == [newer.id]


def test_the_reused_document_is_never_taken_from_the_form(app, citizen):
    theirs = _issue(app, owner=BINH)
    _fill(citizen)
    assert _attach(citizen, *PAPERS).status_code == 400  # none of An's own to reuse
    assert _post(citizen, "noi-nop").status_code == 302
    form = _submit_form(citizen) | {
        f"reuse:{REUSED}": theirs.verification_code,
        "result_id": theirs.id,
    }
    resp = _submit(citizen, form)
    assert resp.headers["Location"].endswith("/xem-lai")  # the paper is still missing
    assert not _filed(app) and not _reused(app)
