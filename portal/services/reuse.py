"""Reusing results from the citizen's personal data store in a new dossier (once-only data).

A `data_store` component of a procedure (procedures/schema.py) is met by the newest result
document of its `kind` issued on one of the applicant's own dossiers that is still usable:

- it has not been revoked by the issuing office (results.is_revoked);
- its signature verifies (results.verify): nothing changed since the office signed it;
- it is still valid: `valid_months` from its day of issue (Vietnam time), counted as Bộ luật
  Dân sự 2015, điều 147–148: the period ends with the same day of its last month, or that
  month's last day when it has none; a component without `valid_months` has no limit;
- its signed content states what the component asks for (`must_state`, label → value, e.g.
  the purpose written on a marital-status confirmation).

Without a usable document the component falls back to an upload of the paper: the
attachments step asks for it, says why, and links to the procedure that issues it online.
`resolve` runs on every filing page and again at submit, where `record` keeps what was
reused; which document is reused never comes from the form. No Flask here.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from common import tz
from portal.models import ResultDocument, ReusedDocument
from portal.services import data_store, results
from procedures.schema import Component, Procedure

BROKEN_SIGNATURE = "chữ ký số không hợp lệ (văn bản đã bị thay đổi sau khi ký)"


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month when it has no such day."""
    years, month = divmod(day.month - 1 + months, 12)
    year = day.year + years
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def issued_on(doc: ResultDocument) -> date:
    """The day of issue in Vietnam; the database hands datetimes back naive, in UTC."""
    return tz.local(doc.issued_at).date()


def valid_until(component: Component, doc: ResultDocument) -> date | None:
    """The last day `doc` may stand for `component`; None: no limit."""
    if component.valid_months is None:
        return None
    return add_months(issued_on(doc), component.valid_months)


def problem(
    component: Component, doc: ResultDocument, *, key_folder: Path, today: date
) -> str | None:
    """Why `doc` cannot stand for `component` on `today` (a phrase for the citizen), or None."""
    if results.is_revoked(doc):
        return revoked_reason(doc)
    if not results.verify(doc, key_folder):
        return BROKEN_SIGNATURE  # then nothing else on it can be trusted
    last = valid_until(component, doc)
    if last is not None and today > last:
        return f"đã hết hạn sử dụng (chỉ có giá trị đến hết ngày {last:%d/%m/%Y})"
    for label, wanted in component.must_state.items():
        stated = str(doc.content.get(label) or "").strip()
        if stated != wanted:
            return f"văn bản ghi «{label}: {stated or 'không có'}», hồ sơ này cần «{wanted}»"
    return None


def revoked_reason(doc: ResultDocument) -> str:
    """Why a revoked document cannot be reused: when, by whom and why."""
    assert doc.revoked_at is not None  # results.is_revoked(doc)
    reason = f", lý do: {doc.revoked_reason}" if doc.revoked_reason else ""
    return f"đã bị {doc.office_name} thu hồi ngày {tz.local(doc.revoked_at):%d/%m/%Y}{reason}"


def describe(doc: ResultDocument) -> str:
    """The document in one line: "<title> số <number>, cấp ngày <dd/mm/yyyy>, bởi <office>"."""
    return (
        f"{doc.title} số {doc.number}, cấp ngày {results.issued_date(doc)}, bởi {doc.office_name}"
    )


@dataclass(frozen=True)
class Reuse:
    """One data-store component of a filing, resolved for the applicant."""

    index: int  # of the component in the procedure file
    component: Component
    document: ResultDocument | None = None  # reused; None: the paper must be attached
    valid_until: date | None = None
    refused: ResultDocument | None = None  # the newest of the kind, when none is usable
    reason: str | None = None  # why `refused` cannot be used

    @property
    def description(self) -> str:
        return describe(self.document) if self.document else ""

    @property
    def refusal(self) -> str:
        """A sentence for the citizen when their newest document of the kind was refused."""
        if self.refused is None:
            return ""
        return (
            f"{self.refused.title} số {self.refused.number}, cấp ngày "
            f"{results.issued_date(self.refused)}, không dùng lại được: {self.reason}."
        )


def resolve(
    session: Session, procedure: Procedure, personal_id: str, *, key_folder: Path, today: date
) -> list[Reuse]:
    """Every data-store component of `procedure`, with the document reused for it if any."""
    return [
        _resolve(session, index, component, personal_id, key_folder, today)
        for index, component in enumerate(procedure.components)
        if component.source == "data_store"
    ]


def _resolve(session, index, component, personal_id, key_folder, today) -> Reuse:
    candidates = data_store.of_kind(session, personal_id, component.kind)
    newest_reason = None
    for doc in candidates:
        reason = problem(component, doc, key_folder=key_folder, today=today)
        if reason is None:
            return Reuse(index, component, doc, valid_until(component, doc))
        newest_reason = newest_reason or reason
    if not candidates:
        revoked = _revoked_of_kind(session, personal_id, component.kind)
        if revoked is None:
            return Reuse(index, component)
        return Reuse(index, component, refused=revoked, reason=revoked_reason(revoked))
    return Reuse(index, component, refused=candidates[0], reason=newest_reason)


def _revoked_of_kind(session: Session, personal_id: str, kind: str) -> ResultDocument | None:
    """The newest revoked document of `kind` in the citizen's data store (never offered for
    reuse), to tell them why the paper is asked for instead."""
    return next(
        (
            doc
            for doc, _dossier in data_store.documents_of(session, personal_id)
            if doc.kind == kind and results.is_revoked(doc)
        ),
        None,
    )


def unmet(reuses: Iterable[Reuse]) -> dict[int, Reuse]:
    """Components without a usable document, by index: their paper must be attached."""
    return {r.index: r for r in reuses if r.document is None}


def fingerprint(reuses: Iterable[Reuse]) -> dict[str, str]:
    """What was reused, to sign with the summary's locked values: a document that changes
    between the summary and submit makes the citizen look again."""
    return {f"reuse:{r.index}": r.document.verification_code if r.document else "" for r in reuses}


def producers(procedures: Iterable[Procedure]) -> dict[str, Procedure]:
    """Result kind → the procedure that issues it, to send a citizen to file it first."""
    return {p.result.kind: p for p in procedures}


def record(session: Session, dossier_id: int, reuses: Iterable[Reuse], now: datetime) -> None:
    """Keep which document each component reused (added to the caller's transaction)."""
    for r in reuses:
        if r.document is not None:
            assert r.document.id is not None  # a stored result
            session.add(
                ReusedDocument(
                    dossier_id=dossier_id,
                    component=r.index,
                    result_id=r.document.id,
                    valid_until=r.valid_until,
                    checked_at=now,
                )
            )


@dataclass(frozen=True)
class Recorded:
    """A document a filed dossier reused, as recorded at submit."""

    document: ResultDocument
    valid_until: date | None
    signature_ok: bool | None  # checked again when shown; None: not checked

    @property
    def description(self) -> str:
        return describe(self.document)


def recorded(
    session: Session, dossier_id: int, key_folder: Path | None = None
) -> dict[int, Recorded]:
    """Component index → the document the dossier reused; with `key_folder`, each
    signature is verified again (a clerk must see a document changed since)."""
    rows = session.exec(
        select(ReusedDocument, ResultDocument)
        .join(ResultDocument, col(ResultDocument.id) == ReusedDocument.result_id)
        .where(ReusedDocument.dossier_id == dossier_id)
    ).all()
    return {
        row.component: Recorded(
            doc, row.valid_until, results.verify(doc, key_folder) if key_folder else None
        )
        for row, doc in rows
    }
