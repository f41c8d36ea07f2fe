"""The citizen's personal data store (kho dữ liệu cá nhân): the result documents issued on
their dossiers, for them to find and for later filings to reuse. No Flask here."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.models import Dossier, ResultDocument


def _issued_to(query, personal_id: str):
    """`query` narrowed to documents issued on the citizen's dossiers, newest first."""
    return (
        query.join(Dossier, col(Dossier.id) == ResultDocument.dossier_id)
        .where(Dossier.applicant_id == personal_id)
        .order_by(col(ResultDocument.issued_at).desc(), col(ResultDocument.id).desc())
    )


def documents_of(session: Session, personal_id: str) -> list[tuple[ResultDocument, Dossier]]:
    """Every result document issued on the citizen's dossiers, newest first, with its dossier."""
    rows = session.exec(_issued_to(select(ResultDocument, Dossier), personal_id)).all()
    return [(doc, dossier) for doc, dossier in rows]


def of_kind(session: Session, personal_id: str, kind: str) -> list[ResultDocument]:
    """The citizen's result documents of `kind` (e.g. "xac_nhan_tinh_trang_hon_nhan"),
    newest first."""
    query = _issued_to(select(ResultDocument), personal_id).where(ResultDocument.kind == kind)
    return list(session.exec(query).all())
