"""The citizen's personal data store (kho dữ liệu cá nhân): the result documents issued on
the dossiers they filed or are a party to (the other spouse holds the marriage certificate
too), for them to find and for later filings to reuse. A revoked document stays listed,
marked, and is never offered for reuse. No Flask here."""

from __future__ import annotations

from sqlmodel import Session, col, select

from portal.models import Dossier, ResultDocument
from portal.services import dossiers


def _issued_to(query, personal_id: str):
    """`query` narrowed to documents issued on the citizen's dossiers, newest first."""
    return (
        query.join(Dossier, col(Dossier.id) == ResultDocument.dossier_id)
        .where(dossiers.concerning(personal_id))
        .order_by(col(ResultDocument.issued_at).desc(), col(ResultDocument.id).desc())
    )


def documents_of(session: Session, personal_id: str) -> list[tuple[ResultDocument, Dossier]]:
    """Every result document issued on the citizen's dossiers (filed or as a party), newest
    first, with its dossier; revoked ones included (the page marks them)."""
    rows = session.exec(_issued_to(select(ResultDocument, Dossier), personal_id)).all()
    return [(doc, dossier) for doc, dossier in rows]


def of_kind(session: Session, personal_id: str, kind: str) -> list[ResultDocument]:
    """The citizen's result documents of `kind` (e.g. "xac_nhan_tinh_trang_hon_nhan") that
    may be reused: not revoked, newest first."""
    query = _issued_to(select(ResultDocument), personal_id).where(
        ResultDocument.kind == kind, col(ResultDocument.revoked_at).is_(None)
    )
    return list(session.exec(query).all())
