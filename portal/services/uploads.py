"""Files a citizen attaches for `upload` components: checked, stored, listed.

Only PDF, JPEG and PNG up to 5 MB are kept; the type is read from the file's first bytes
(its magic number), not from the name or the browser's claim. Files live in the instance
folder (never served as static files) under a random name, with their SHA-256 recorded.
Re-attaching a file for the same component replaces the earlier one; of two uploads for
the same component at once the later one wins and no file is left on disk without its row.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common.web import clean_header_value
from portal.models import DossierFile, utcnow
from procedures.schema import Component, Procedure

MAX_BYTES = 5 * 1024 * 1024
ALLOWED = "PDF, JPEG hoặc PNG, tối đa 5 MB"
# magic number → (content type, extensions a file of that type may carry)
SIGNATURES = {
    b"%PDF-": ("application/pdf", {"pdf"}),
    b"\xff\xd8\xff": ("image/jpeg", {"jpg", "jpeg"}),
    b"\x89PNG\r\n\x1a\n": ("image/png", {"png"}),
}


class UploadError(ValueError):
    """The file is refused; the message is for the citizen."""


@dataclass(frozen=True)
class Checked:
    data: bytes
    content_type: str
    name: str


class UploadBusy(UploadError):
    """Other uploads for the same component kept winning the race: try again."""


def _clean_name(filename: str) -> str:
    """The file's own name (no folder), without the characters a header or the database
    refuses (it comes back in the download's Content-Disposition)."""
    name = Path(clean_header_value(filename or "").replace("\\", "/")).name.strip()
    return name[-255:] or "tep-dinh-kem"


def check(filename: str, stream: IO[bytes]) -> Checked:
    """Read and check one uploaded file; raise UploadError with a Vietnamese reason."""
    data = stream.read(MAX_BYTES + 1)
    if not data:
        raise UploadError("Tệp trống. Vui lòng chọn lại tệp.")
    if len(data) > MAX_BYTES:
        raise UploadError(f"Tệp lớn hơn 5 MB. Chỉ nhận tệp {ALLOWED}.")
    name = _clean_name(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    for magic, (content_type, extensions) in SIGNATURES.items():
        if data.startswith(magic):
            if extension not in extensions:
                break
            return Checked(data, content_type, name)
    raise UploadError(f"Tệp không đúng định dạng. Chỉ nhận tệp {ALLOWED}.")


def upload_components(
    procedure: Procedure, unmet: Collection[int] = ()
) -> list[tuple[int, Component]]:
    """(index, component) of each component the citizen must attach: the `upload` ones, and
    the `unmet` data-store ones (no usable document to reuse, services/reuse.py)."""
    return [
        (i, c)
        for i, c in enumerate(procedure.components)
        if c.source == "upload" or (c.source == "data_store" and i in unmet)
    ]


def files_of(session: Session, dossier_id: int) -> dict[int, DossierFile]:
    rows = session.exec(select(DossierFile).where(DossierFile.dossier_id == dossier_id)).all()
    return {f.component: f for f in rows}


def missing(
    procedure: Procedure, files: dict[int, DossierFile], unmet: Collection[int] = ()
) -> list[Component]:
    return [c for i, c in upload_components(procedure, unmet) if i not in files]


def download_name(stored: DossierFile) -> str:
    """The name a download offers: the one the citizen gave, cleaned again (a row stored
    before names were cleaned may hold a CR or LF, which no header may carry)."""
    return _clean_name(stored.original_name)


def path_of(folder: Path, stored: DossierFile) -> Path:
    return folder / stored.token


def store(
    session: Session, folder: Path, dossier_id: int, component: int, checked: Checked
) -> DossierFile:
    """Write the file under a random name and record it, replacing an earlier one.

    The row of (dossier, component) is swapped by compare-and-set on its token, so of two
    uploads at once each replaces what it saw or tries again; the file a row no longer
    names is removed, and a file whose row could not be written is removed too."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    path = folder / token
    path.write_bytes(checked.data)
    values = {
        "token": token,
        "original_name": checked.name,
        "content_type": checked.content_type,
        "size": len(checked.data),
        "sha256": hashlib.sha256(checked.data).hexdigest(),
    }
    replaced: str | None = None
    try:
        for _attempt in range(5):
            replaced = _swap(session, dossier_id, component, values)
            if replaced is not None:
                break
    finally:
        if replaced is None:  # not recorded (error or lost every race): no orphan file
            session.rollback()
            path.unlink(missing_ok=True)
    if replaced is None:
        raise UploadBusy("Tệp đang được gửi lên từ nơi khác. Vui lòng thử lại.")
    if replaced:
        (folder / replaced).unlink(missing_ok=True)
    return files_of(session, dossier_id)[component]


def _swap(session: Session, dossier_id: int, component: int, values: dict) -> str | None:
    """Record `values` as the component's file: the token it replaced ("" for a first
    file), or None when another upload changed the row meanwhile (committed either way)."""
    earlier = files_of(session, dossier_id).get(component)
    if earlier is None:
        session.add(DossierFile(dossier_id=dossier_id, component=component, **values))
        try:
            session.commit()
        except IntegrityError:  # the other upload inserted first
            session.rollback()
            return None
        return ""
    old_token = earlier.token
    changed = session.exec(
        update(DossierFile)
        .where(col(DossierFile.id) == earlier.id, col(DossierFile.token) == old_token)
        .values(uploaded_at=utcnow(), **values)
    ).rowcount
    session.commit()
    session.expire_all()
    return old_token if changed == 1 else None


def size_label(size: int) -> str:
    """ "1,2 MB" / "34 KB", the Vietnamese way (decimal comma)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"
