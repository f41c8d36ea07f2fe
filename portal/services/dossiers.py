"""Finding dossiers and who may see them: the one place views read dossiers from
(DESIGN.md "Parties"). A citizen sees a dossier they filed or are a party to; staff see the
dossiers of their own office. No Flask here (portal/access.py wraps this for the views)."""

from __future__ import annotations

from sqlmodel import Session, col, or_, select

from portal.models import Dossier, DossierEvent, DossierFile, DossierParty


def by_code(session: Session, code: str) -> Dossier | None:
    return session.exec(select(Dossier).where(Dossier.code == code)).first()


def concerning(personal_id: str):
    """A WHERE clause on Dossier: the person filed the dossier or is one of its parties."""
    party_of = select(DossierParty.dossier_id).where(DossierParty.personal_id == personal_id)
    return or_(Dossier.applicant_id == personal_id, col(Dossier.id).in_(party_of))


def is_party(session: Session, dossier: Dossier, personal_id: str) -> bool:
    """The person filed the dossier or is one of its parties."""
    if dossier.applicant_id == personal_id:
        return True
    return (
        session.exec(
            select(DossierParty.id).where(
                DossierParty.dossier_id == dossier.id, DossierParty.personal_id == personal_id
            )
        ).first()
        is not None
    )


def party_row(session: Session, dossier: Dossier, personal_id: str) -> DossierParty | None:
    return session.exec(
        select(DossierParty).where(
            DossierParty.dossier_id == dossier.id, DossierParty.personal_id == personal_id
        )
    ).first()


def of_person(session: Session, personal_id: str, *, filed_only: bool = False, limit: int = 50):
    """The dossiers a person filed or is a party to, most recently changed first; with
    `filed_only`, drafts are left out."""
    query = select(Dossier).where(concerning(personal_id))
    if filed_only:
        query = query.where(col(Dossier.code).is_not(None))
    return list(session.exec(query.order_by(col(Dossier.updated_at).desc()).limit(limit)).all())


def latest_filed(session: Session, applicant_id: str, procedure_code: str) -> Dossier | None:
    """The applicant's most recent filed dossier of a procedure."""
    return session.exec(
        select(Dossier)
        .where(
            Dossier.applicant_id == applicant_id,
            Dossier.procedure_code == procedure_code,
            col(Dossier.code).is_not(None),
        )
        .order_by(col(Dossier.id).desc())
    ).first()


def file_by_token(session: Session, token: str) -> tuple[DossierFile, Dossier] | None:
    """An attached file and its dossier, by the file's download token."""
    found = session.exec(
        select(DossierFile, Dossier)
        .join(Dossier, col(Dossier.id) == DossierFile.dossier_id)
        .where(DossierFile.token == token)
    ).first()
    return (found[0], found[1]) if found else None


def timeline(session: Session, dossier: Dossier) -> list[DossierEvent]:
    return list(
        session.exec(
            select(DossierEvent)
            .where(DossierEvent.dossier_id == dossier.id)
            .order_by(col(DossierEvent.id))
        ).all()
    )


def parties_of(session: Session, dossier: Dossier) -> list[DossierParty]:
    """The dossier's parties, the applicant first (rows written at submission)."""
    rows = session.exec(
        select(DossierParty)
        .where(DossierParty.dossier_id == dossier.id)
        .order_by(col(DossierParty.id))
    ).all()
    return list(rows)


def awaited_parties(session: Session, dossier: Dossier) -> list[DossierParty]:
    """Required parties who have not confirmed yet."""
    return [
        p
        for p in parties_of(session, dossier)
        if p.consent == "required" and p.answer != "confirmed"
    ]


def draft_readers(session: Session, dossier: Dossier) -> list[DossierParty]:
    """Who confirms a draft result: the applicant and the parties who had to consent."""
    return [p for p in parties_of(session, dossier) if p.consent in ("applicant", "required")]
