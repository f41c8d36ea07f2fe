"""Files a citizen attaches for `upload` components: checked, stored, listed.

Only PDF, JPEG and PNG up to 5 MB are kept; the type is read from the file's first bytes
(its magic number), not from the name or the browser's claim. Files live in the instance
folder (never served as static files) under a random name, with their SHA-256 recorded.
Re-attaching a file for the same component replaces the earlier one; of two uploads for
the same component at once the later one wins and no file is left on disk without its row.
The answer to a supplement request may bring files too (`answer_supplement`): the same
checks, stored with the request's number, together with the answer or not at all.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from common.web import clean_header_value
from portal.models import Dossier, DossierEvent, DossierFile, utcnow
from portal.models.dossiers import Status
from portal.services import workflow
from procedures.schema import Component, Procedure

MAX_BYTES = 5 * 1024 * 1024
REQUEST_CANCELLED = (
    "Cơ quan đã hủy yêu cầu bổ sung này; nội dung và tệp bạn gửi chưa được lưu. "
    "Hồ sơ tiếp tục được giải quyết, bạn không cần bổ sung nữa."
)
MAX_SUPPLEMENT_FILES = 3  # one answer's files; 3 × 5 MB stays under the request limit
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
    procedure: Procedure, unmet: Collection[int] = (), notices: Collection[str] = ()
) -> list[tuple[int, Component]]:
    """(index, component) of each component the citizen must attach: the `upload` ones but
    those an electronic notice among `notices` stands in for (prefill.notices_present), and
    the `unmet` data-store ones (no usable document to reuse, services/reuse.py)."""
    return [
        (i, c)
        for i, c in enumerate(procedure.components)
        if (c.source == "upload" and c.unless_notice not in notices)
        or (c.source == "data_store" and i in unmet)
    ]


def waived_by_notice(procedure: Procedure, notices: Collection[str]) -> list[Component]:
    """The papers not asked because the registry gave the electronic notice instead."""
    return [c for c in procedure.components if c.unless_notice and c.unless_notice in notices]


def folder_of(instance_path: str) -> Path:
    """Where the app keeps attached files: in its instance folder, never served as is."""
    return Path(instance_path) / "uploads"


def files_of(session: Session, dossier_id: int) -> dict[int, DossierFile]:
    """The files filed with the dossier, by component (supplement answers' files apart)."""
    rows = session.exec(
        select(DossierFile).where(DossierFile.dossier_id == dossier_id, DossierFile.supplement == 0)
    ).all()
    return {f.component: f for f in rows}


def supplement_files(session: Session, dossier_id: int) -> list[DossierFile]:
    """The files attached to supplement answers, by request number, then in the order sent."""
    return list(
        session.exec(
            select(DossierFile)
            .where(DossierFile.dossier_id == dossier_id, col(DossierFile.supplement) > 0)
            .order_by(col(DossierFile.supplement), col(DossierFile.component))
        ).all()
    )


def missing(
    procedure: Procedure,
    files: dict[int, DossierFile],
    unmet: Collection[int] = (),
    notices: Collection[str] = (),
) -> list[Component]:
    return [c for i, c in upload_components(procedure, unmet, notices) if i not in files]


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


def check_answer_files(sent: Sequence[tuple[str, IO[bytes]]]) -> list[Checked]:
    """Check the files of a supplement answer, (filename, stream) each; the first refused
    one raises UploadError naming it."""
    if len(sent) > MAX_SUPPLEMENT_FILES:
        raise UploadError(f"Mỗi lần bổ sung gửi được tối đa {MAX_SUPPLEMENT_FILES} tệp.")
    checked = []
    for filename, stream in sent:
        try:
            checked.append(check(filename, stream))
        except UploadError as exc:
            raise UploadError(f"Tệp “{_clean_name(filename)}”: {exc}") from exc
    return checked


def request_number(session: Session, dossier: Dossier) -> int:
    """How many supplement requests the dossier has had: the open one's number."""
    return session.exec(
        select(func.count())
        .select_from(DossierEvent)
        .where(
            col(DossierEvent.dossier_id) == dossier.id,
            col(DossierEvent.action) == "request_supplement",
        )
    ).one()


def answer_supplement(
    session: Session,
    folder: Path,
    dossier: Dossier,
    actor: workflow.Actor,
    *,
    text: str | None,
    files: Sequence[Checked],
    expected_version: int,
    now: datetime,
    working_days: int,
    calendar_days: bool = False,
) -> Dossier:
    """The applicant's answer to the open supplement request: the text and the files
    (supplement = the request's number, component = 0, 1… in the order sent) are stored with
    the workflow's resubmit in one transaction, or nothing is (TransitionError: no row, no
    file left on disk). The event's note names the files."""
    session.refresh(dossier)
    if dossier.status != Status.SUPPLEMENT_REQUESTED and _request_cancelled(session, dossier):
        raise workflow.TransitionError(REQUEST_CANCELLED)
    names = [f"{n}. {c.name}" for n, c in enumerate(files, 1)]
    note = "\n".join([*([text] if text else []), *(["Tệp đính kèm:", *names] if names else [])])
    number = request_number(session, dossier)
    found = workflow.apply(
        session,
        dossier,
        "resubmit",
        actor,
        expected_version=expected_version,
        note=note,
        now=now,
        working_days=working_days,
        calendar_days=calendar_days,
        commit=False,
    )
    assert found.id is not None  # loaded from the database
    written: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for component, checked in enumerate(files):
            token = secrets.token_hex(16)
            (folder / token).write_bytes(checked.data)
            written.append(folder / token)
            session.add(_row(found.id, number, component, token, checked, now))
        session.commit()
    except Exception:
        session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    session.refresh(found)
    return found


def _request_cancelled(session: Session, dossier: Dossier) -> bool:
    """The last supplement request was cancelled by the office."""
    last = session.exec(
        select(DossierEvent.action)
        .where(
            col(DossierEvent.dossier_id) == dossier.id,
            col(DossierEvent.action).in_(("request_supplement", "cancel_supplement")),
        )
        .order_by(col(DossierEvent.id).desc())
    ).first()
    return last == "cancel_supplement"


def _row(
    dossier_id: int, supplement: int, component: int, token: str, checked: Checked, now: datetime
) -> DossierFile:
    return DossierFile(
        dossier_id=dossier_id,
        supplement=supplement,
        component=component,
        token=token,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_at=now,
    )
