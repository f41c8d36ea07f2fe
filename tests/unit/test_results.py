"""Result documents: canonical form, Ed25519 signing per office, tamper detection,
numbering per office and year, and the PDF with its QR code (SQLite or PostgreSQL)."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from io import BytesIO

import pytest
import segno
from pypdf import PdfReader
from sqlmodel import Session, select

from portal.models import Dossier, Office
from portal.models.results import ResultDocument
from portal.services import results
from tests.support.databases import portal_engine

AN = "079095001234"
OFFICE = "79.26743"
OTHER = "79.26737"
NOW = datetime(2026, 11, 23, 2, 5, 30, 123456, tzinfo=UTC)
CONTENT = {
    "Họ, chữ đệm, tên": "Nguyễn Thị Bình",
    "Ngày, tháng, năm sinh": "01/11/2026",
    "Giới tính": "Nữ",
    "Nơi sinh": "Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
    "Số định danh cá nhân": "079326001234",
}


@pytest.fixture
def engine(tmp_path):
    with portal_engine(tmp_path) as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(engine) as session:
        for code, name in ((OFFICE, "UBND Phường Bến Thành"), (OTHER, "UBND Phường Sài Gòn")):
            session.add(Office(code=code, name=name, kind="commune", province_code=79))
        session.add(_dossier())
        session.commit()
        yield session


@pytest.fixture
def keys(tmp_path):
    return tmp_path / "instance" / results.KEY_FOLDER_NAME


def _dossier(**fields) -> Dossier:
    values = {
        "code": f"{OFFICE}-261123-0001",
        "procedure_code": "1.001193",
        "procedure_version": 1,
        "applicant_id": AN,
        "draft_key": None,
        "status": "approved",
        "office_code": OFFICE,
        **fields,
    }
    return Dossier(**values)


def _issue(session, keys, *, office=OFFICE, now=NOW, content=CONTENT) -> ResultDocument:
    doc = results.issue(
        session,
        session.exec(select(Dossier)).one(),
        kind="trich_luc_khai_sinh",
        title="Trích lục khai sinh",
        content=content,
        office_code=office,
        signer_id="079080001111",
        signer_name="Trần Văn Chủ tịch",
        now=now,
        key_folder=keys,
    )
    session.commit()
    return doc


def _reloaded(session, doc) -> ResultDocument:
    """The document as the database gives it back (naive UTC datetime, JSON content)."""
    doc_id = doc.id
    session.expunge_all()
    return session.get(ResultDocument, doc_id)


def test_canonical_sorts_keys_compactly_in_utf8():
    assert results.canonical({"b": 1, "a": {"d": "ệ", "c": [2, 1]}}) == (
        '{"a":{"c":[2,1],"d":"ệ"},"b":1}'.encode()
    )
    assert results.canonical({"x": 1, "y": 2}) == results.canonical({"y": 2, "x": 1})


def test_canonical_refuses_nan():
    with pytest.raises(ValueError):
        results.canonical({"x": float("nan")})


def test_issue_signs_and_verify_accepts(session, keys):
    doc = _issue(session, keys)
    assert doc.number == "1/2026/TLKS"
    assert doc.office_name == "UBND Phường Bến Thành"
    assert re.fullmatch(r"[A-Za-z0-9_-]{20}", doc.verification_code)
    assert (keys / f"{OFFICE}.pem").exists()
    stored = _reloaded(session, doc)
    assert results._utc(stored.issued_at) == datetime(2026, 11, 23, 2, 5, 30, tzinfo=UTC)
    assert list(stored.content) == list(CONTENT)  # display order survives the database
    assert results.verify(stored, keys)


def test_verification_codes_are_random(session, keys):
    codes = {_issue(session, keys).verification_code for _ in range(5)}
    assert len(codes) == 5


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.content.__setitem__("Họ, chữ đệm, tên", "Nguyễn Thị Bính"),
        lambda d: d.content.__setitem__("Ghi chú", "thêm dòng"),
        lambda d: setattr(d, "number", "2/2026/TLKS"),
        lambda d: setattr(d, "signer_name", "Người khác"),
        lambda d: setattr(d, "issued_at", datetime(2026, 11, 24, 2, 5, 30, tzinfo=UTC)),
        lambda d: setattr(d, "title", "Giấy chứng nhận kết hôn"),
    ],
    ids=["content", "added-line", "number", "signer", "date", "title"],
)
def test_tampered_fields_fail(session, keys, change):
    doc = _reloaded(session, _issue(session, keys))
    doc.content = dict(doc.content)
    change(doc)
    assert not results.verify(doc, keys)


def test_tampered_content_stored_in_the_database_fails(session, keys):
    doc = _issue(session, keys)
    session.execute(
        ResultDocument.__table__.update()
        .where(ResultDocument.id == doc.id)
        .values(content={**CONTENT, "Giới tính": "Nam"})
    )
    session.commit()
    assert not results.verify(_reloaded(session, doc), keys)


@pytest.mark.parametrize(
    "signature",
    [
        lambda s: base64.b64encode(bytes([s[0] ^ 1]) + s[1:]).decode(),  # one bit flipped
        lambda s: base64.b64encode(s[:-1]).decode(),  # truncated
        lambda s: "không phải base64!",
        lambda s: "",
    ],
    ids=["bit-flip", "truncated", "garbage", "empty"],
)
def test_tampered_signature_fails(session, keys, signature):
    doc = _reloaded(session, _issue(session, keys))
    doc.signature = signature(base64.b64decode(doc.signature))
    assert not results.verify(doc, keys)


def test_key_of_another_office_fails(session, keys):
    doc = _reloaded(session, _issue(session, keys))
    results.office_key(keys, OTHER)
    # Claimed by another office: its key did not sign this.
    moved = _reloaded(session, doc)
    moved.office_code = OTHER
    assert not results.verify(moved, keys)
    # Signed by another office's key but claiming to be from this one.
    other_key = results.office_key(keys, OTHER)
    forged = _reloaded(session, doc)
    forged.key_id = results.key_id(other_key.public_key())
    forged.signature = base64.b64encode(
        other_key.sign(results.canonical(results.signed_payload(forged)))
    ).decode()
    assert not results.verify(forged, keys)
    # The same, keeping the genuine key id.
    forged.key_id = doc.key_id
    assert not results.verify(forged, keys)


def test_unknown_office_or_missing_key_fails(session, keys, tmp_path):
    doc = _reloaded(session, _issue(session, keys))
    assert not results.verify(doc, tmp_path / "no-keys-here")
    doc.office_code = "../../etc/passwd"
    assert not results.verify(doc, keys)


def test_keys_are_created_once_and_kept(keys):
    first = results.office_key(keys, OFFICE)
    again = results.office_key(keys, OFFICE)
    assert results.key_id(first.public_key()) == results.key_id(again.public_key())
    assert (keys / f"{OFFICE}.pem").stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValueError):
        results.office_key(keys, "../escape")


def test_numbers_are_per_office_and_year(session, keys):
    numbers = [_issue(session, keys).number for _ in range(3)]
    assert numbers == ["1/2026/TLKS", "2/2026/TLKS", "3/2026/TLKS"]
    assert _issue(session, keys, office=OTHER).number == "1/2026/TLKS"
    # 31/12/2026 18:00 UTC is already 2027 in Vietnam.
    assert _issue(session, keys, now=datetime(2026, 12, 31, 18, 0, tzinfo=UTC)).number == (
        "1/2027/TLKS"
    )
    assert _issue(session, keys).number == "4/2026/TLKS"


@pytest.mark.parametrize(
    ("kind", "abbr"),
    [("trich_luc_khai_sinh", "TLKS"), ("giay_chung_nhan_ket_hon", "GCNKH"), ("", "KQ")],
)
def test_kind_abbreviation(kind, abbr):
    assert results.kind_abbreviation(kind) == abbr


def test_find_by_code(session, keys):
    doc = _issue(session, keys)
    assert results.find_by_code(session, doc.verification_code).id == doc.id
    assert results.find_by_code(session, "A" * 20) is None
    assert results.find_by_code(session, "x.pdf") is None


def _qr_modules(image, size: int) -> list[list[bool]]:
    """Sample the centre of every module of a QR image rendered by `results.qr_png`."""
    gray = image.convert("L")
    border = results.QR_BORDER
    step = gray.width / (size + 2 * border)
    return [
        [
            gray.getpixel((int((border + c + 0.5) * step), int((border + r + 0.5) * step))) < 128
            for c in range(size)
        ]
        for r in range(size)
    ]


def test_pdf_has_the_facts_and_a_qr_code_of_the_verification_url(session, keys):
    doc = _reloaded(session, _issue(session, keys))
    url = results.verification_url("https://dichvucong.test/", doc.verification_code)
    assert url == f"https://dichvucong.test/tra-cuu-ket-qua/{doc.verification_code}"
    data = results.result_pdf(doc, url)
    assert data.startswith(b"%PDF-")
    page = PdfReader(BytesIO(data)).pages[0]
    text = " ".join(page.extract_text().split())
    for words in (
        doc.number,
        doc.verification_code,
        "TRÍCH LỤC KHAI SINH",
        "Nguyễn Thị Bình",
        "Bệnh viện Từ Dũ",
        "UBND Phường Bến Thành",
        "23/11/2026",
        "Trần Văn Chủ tịch",
    ):
        assert words in text, words
    # No QR decoder is installed: compare the embedded image module by module with the
    # symbol segno makes for the URL, which proves the QR encodes exactly that URL.
    images = page.images
    assert len(images) == 1
    expected = segno.make(url, error="m")
    size = expected.symbol_size(scale=1, border=0)[0]
    want = [[bool(v) for v in row] for row in expected.matrix]
    assert _qr_modules(images[0].image, size) == want
