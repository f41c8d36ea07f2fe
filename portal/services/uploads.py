"""Files a citizen attaches for `upload` components: checked, stored, listed.

Only PDF, JPEG and PNG up to 5 MB are kept; the type is read from the file's first bytes
(its magic number), not from the name or the browser's claim. Files live in the instance
folder (never served as static files) under a random name, with their SHA-256 recorded.
Re-attaching a file for the same component replaces the earlier one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from portal.models import DossierFile
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


def _clean_name(filename: str) -> str:
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name[-255:] or "tep-dinh-kem"


def check(filename: str, stream: BinaryIO) -> Checked:
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


def path_of(folder: Path, stored: DossierFile) -> Path:
    return folder / stored.token


def store(
    session: Session, folder: Path, dossier_id: int, component: int, checked: Checked
) -> DossierFile:
    """Write the file under a random name and record it, replacing an earlier one."""
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16)
    (folder / token).write_bytes(checked.data)
    earlier = files_of(session, dossier_id).get(component)
    if earlier is not None:
        session.delete(earlier)
        session.flush()
    stored = DossierFile(
        dossier_id=dossier_id,
        component=component,
        token=token,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
    )
    session.add(stored)
    session.commit()
    if earlier is not None:
        path_of(folder, earlier).unlink(missing_ok=True)
    return stored


def size_label(size: int) -> str:
    """"1,2 MB" / "34 KB", the Vietnamese way (decimal comma)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1024))} KB"
