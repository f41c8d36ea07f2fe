"""The clerk's dossier page lists a supplement answer's files apart from the filed ones:
grouped per request, each downloadable by the office's clerks only, never shown as a
filed component's file."""

from __future__ import annotations

import hashlib

import pytest

from portal.models import DossierFile
from portal.services import uploads
from tests.factories import HANH, LONG, add_dossiers, add_rows, load, sign_in
from tests.support.html import get_page

SIGNATURE = "2.000884"  # the signature attestation: component 0 is an upload
COMPONENT = "Giấy tờ, văn bản cần chứng thực chữ ký"
FILED = b"%PDF-1.4 filed identity card"
ANSWERS = {"giay-chung-sinh.pdf": b"%PDF-1.4 birth", "anh-chan-dung.png": b"\x89PNG\r\n\x1a\nx"}


@pytest.fixture
def app(backoffice_app):
    return backoffice_app


def _file(dossier_id: int, supplement: int, component: int, name: str, data: bytes):
    token = f"tok-{supplement}-{component}"
    return DossierFile(
        dossier_id=dossier_id,
        supplement=supplement,
        component=component,
        token=token,
        original_name=name,
        content_type="image/png" if name.endswith(".png") else "application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _dossier_with_answer(app) -> str:
    """A dossier filed with its upload (component 0) and answered once with two files."""
    [code] = add_dossiers(app, {"procedure_code": SIGNATURE})
    dossier_id = load(app, code).id
    assert dossier_id is not None
    rows = [_file(dossier_id, 0, 0, "cccd.pdf", FILED)]
    rows += [_file(dossier_id, 1, n, name, data) for n, (name, data) in enumerate(ANSWERS.items())]
    folder = uploads.folder_of(app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    for row, data in zip(rows, [FILED, *ANSWERS.values()], strict=True):
        (folder / row.token).write_bytes(data)
    add_rows(app, *rows)
    return code


def _between(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def test_supplement_files_are_listed_per_request_apart_from_the_filed_ones(app):
    code = _dossier_with_answer(app)
    client = app.test_client()
    sign_in(app, client, HANH)
    html = get_page(client, f"/can-bo/ho-so/{code}").get_data(as_text=True)
    components = _between(html, 'id="thanh-phan"', 'id="tep"')
    assert f"{COMPONENT} (bản chưa ký, ảnh/bản quét):\n      bản tải lên" in components
    assert components.count("cccd.pdf") == 1
    assert not any(name in components for name in ANSWERS)
    filed = _between(html, 'id="tep"', 'id="tep-bo-sung-1"')
    assert "cccd.pdf" in filed
    assert COMPONENT in filed and not any(name in filed for name in ANSWERS)
    answered = _between(html, 'id="tep-bo-sung-1"', "</section>")
    assert "Tệp bổ sung lần 1" in answered
    assert COMPONENT not in answered  # no component name on an answer's file
    for name, data in ANSWERS.items():
        assert name in answered and hashlib.sha256(data).hexdigest()[:12] in answered
    assert answered.index("giay-chung-sinh.pdf") < answered.index("anh-chan-dung.png")
    assert 'href="/can-bo/tep/tok-1-0"' in answered and 'href="/can-bo/tep/tok-1-1"' in answered


def test_supplement_files_download_for_the_office_only(app):
    _dossier_with_answer(app)
    clerk, other = app.test_client(), app.test_client()
    sign_in(app, clerk, HANH)
    sign_in(app, other, LONG, "Đặng Văn Long")
    for n, (name, data) in enumerate(ANSWERS.items()):
        resp = clerk.get(f"/can-bo/tep/tok-1-{n}")
        assert resp.status_code == 200 and resp.data == data
        assert name in resp.headers["Content-Disposition"]
        assert other.get(f"/can-bo/tep/tok-1-{n}").status_code == 404
