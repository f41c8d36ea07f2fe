"""A supplement answered with files (Flask test client, no provider): the same upload rules
as filing, stored with the number of the request answered, listed for every party; a bad
file, an empty answer or a cancelled request stores nothing and keeps what was typed."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest

from portal.db import db
from portal.models import Dossier, DossierEvent, DossierFile, DossierParty, utcnow
from portal.services import uploads, workflow
from tests.factories import AN, BINH, HANH, LAN, add_dossiers, add_rows, load, sign_in, stored
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 100
REQUEST = "1. Bản sao giấy chứng sinh\n2. Ảnh chân dung"
TYPED = "Tôi gửi bổ sung bản sao giấy chứng sinh"


def _waiting(app, *, requests: int = 1) -> str:
    """An's dossier waiting for the answer to its `requests`-th supplement request (the
    first asked at reception, the next during processing), version 3."""
    asked = utcnow() - timedelta(hours=2)
    (code,) = add_dossiers(
        app,
        {
            "status": "supplement_requested",
            "version": 3,
            "received_at": asked - timedelta(days=1),
            "paused_at": asked,
        },
    )
    dossier_id = load(app, code).id
    steps = [("submitted", "supplement_requested", "request_supplement", REQUEST)]
    if requests == 2:  # answered, received, then asked again during processing
        steps += [
            ("supplement_requested", "submitted", "resubmit", "Đã bổ sung"),
            ("submitted", "received", "receive", None),
            ("received", "processing", "start", None),
            ("processing", "supplement_requested", "request_supplement", REQUEST),
        ]
    add_rows(
        app,
        *(
            DossierEvent(
                dossier_id=dossier_id,
                at=asked,
                actor_id=HANH,
                actor_role="xu_ly",
                action=action,
                from_status=source,
                to_status=target,
                note=note,
            )
            for source, target, action, note in steps
        ),
    )
    return code


def _as(app, personal_id: str = AN):
    client = app.test_client()
    sign_in(app, client, personal_id)
    return client


def _answer(client, code: str, text: str = "", files=(), version: str = "3"):
    token = csrf_token(client.get(f"/ho-so/{code}").get_data(as_text=True))
    data = {"csrf_token": token, "version": version, "supplement": text}
    data["files"] = [(BytesIO(body), name) for name, body in files]
    return client.post(f"/ho-so/{code}/bo-sung", data=data, content_type="multipart/form-data")


def _on_disk(app) -> set[str]:
    folder = Path(app.instance_path) / "uploads"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_the_form_takes_files(backoffice_app):
    code = _waiting(backoffice_app)
    html = get_page(_as(backoffice_app), f"/ho-so/{code}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="field__label" for="files">' in html
    assert 'type="file" id="files" name="files" multiple' in html
    assert "PDF, JPEG hoặc PNG" in html and "5 MB" in html


def test_files_alone_answer_the_request(backoffice_app):
    app = backoffice_app
    code = _waiting(app)
    client = _as(app)
    files = (("giay-chung-sinh.pdf", PDF), ("anh.png", PNG))
    resp = _answer(client, code, files=files)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    dossier = load(app, code)
    assert dossier.status == "processing" and dossier.paused_at is None
    rows = sorted(stored(app, DossierFile, dossier_id=dossier.id), key=lambda f: f.component)
    assert [(f.supplement, f.component, f.original_name) for f in rows] == [
        (1, 0, "giay-chung-sinh.pdf"),
        (1, 1, "anh.png"),
    ]
    assert rows[0].content_type == "application/pdf" and rows[0].size == len(PDF)
    assert {f.token for f in rows} <= _on_disk(app)
    event = stored(app, DossierEvent, dossier_id=dossier.id, action="resubmit")[0]
    assert "Tệp đính kèm" in event.note and "giay-chung-sinh.pdf" in event.note

    html = get_page(client, f"/ho-so/{code}").get_data(as_text=True)
    assert "Tệp đã gửi khi bổ sung hồ sơ" in html
    assert "Lần bổ sung 1" in html and f'href="/tep/{rows[0].token}"' in html
    download = client.get(f"/tep/{rows[0].token}")
    assert download.status_code == 200 and download.data == PDF
    with app.app_context(), db.new_session() as session:
        assert uploads.files_of(session, dossier.id) == {}  # the filed files stay apart


def test_text_and_files_answer_together(backoffice_app):
    code = _waiting(backoffice_app)
    resp = _answer(_as(backoffice_app), code, TYPED, files=(("ban-sao.pdf", PDF),))
    assert resp.status_code == 302
    dossier = load(backoffice_app, code)
    event = stored(backoffice_app, DossierEvent, dossier_id=dossier.id, action="resubmit")[0]
    assert event.note.startswith(TYPED) and "1. ban-sao.pdf" in event.note


def test_the_answer_to_a_second_request_is_numbered_two(backoffice_app):
    code = _waiting(backoffice_app, requests=2)
    assert _answer(_as(backoffice_app), code, files=(("lan-hai.pdf", PDF),)).status_code == 302
    (row,) = stored(backoffice_app, DossierFile, dossier_id=load(backoffice_app, code).id)
    assert (row.supplement, row.component) == (2, 0)


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ((("hop-dong.exe", EXE),), "Tệp “hop-dong.exe”: Tệp không đúng định dạng"),
        ((("gia-mao.pdf", EXE),), "Chỉ nhận tệp PDF, JPEG hoặc PNG"),
        ((("tot.pdf", PDF), ("anh.jpg", PNG)), "Tệp “anh.jpg”"),  # a PNG under a JPEG name
        ((("rong.pdf", b""),), "Tệp trống"),
        (tuple((f"tep-{n}.pdf", PDF) for n in range(4)), "tối đa 3 tệp"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_keeps_the_text(backoffice_app, files, words):
    app = backoffice_app
    code = _waiting(app)
    before = _on_disk(app)
    resp = _answer(_as(app), code, TYPED, files=files)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    assert 'id="files-error"' in html and words in html and TYPED in html
    dossier = load(app, code)
    assert (dossier.status, dossier.version) == ("supplement_requested", 3)
    assert stored(app, DossierFile, dossier_id=dossier.id) == [] and _on_disk(app) == before


def test_a_file_larger_than_5_mb_is_refused(backoffice_app):
    code = _waiting(backoffice_app)
    big = PDF + b"0" * (5 * 1024 * 1024)
    resp = _answer(_as(backoffice_app), code, TYPED, files=(("lon.pdf", big),))
    assert resp.status_code == 400 and "lớn hơn 5 MB" in resp.get_data(as_text=True)
    assert stored(backoffice_app, DossierFile, dossier_id=load(backoffice_app, code).id) == []


def test_an_answer_needs_text_or_a_file(backoffice_app):
    code = _waiting(backoffice_app)
    resp = _answer(_as(backoffice_app), code, "  ")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="supplement-error"' in html and "hoặc đính kèm ít nhất một tệp" in html
    assert load(backoffice_app, code).status == "supplement_requested"


def test_an_answer_after_the_request_was_cancelled_stores_nothing(backoffice_app):
    app = backoffice_app
    code = _waiting(app)
    client = _as(app)
    token = csrf_token(client.get(f"/ho-so/{code}").get_data(as_text=True))  # the page seen
    with app.app_context(), db.new_session() as session:
        workflow.apply(
            session,
            code,
            "cancel_supplement",
            workflow.staff_actor(session, HANH),
            expected_version=3,
            note="Đã đủ giấy tờ",
            now=utcnow(),
        )
    before = _on_disk(app)
    resp = client.post(
        f"/ho-so/{code}/bo-sung",
        data={
            "csrf_token": token,
            "version": "3",
            "supplement": TYPED,
            "files": [(BytesIO(PDF), "ban-sao.pdf")],
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    check_page(html)
    assert "Cơ quan đã hủy yêu cầu bổ sung này" in html and TYPED in html
    dossier = load(app, code)
    assert dossier.status == "processing" and dossier.version == 4
    assert stored(app, DossierFile, dossier_id=dossier.id) == [] and _on_disk(app) == before
    assert stored(app, DossierEvent, dossier_id=dossier.id, action="resubmit") == []


def test_a_party_sees_the_files_but_the_applicant_answers(backoffice_app):
    app = backoffice_app
    code = _waiting(app)
    dossier_id = load(app, code).id
    add_rows(
        app,
        DossierParty(
            dossier_id=dossier_id,
            personal_id=LAN,
            full_name="Đỗ Thị Lan",
            role="informed",
            consent="informed",
        ),
    )
    lan = _as(app, LAN)
    html = get_page(lan, f"/ho-so/{code}").get_data(as_text=True)
    assert "Bản sao giấy chứng sinh" in html and "Người nộp hồ sơ sẽ gửi bổ sung" in html
    assert 'name="files"' not in html
    resp = _answer(lan, code, TYPED, files=(("cua-lan.pdf", PDF),))
    assert resp.status_code == 400 and "chỉ người nộp hồ sơ" in resp.get_data(as_text=True)
    assert stored(app, DossierFile, dossier_id=dossier_id) == []

    assert _answer(_as(app), code, files=(("cua-an.pdf", PDF),)).status_code == 302
    (row,) = stored(app, DossierFile, dossier_id=dossier_id)
    html = get_page(lan, f"/ho-so/{code}").get_data(as_text=True)
    assert "cua-an.pdf" in html and lan.get(f"/tep/{row.token}").data == PDF


def test_someone_not_a_party_can_neither_answer_nor_download(backoffice_app):
    app = backoffice_app
    code = _waiting(app)
    assert _answer(_as(app), code, files=(("cua-an.pdf", PDF),)).status_code == 302
    (row,) = stored(app, DossierFile, dossier_id=load(app, code).id)
    stranger = _as(app, BINH)
    assert stranger.get(f"/tep/{row.token}").status_code == 404
    assert stranger.get(f"/ho-so/{code}").status_code == 404
    token = csrf_token(stranger.get("/ca-nhan/kho-du-lieu").get_data(as_text=True))
    resp = stranger.post(
        f"/ho-so/{code}/bo-sung",
        data={"csrf_token": token, "version": "4", "files": [(BytesIO(PDF), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 404
    assert len(stored(app, DossierFile, dossier_id=load(app, code).id)) == 1
    assert stored(app, Dossier, code=code)[0].status == "processing"


def test_two_answers_at_once_store_one_answer_and_only_its_files(backoffice_app, monkeypatch):
    """The same answer sent twice at the same moment (two tabs): one wins, the other is told
    the dossier changed, and none of the loser's files stays on disk or in the database."""
    app = backoffice_app
    code = _waiting(app)
    dossier_id = load(app, code).id
    before = _on_disk(app)
    checked = threading.Barrier(2)
    real_changes = workflow._changes

    def changes_after_both_checked(*args):
        checked.wait(timeout=10)  # both have read version 3 and passed their checks
        return real_changes(*args)

    monkeypatch.setattr(workflow, "_changes", changes_after_both_checked)
    won, refused, errors = [], [], []

    def answer(name: str) -> None:
        try:
            with app.app_context(), db.new_session() as session:
                uploads.answer_supplement(
                    session,
                    Path(app.instance_path) / "uploads",
                    session.get(Dossier, dossier_id),
                    workflow.citizen(AN),
                    text=None,
                    files=[uploads.check(name, BytesIO(PDF))],
                    expected_version=3,
                    now=utcnow(),
                    working_days=3,
                )
                won.append(name)
        except workflow.TransitionError as exc:
            refused.append(str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=answer, args=(n,)) for n in ("tab-1.pdf", "tab-2.pdf")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(won) == 1 and refused == [workflow.CONFLICT]
    (row,) = stored(app, DossierFile, dossier_id=dossier_id)
    assert row.original_name == won[0]
    assert _on_disk(app) - before == {row.token}
    assert len(stored(app, DossierEvent, dossier_id=dossier_id, action="resubmit")) == 1


def test_the_page_links_the_files_filed_with_the_dossier(backoffice_app):
    app = backoffice_app
    (code,) = add_dossiers(app, {"status": "received", "procedure_code": "1.004194"})
    dossier_id = load(app, code).id
    with app.app_context(), db.new_session() as session:
        proc = app.extensions["catalogue"].get(load(app, code).procedure_code)
        index = next(i for i, c in enumerate(proc.components) if c.source == "upload")
        filed = uploads.store(
            session,
            Path(app.instance_path) / "uploads",
            dossier_id,
            index,
            uploads.check("giay-to.pdf", BytesIO(PDF)),
        )
    html = get_page(_as(app), f"/ho-so/{code}").get_data(as_text=True)
    assert f'href="/tep/{filed.token}">giay-to.pdf</a>' in html
    assert "Tệp đã gửi khi bổ sung hồ sơ" not in html
