"""Result documents: issuing, signing, verifying, and the PDF with its QR code.

Each office signs with its own Ed25519 key, kept as a PEM file under the instance folder
(`<instance>/office_keys/<office code>.pem`, created on first use). The signature covers the
canonical JSON (sorted keys, compact, UTF-8) of every field a reader relies on: number,
kind, title, office, signer, date, verification code, dossier and the content itself, so
changing any of them in the database makes `verify` fail. No Flask here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import os
import re
import secrets
from datetime import UTC, datetime
from pathlib import Path

import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session, col, select

from common import tz
from portal.models.dossiers import Dossier
from portal.models.offices import Office
from portal.models.results import ResultDocument, ResultSequence
from portal.services.deadlines import to_local
from portal.services.pdf import (
    BOTTOM_MARGIN,
    heading,
    label_table,
    new_document,
    paragraph,
    section_title,
)
from portal.services.sequences import take_next

KEY_FOLDER_NAME = "office_keys"
VERIFY_PATH = "/tra-cuu-ket-qua/"
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")  # what a verification code can look like
_OFFICE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")  # also a safe file name
QR_SCALE = 8  # pixels per module in the PNG
QR_BORDER = 4  # quiet zone, in modules


# --- canonical form and keys -------------------------------------------------------------


def canonical(content: dict) -> bytes:
    """The bytes that are signed: JSON with sorted keys, no spaces, UTF-8, no NaN."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def key_folder(instance_path: str | Path) -> Path:
    return Path(instance_path) / KEY_FOLDER_NAME


def _key_path(folder: Path, office_code: str) -> Path:
    if not _OFFICE_CODE.match(office_code) or ".." in office_code:
        raise ValueError(f"not an office code: {office_code!r}")
    return Path(folder) / f"{office_code}.pem"


def office_key(folder: Path, office_code: str) -> Ed25519PrivateKey:
    """The office's signing key, generated and stored (mode 0600) on first use."""
    path = _key_path(folder, office_code)
    if path.exists():
        return _load(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker created it first: use theirs
        return _load(path)
    with os.fdopen(fd, "wb") as fh:
        fh.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return key


def _load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 key")
    return key


def office_public_key(folder: Path, office_code: str) -> Ed25519PublicKey | None:
    """The office's public key, or None when the office has never signed anything."""
    try:
        path = _key_path(folder, office_code)
    except ValueError:
        return None
    return _load(path).public_key() if path.exists() else None


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


# --- issuing and verifying ---------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def signed_payload(doc: ResultDocument) -> dict:
    """Everything the signature vouches for."""
    return {
        "number": doc.number,
        "kind": doc.kind,
        "title": doc.title,
        "office_code": doc.office_code,
        "office_name": doc.office_name,
        "signer_id": doc.signer_id,
        "signer_name": doc.signer_name,
        "issued_at": _utc(doc.issued_at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verification_code": doc.verification_code,
        "dossier_id": doc.dossier_id,
        "content": doc.content,
    }


def kind_abbreviation(kind: str) -> str:
    """The default book of a kind without one: "trich_luc_khai_sinh" → "TLKS"."""
    return "".join(part[0] for part in kind.split("_") if part).upper() or "KQ"


def next_number(session: Session, office_code: str, book: str, year: int) -> int:
    """Reserve the next number of the office's `book` for `year` (in the caller's
    transaction)."""
    return take_next(session, ResultSequence, office_code=office_code, book=book, year=year)


def reserve_number(session: Session, office_code: str, book: str, year: int) -> str:
    """The next document number of the office's book: "12/2026/KS"."""
    return f"{next_number(session, office_code, book, year)}/{year}/{book}"


def whole_second(now: datetime) -> datetime:
    """The issuing moment as stored and signed: UTC, whole seconds."""
    return _utc(now).replace(microsecond=0)


def issue(
    session: Session,
    dossier: Dossier,
    *,
    kind: str,
    title: str,
    content: dict,
    office_code: str,
    signer_id: str,
    signer_name: str,
    now: datetime,
    key_folder: Path,
    number: str | None = None,
    book: str | None = None,
) -> ResultDocument:
    """Number, sign and add a result document for `dossier` (flushed, not committed).

    `content` is the document's body as label → value (or a titled section → {label:
    value}), JSON-serialisable; its order is kept for display, the signature uses the
    sorted canonical form. The number is the next of the office's `book` (default: the
    kind's initials) for the year, unless the caller reserved it (`reserve_number`).
    """
    # Round-trip through JSON: what is signed is exactly what the database gives back.
    assert dossier.id is not None  # results are issued on stored dossiers
    content = json.loads(json.dumps(content, ensure_ascii=False, allow_nan=False))
    moment = whole_second(now)
    year = to_local(moment).year
    book = book or kind_abbreviation(kind)
    number = number or reserve_number(session, office_code, book, year)
    office = session.get(Office, office_code)
    key = office_key(key_folder, office_code)
    doc = ResultDocument(
        dossier_id=dossier.id,
        number=number,
        kind=kind,
        book=book,
        title=title,
        office_code=office_code,
        office_name=office.name if office else office_code,
        signer_id=signer_id,
        signer_name=signer_name,
        issued_at=moment,
        content=content,
        verification_code=secrets.token_urlsafe(15),  # 120 random bits, 20 characters
        signature="",
        key_id=key_id(key.public_key()),
    )
    doc.signature = base64.b64encode(key.sign(canonical(signed_payload(doc)))).decode("ascii")
    session.add(doc)
    session.flush()
    return doc


def verify(doc: ResultDocument, key_folder: Path) -> bool:
    """True when the issuing office's key signed exactly what is stored now."""
    public = office_public_key(key_folder, doc.office_code)
    if public is None or key_id(public) != doc.key_id:
        return False
    try:
        signature = base64.b64decode(doc.signature, validate=True)
        public.verify(signature, canonical(signed_payload(doc)))
    except (InvalidSignature, binascii.Error, ValueError, TypeError):
        return False
    return True


def of_dossier(session: Session, dossier_id: int) -> list[ResultDocument]:
    """The result documents of one dossier in issuing order: its own result first, then
    those of linked procedures."""
    return list(
        session.exec(
            select(ResultDocument)
            .where(ResultDocument.dossier_id == dossier_id)
            .order_by(col(ResultDocument.id))
        ).all()
    )


def live_of_dossier(session: Session, dossier_id: int) -> list[ResultDocument]:
    """The dossier's result documents not revoked, in issuing order."""
    return [d for d in of_dossier(session, dossier_id) if not is_revoked(d)]


# --- revocation ---------------------------------------------------------------------------

REVOKED = "Đã thu hồi"
LIVE = "Còn hiệu lực"
REASON_MAX = 500  # characters of a revocation's reason (ResultDocument.revoked_reason)


def is_revoked(doc: ResultDocument) -> bool:
    return doc.revoked_at is not None


def status_label(doc: ResultDocument) -> str:
    """ "Còn hiệu lực", or "Đã thu hồi ngày dd/mm/yyyy" (the data store and the pages)."""
    if doc.revoked_at is None:
        return LIVE
    return f"{REVOKED} ngày {tz.local(doc.revoked_at):%d/%m/%Y}"


def revocation_text(doc: ResultDocument) -> str:
    """ "Đã thu hồi ngày dd/mm/yyyy. Lý do: …" for a revoked document, else ""."""
    if doc.revoked_at is None:
        return ""
    reason = f" Lý do: {doc.revoked_reason}" if doc.revoked_reason else ""
    return f"{status_label(doc)}.{reason}"


def revoke(
    session: Session, dossier_id: int, by: str, reason: str, now: datetime
) -> list[ResultDocument]:
    """Revoke every live result of the dossier (added to the caller's transaction, which
    also holds the workflow's "revoke" event); the documents revoked. Raises ValueError
    without a reason or with one longer than REASON_MAX."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise ValueError("a revocation needs a reason of at most 500 characters")
    revoked = live_of_dossier(session, dossier_id)
    for doc in revoked:
        doc.revoked_at, doc.revoked_by, doc.revoked_reason = _utc(now), by, reason
        session.add(doc)
    session.flush()
    return revoked


def find_by_code(session: Session, code: str) -> ResultDocument | None:
    if not CODE_PATTERN.match(code):
        return None
    return session.exec(
        select(ResultDocument).where(ResultDocument.verification_code == code)
    ).first()


def verification_url(portal_url: str, code: str) -> str:
    return f"{portal_url.rstrip('/')}{VERIFY_PATH}{code}"


# --- presentation ------------------------------------------------------------------------


def issued_date(doc: ResultDocument) -> str:
    """dd/mm/yyyy in Vietnam time."""
    return f"{tz.local(doc.issued_at):%d/%m/%Y}"


_PERSONAL_ID = re.compile(r"^\d{12}$")
ID_SHOWN_HEAD, ID_SHOWN_TAIL = 3, 2  # digits of a personal ID the public page keeps


def mask_personal_id(value: str) -> str:
    """ "079095001234" → "079*******34": the province code and the last two digits stay, so
    a reader can compare with the card in front of them without learning the number."""
    hidden = len(value) - ID_SHOWN_HEAD - ID_SHOWN_TAIL
    if hidden < ID_SHOWN_HEAD + ID_SHOWN_TAIL:  # too short to show any of it
        return "*" * len(value)
    return value[:ID_SHOWN_HEAD] + "*" * hidden + value[-ID_SHOWN_TAIL:]


def _is_name(label: str) -> bool:
    """A person's name by its label: "Họ, chữ đệm và tên …", "Họ và tên", "Họ tên cha"."""
    words = label.casefold()
    return words.startswith("họ") and "tên" in words


def _is_personal_id(label: str, value) -> bool:
    return "định danh" in label.casefold() or (
        isinstance(value, str) and bool(_PERSONAL_ID.match(value.strip()))
    )


def content_rows(doc: ResultDocument, *, public: bool = False) -> list[tuple[str, str]]:
    """The body as label/value lines, in the order it was issued; a section's lines are
    labelled "Chồng – Họ, chữ đệm và tên", a paragraph by its section's title; the
    signer's title (a reserved key) is not a line.

    `public` (the verification page anyone may open): only who the document is about —
    the names on it and their personal IDs, masked; never addresses, birth dates or any other
    personal data (the holder has the full document)."""
    rows = []
    for section, label, value in _lines(doc.content):
        shown = f"{section} – {label}" if section and label else section or label
        if not public:
            rows.append((shown, _text(value)))
        elif _is_personal_id(label, value) and isinstance(value, str) and value.strip():
            rows.append((shown, mask_personal_id(value.strip())))
        elif label and _is_name(label):
            rows.append((shown, _text(value)))
    return rows


def _lines(content: dict) -> list[tuple[str, str, object]]:
    """(section title or "", label or "" for a paragraph, value) of the content."""
    lines: list[tuple[str, str, object]] = []
    for label, value in content.items():
        label = str(label)
        if label.startswith("_"):
            continue
        if isinstance(value, dict):
            lines.extend((label, str(inner), v) for inner, v in value.items())
        else:
            lines.append(("", label, value))
    return lines


DOSSIER_LABEL = "Mã hồ sơ"  # a row of every content; the PDF prints it beside the QR code


def sections(doc: ResultDocument) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """The body as the paper lays it out: (title, paragraph, rows) blocks in order; the
    untitled rows between sections form one block; the dossier code is not among them."""
    blocks: list[tuple[str, str, list[tuple[str, str]]]] = []
    for label, value in doc.content.items():
        label = str(label)
        if label.startswith("_") or label == DOSSIER_LABEL:
            continue
        if isinstance(value, dict):
            text = _text(value.get("", ""))
            rows = [(str(k), _text(v)) for k, v in value.items() if k != ""]
            blocks.append((label, text, rows))
        elif blocks and not blocks[-1][0]:
            blocks[-1][2].append((label, _text(value)))
        else:
            blocks.append(("", "", [(label, _text(value))]))
    return blocks


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" if k else _text(v) for k, v in value.items())
    return "" if value is None else str(value)


SIGNATURE_KEY = "_signature"  # content key: {"title": the signer's title, "place": …}


def signature(doc: ResultDocument) -> dict:
    """The signer's title and the place of issue as signed ({} for older documents)."""
    found = doc.content.get(SIGNATURE_KEY)
    return found if isinstance(found, dict) else {}


def signer_title(doc: ResultDocument) -> str:
    """ "Chủ tịch Ủy ban nhân dân Phường Bến Thành" as signed ("" for older documents)."""
    return str(signature(doc).get("title") or "")


def document_rows(doc: ResultDocument) -> list[tuple[str, str]]:
    """The header facts shown on the verification page."""
    title = signer_title(doc)
    return [
        ("Số văn bản", doc.number),
        ("Tên văn bản", doc.title),
        ("Cơ quan cấp", doc.office_name),
        ("Ngày cấp", issued_date(doc)),
        ("Người ký", doc.signer_name),
        *([("Chức vụ người ký", title)] if title else []),
        ("Mã tra cứu", doc.verification_code),
    ]


def qr_png(url: str) -> bytes:
    """A QR code of `url` as a PNG (error correction M)."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=QR_SCALE, border=QR_BORDER)
    return buf.getvalue()


SIGNATURE_HEIGHT = 50  # mm kept free at the bottom of the first page for the block
QR_SIZE = 30  # mm


def place_date(doc: ResultDocument) -> str:
    """ "Phường Bến Thành, ngày 03 tháng 12 năm 2026" (the place as signed, if any)."""
    day = tz.local(doc.issued_at)
    place = signature(doc).get("place")
    when = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    return f"{place}, {when}" if place else when.capitalize()


def result_pdf(doc: ResultDocument, verify_url: str) -> bytes:
    """The result document as an A4 PDF: the heading, the sections, and on the first page
    the signature block (place and date, the signer's title and name) with the QR code
    pointing to `verify_url`; a body longer than the first page goes on after it."""
    pdf = new_document(
        f"{doc.title} {doc.number}", first_page_reserve=SIGNATURE_HEIGHT, numbered=True
    )
    pdf.alias_nb_pages()
    heading(pdf, doc.office_name, doc.title, number=f"Số: {doc.number}")
    for title, text, rows in sections(doc):
        if title:
            section_title(pdf, title)
        if text:
            paragraph(pdf, text)
        if rows:
            label_table(pdf, rows, compact=True)
    last = pdf.page
    pdf.set_auto_page_break(False)  # the block has its space; it never breaks the page
    if last == 1:
        top = pdf.get_y() + 6
    else:  # the block stays on the first page, in the space kept for it
        pdf.page = 1
        top = pdf.h - BOTTOM_MARGIN - SIGNATURE_HEIGHT + 2
    _pdf_signature(pdf, doc, verify_url, top, continued=last > 1)
    pdf.page = last
    return bytes(pdf.output())


def _pdf_signature(
    pdf: FPDF, doc: ResultDocument, verify_url: str, top: float, *, continued: bool
) -> None:
    """The signature on the right (place and date, title, "(Đã ký số)", name), the QR code
    and what it checks on the left."""
    half = pdf.epw / 2
    right = pdf.l_margin + half
    signed = signature(doc)
    pdf.set_xy(right, top)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(half, 5, place_date(doc), align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    if signed.get("title"):
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(half, 5, signed["title"].upper(), align="C", new_x=XPos.LEFT,
                       new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(half, 5, "(Đã ký số)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.set_x(right)
    pdf.set_font("DejaVu", "B", 10.5)
    pdf.multi_cell(half, 5.5, doc.signer_name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)

    pdf.image(io.BytesIO(qr_png(verify_url)), x=pdf.l_margin, y=top, w=QR_SIZE, h=QR_SIZE)
    text_x = pdf.l_margin + QR_SIZE + 3
    width = half - QR_SIZE - 6
    pdf.set_xy(text_x, top)
    pdf.set_font("DejaVu", "", 7.5)
    lines = [
        f"Ngày cấp: {issued_date(doc)}",
        f"Mã tra cứu: {doc.verification_code}",
        *([f"Hồ sơ: {doc.content[DOSSIER_LABEL]}"] if doc.content.get(DOSSIER_LABEL) else []),
        f"Ký bằng khóa của {doc.office_name} (mã khóa {doc.key_id}).",
        f"Quét mã QR hoặc truy cập {verify_url} để kiểm tra.",
    ]
    if continued:
        lines.append("Văn bản có nhiều trang; nội dung tiếp theo ở trang sau.")
    for line in lines:
        pdf.set_x(text_x)
        pdf.multi_cell(width, 3.8, line, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
