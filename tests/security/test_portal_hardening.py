"""The portal's hardening on the Flask test client (issue 9): return URLs, the callback's
`error=`, security and cache headers, cookie flags, text limits, names, control characters,
header injection, concurrent uploads and Vietnamese JSON errors.

Every test here failed on the code before the issue: open redirects through
`/%09/evil.example`, a forged `error=` callback signing the citizen out, `form-action`
allowing any origin, personal pages without `no-store`, a 2,000-character value stored in a
200-character field, control characters and digits kept in a name, a newline in a file name
breaking the download, concurrent uploads leaving orphan files, JSON errors in \\u escapes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlmodel import select

from portal import config as portal_config
from portal.auth.oidc import VneidClient
from portal.db import db
from portal.models import Dossier, DossierFile
from portal.services import filing, registry, uploads
from procedures import load_catalogue
from tests.support import matrix
from tests.support.apps import dispose, make_portal

PROVIDER = "http://idp.example"
METADATA = {
    "issuer": PROVIDER,
    "authorization_endpoint": PROVIDER + "/authorize",
    "token_endpoint": PROVIDER + "/token",
    "userinfo_endpoint": PROVIDER + "/userinfo",
    "end_session_endpoint": PROVIDER + "/logout",
    "jwks_uri": PROVIDER + "/jwks.json",
}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JUDICIAL = "3.000333"  # text `purpose` (200), textarea `residence_history` (1000)
CERTIFY = "2.000815"  # an upload step (component 0) and text `document_name`
BIRTH = "1.001193"  # `child_full_name`, a name


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = make_portal(
        tmp_path_factory.mktemp("portal-hardening"),
        issuer=PROVIDER,
        portal_url="http://portal.test",
    )
    yield app
    dispose(app)


@pytest.fixture
def offline(monkeypatch):
    """No provider runs: discovery answers from memory, the registry from the test record."""
    monkeypatch.setattr(VneidClient, "metadata", lambda self: METADATA)
    monkeypatch.setattr(registry, "my_record", matrix.own_record)


@pytest.fixture
def citizen(app, offline):
    """A signed-in citizen's browser and its CSRF token."""
    return matrix.client_for(app, matrix.ROLE["citizen_a"])


def _draft(app, code: str) -> Dossier | None:
    with app.app_context(), db.new_session() as session:
        return filing.find_draft(session, matrix.ROLE["citizen_a"].personal_id or "", code)


def _reset_draft(app, code: str) -> None:
    with app.app_context(), db.new_session() as session:
        found = filing.find_draft(session, matrix.ROLE["citizen_a"].personal_id or "", code)
        if found is not None:
            for f in session.exec(select(DossierFile).where(DossierFile.dossier_id == found.id)):
                session.delete(f)
            session.flush()
            session.delete(found)
            session.commit()


# --- 1. return URLs ----------------------------------------------------------------------------

OFF_SITE = [
    "/%09/evil.example",
    "/\t/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%2F/evil.example",
    "/%2fevil.example",
    "https://evil.example/",
    "http:evil.example",
    "javascript:alert(1)",
    "/ca-nhan\r\nSet-Cookie: x=1",
    "/%0d%0aLocation:%20https://evil.example",
    "/%00",
    "evil.example",
]


@pytest.mark.parametrize("value", OFF_SITE)
def test_next_is_only_ever_a_path_of_this_site(app, offline, value):
    client = app.test_client()
    resp = client.get("/dang-nhap", query_string={"next": value})
    assert resp.status_code == 302 and resp.headers["Location"].startswith(PROVIDER)
    with client.session_transaction() as s:
        assert s["oidc_pending"]["next_path"] == "/ca-nhan"


@pytest.mark.parametrize("value", ["/nop-ho-so/1.001193/tre", "/thu-tuc?q=khai%20sinh"])
def test_a_path_of_this_site_is_kept(app, offline, value):
    client = app.test_client()
    client.get("/dang-nhap", query_string={"next": value})
    with client.session_transaction() as s:
        assert s["oidc_pending"]["next_path"] == value


# --- 3. the callback's error= -----------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "error=access_denied",
        "error=access_denied&state=forged",
        "error=server_error&state=",
        "error=login_required&state=%C3%A9",
    ],
)
def test_a_forged_error_callback_does_not_sign_the_citizen_out(app, citizen, query):
    client, _token = citizen
    assert client.get("/ca-nhan").status_code == 200
    resp = client.get("/auth/callback?" + query)
    assert resp.status_code == 302 and resp.headers["Location"] == "/ca-nhan"
    assert client.get("/ca-nhan").status_code == 200


def test_a_forged_error_callback_leaves_a_login_under_way_alone(app, citizen):
    client, _token = citizen
    client.get("/dang-nhap?muc=2")
    with client.session_transaction() as s:
        pending = dict(s["oidc_pending"])
    client.get("/auth/callback?error=access_denied&state=forged")
    with client.session_transaction() as s:
        assert s["oidc_pending"] == pending
    assert client.get("/ca-nhan").status_code == 200


def test_an_error_answering_the_login_started_is_shown(app, offline):
    client = app.test_client()
    client.get("/dang-nhap")
    with client.session_transaction() as s:
        state = s["oidc_pending"]["state"]
    resp = client.get(f"/auth/callback?error=access_denied&state={state}")
    assert resp.status_code == 401 and "từ chối" in resp.get_data(as_text=True)
    with client.session_transaction() as s:
        assert "oidc_pending" not in s  # this login is over


# --- 2. headers and cookies -------------------------------------------------------------------


def _csp(resp) -> dict[str, str]:
    directives = (
        d.strip().split(" ", 1) for d in resp.headers["Content-Security-Policy"].split(";")
    )
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def test_csp_of_a_public_page(app, offline):
    csp = _csp(app.test_client().get("/thu-tuc"))
    assert csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"


def test_signed_in_pages_let_the_sign_out_form_go_on_to_the_provider(app, citizen):
    """And the pay button's answer on to the payment gateway (PAYMENT_URL's origin)."""
    client, _token = citizen
    csp = _csp(client.get("/ca-nhan"))
    assert csp["form-action"] == f"'self' {PROVIDER} http://127.0.0.1:5002"
    assert csp["base-uri"] == "'none'" and csp["frame-ancestors"] == "'none'"


def test_personal_pages_pdfs_and_api_answers_are_not_stored(app, citizen):
    client, _token = citizen
    client.get(f"/nop-ho-so/{JUDICIAL}")
    paths = [
        "/ca-nhan",
        "/ca-nhan/kho-du-lieu",
        f"/nop-ho-so/{JUDICIAL}/yeu-cau",
        f"/nop-ho-so/{JUDICIAL}/xem-lai",
        "/ho-so/79.26743-261123-0001",  # not hers: the 404 is personal too
        "/api/v1/ho-so",
        "/api/v1/procedures",
    ]
    for path in paths:
        resp = client.get(path)
        assert "no-store" in resp.headers.get("Cache-Control", ""), path
    anonymous = app.test_client()
    assert "no-store" in anonymous.get("/api/v1/procedures").headers["Cache-Control"]
    assert "no-store" not in anonymous.get("/thu-tuc").headers.get("Cache-Control", "")


def test_the_session_cookie_is_secure_in_production_httponly_and_lax(monkeypatch):
    monkeypatch.delenv("PORTAL_COOKIE_SECURE", raising=False)
    import importlib

    reloaded = importlib.reload(portal_config)
    try:
        production = reloaded.load(
            {"ENV_NAME": "production", "SECRET_KEY": "s", "PAYMENT_SECRET": "p"}
        )
        assert production["SESSION_COOKIE_SECURE"] is True
        assert production["SESSION_COOKIE_HTTPONLY"] is True
        assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
        assert reloaded.load({"ENV_NAME": "dev"})["SESSION_COOKIE_SECURE"] is False
    finally:
        importlib.reload(portal_config)


def test_the_cookie_sent_carries_the_flags(app, offline, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    resp = app.test_client().get("/dang-nhap")
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("portal_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- 4. text inputs -----------------------------------------------------------------------------


def _post_step(client, token, code: str, step: str, data: dict):
    client.get(f"/nop-ho-so/{code}")
    return client.post(f"/nop-ho-so/{code}/{step}", data={"csrf_token": token, **data})


def test_a_value_longer_than_its_field_is_not_stored_but_shown_back(app, citizen):
    client, token = citizen
    _reset_draft(app, JUDICIAL)
    long = "Xin cấp phiếu để đi du học " * 80  # 2,160 characters for a 200-character field
    resp = _post_step(client, token, JUDICIAL, "yeu-cau", {"purpose": long, "copies": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Mục đích sử dụng phiếu dài quá 200 ký tự." in html
    assert long.strip() in html  # what was typed is shown back to be shortened
    draft = _draft(app, JUDICIAL)
    assert draft is not None and len(draft.data.get("purpose", "")) <= 200
    assert draft.data["copies"] == "1"  # the rest of the step is saved


def test_the_form_body_is_bounded_with_a_vietnamese_413(app, citizen):
    client, token = citizen
    assert app.config["MAX_FORM_MEMORY_SIZE"] <= 256 * 1024
    resp = _post_step(client, token, JUDICIAL, "yeu-cau", {"purpose": "x" * 10_000_000})
    assert resp.status_code == 413
    assert "quá dài" in resp.get_data(as_text=True)
    draft = _draft(app, JUDICIAL)
    assert draft is None or len(draft.data.get("purpose", "")) <= 200


@pytest.mark.parametrize("bad", ["Du\x00học", "Du học\r\nSet-Cookie: x", "Du\x1bhọc", "a\u202eb"])
def test_control_characters_are_refused_next_to_the_field(app, citizen, bad):
    client, token = citizen
    _reset_draft(app, JUDICIAL)
    resp = _post_step(client, token, JUDICIAL, "yeu-cau", {"purpose": bad, "copies": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="purpose-error"' in html and "ký tự điều khiển" in html
    draft = _draft(app, JUDICIAL)
    assert draft is not None and "purpose" not in draft.data


def test_a_multi_line_field_keeps_its_line_breaks(app, citizen):
    client, token = citizen
    _reset_draft(app, JUDICIAL)
    history = "2009–2013: học sinh, Hà Nội\r\n2013–2026: kỹ sư, TP. Hồ Chí Minh"
    resp = _post_step(client, token, JUDICIAL, "qua-trinh", {"residence_history": history})
    assert resp.status_code == 302
    draft = _draft(app, JUDICIAL)
    assert draft is not None and draft.data["residence_history"] == history.replace("\r\n", "\n")


def _name_field():
    proc = load_catalogue().get(BIRTH)
    assert proc is not None
    return next(f for f in proc.fields if f.name == "child_full_name")


@pytest.mark.parametrize(
    "name", ["Nguyễn Thị Hồng-Nhung", "Đỗ Ngọc Ánh", "H'Hen Niê", "Lê Văn Tám", "Nguyễn Văn An"]
)
def test_names_accept_vietnamese_letters_spaces_apostrophes_and_hyphens(name):
    assert filing.clean_value(_name_field(), name) == (name, None)


def test_a_name_typed_with_combining_marks_is_stored_composed():
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng"
    assert filing.clean_value(_name_field(), decomposed) == ("Nguyễn Thị Hồng", None)


@pytest.mark.parametrize("name", ["Nguyễn Văn 3", "An_2", "<b>An</b>", "An; DROP", "-An", "An@"])
def test_names_refuse_digits_and_symbols(name):
    value, error = filing.clean_value(_name_field(), name)
    assert value == name and error is not None
    assert "chỉ gồm chữ cái" in error


def test_a_refused_name_is_shown_next_to_its_field_with_what_was_typed(app, citizen):
    client, token = citizen
    resp = _post_step(client, token, BIRTH, "tre", {"child_full_name": "Nguyễn Văn 3"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="child_full_name-error"' in html and "chỉ gồm chữ cái" in html
    assert 'value="Nguyễn Văn 3"' in html


def test_supplement_and_rating_text_are_bounded_and_clean(app, citizen):
    from common.web import text_problem

    assert text_problem("x" * 2001, label="Nội dung bổ sung", max_length=2000) is not None
    assert text_problem("a\x00b", label="Ý kiến", max_length=1000, multiline=True) is not None
    assert text_problem("dòng 1\ndòng 2", label="Ý kiến", max_length=1000, multiline=True) is None


# --- 4. headers and uploads -------------------------------------------------------------------


def _upload(client, token, name: str):
    """A multipart body written by hand: the file name as RFC 2231 `filename*`, so CR, LF
    and NUL reach the server decoded, as a hostile client can send them."""
    client.get(f"/nop-ho-so/{CERTIFY}")
    boundary = "----ranh-gioi"
    encoded = quote(name.encode("utf-8"), safe="")
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload_0"; '
            f"filename*=UTF-8''{encoded}\r\nContent-Type: application/pdf\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(
        f"/nop-ho-so/{CERTIFY}/tep-dinh-kem",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


@pytest.mark.parametrize(
    "name", ["ban\r\nSet-Cookie: x=1.pdf", "ban\x00chinh.pdf", "bản\nchính.pdf", "a\u202efdp.pdf"]
)
def test_no_control_character_of_a_file_name_reaches_a_header(app, citizen, name):
    client, token = citizen
    _reset_draft(app, CERTIFY)
    resp = _upload(client, token, name)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    draft = _draft(app, CERTIFY)
    assert draft is not None
    with app.app_context(), db.new_session() as session:
        assert draft.id is not None
        stored = uploads.files_of(session, draft.id)[0]
    assert not any(ch in stored.original_name for ch in "\r\n\x00\u202e")
    download = client.get(f"/tep/{stored.token}")
    assert download.status_code == 200 and download.data == PDF
    for value in download.headers.values():
        assert not any(ch in value for ch in "\r\n\x00")


def test_concurrent_uploads_of_one_slot_leave_one_row_and_one_file(app, offline):
    with app.app_context(), db.new_session() as session:
        draft = Dossier(procedure_code=CERTIFY, procedure_version=1, applicant_id="001190023456")
        session.add(draft)
        session.commit()
        draft_id = draft.id
        assert draft_id is not None
    folder = Path(app.instance_path) / "uploads-race"
    workers, barrier, failures = 8, threading.Barrier(8), []

    def one(n: int) -> None:
        checked = uploads.Checked(PDF + str(n).encode(), "application/pdf", f"ban-{n}.pdf")
        with app.app_context(), db.new_session() as session:
            barrier.wait()
            for _round in range(3):
                try:
                    uploads.store(session, folder, draft_id, 0, checked)
                except uploads.UploadError:  # "being sent from elsewhere, try again"
                    pass
                except Exception as exc:  # noqa: BLE001 - reported below
                    failures.append(repr(exc))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    with app.app_context(), db.new_session() as session:
        rows = session.exec(select(DossierFile).where(DossierFile.dossier_id == draft_id)).all()
    assert len(rows) == 1
    assert sorted(p.name for p in folder.iterdir()) == [rows[0].token]


def test_a_failed_record_leaves_no_file(app, offline):
    folder = Path(app.instance_path) / "uploads-failure"
    checked = uploads.Checked(PDF, "application/pdf", "ban.pdf")
    with app.app_context(), db.new_session() as session:

        def broken() -> None:
            raise RuntimeError("database gone")

        session.commit = broken  # type: ignore[method-assign]
        with pytest.raises(RuntimeError):
            uploads.store(session, folder, 1, 0, checked)
    assert list(folder.iterdir()) == []


# --- 7. JSON errors in Vietnamese ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path, status", [("/api/v1/ho-so", 401), ("/api/v1/procedures/khong-co", 404)]
)
def test_api_errors_are_readable_vietnamese_json(app, path, status):
    resp = app.test_client().get(path)
    assert resp.status_code == status and resp.is_json
    assert "\\u" not in resp.get_data(as_text=True)
    assert any(ch in resp.get_data(as_text=True) for ch in "ăâđêôơưạảấầẩẫậ")


def test_a_control_character_in_a_path_is_a_404_not_a_database_error(app, citizen):
    client, _token = citizen
    for path in ("/api/v1/ho-so/%00", "/ho-so/%00", "/tep/%00", "/tra-cuu-ket-qua/%00"):
        resp = client.get(path)
        assert resp.status_code == 404, path
