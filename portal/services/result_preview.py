"""The result document as the signer will issue it, shown before they approve and sign: the
same content (services/issuing.py builds it from the procedure's `[result]` spec, with the
judicial-record statement when the result states one), the same layout as the signed
paper (services/results.sections), but unsigned, unnumbered and never stored. What the
population registry adds on a write-back (the child's personal ID…) is not there yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from portal.models import Dossier, Office, ResultDocument
from portal.services import issuing, results
from portal.services.deadlines import to_local

NUMBER_PENDING = "(cấp số khi ký)"
WATERMARK = "DỰ THẢO — chưa ký"


@dataclass(frozen=True)
class Preview:
    title: str
    office_name: str
    number: str
    place_date: str
    signer_title: str
    signer_name: str
    blocks: list[tuple[str, str, list[tuple[str, str]]]]
    copies: int


def preview(
    session: Session,
    dossier: Dossier,
    proc,
    *,
    signer_name: str,
    now: datetime,
    sources: issuing.Sources | None = None,
    catalogue=None,
) -> Preview:
    """The unsigned result of `dossier`, as signed now by `signer_name`. Raises
    issuing.ResultUnavailable when a source cannot answer (the judicial-record database)."""
    spec = proc.result
    office = session.get(Office, dossier.office_code) if dossier.office_code else None
    judicial = issuing._judicial(spec, dossier, sources)  # what signing would read
    answer = (dossier.data or {}).get("registry") if dossier.group_id else None
    moment = results.whole_second(now)
    issued_on = to_local(moment).date()
    title = issuing.signer_title(spec, office, catalogue, proc)
    if spec.sections:
        book_name = f"{spec.book_name} năm {issued_on.year}" if spec.book_name else None
        ctx = issuing.Context(
            dossier, proc, office, answer or {}, judicial, NUMBER_PENDING, book_name, issued_on
        )
        ctx.signer = f"{signer_name}, {title}"
        content = issuing.build_content(spec, ctx)
    else:
        content = issuing._form_content(proc, dossier)
    place = issuing.place_of(office)
    content = {**content, results.SIGNATURE_KEY: {"title": title, "place": place}}
    draft = ResultDocument(  # never added to the session: nothing is stored or signed
        dossier_id=dossier.id or 0,
        number=NUMBER_PENDING,
        kind=spec.kind,
        book=issuing.book_of(spec),
        title=spec.name,
        office_code=dossier.office_code or "",
        office_name=office.name if office else dossier.office_code or "",
        signer_id="",
        signer_name=signer_name,
        issued_at=moment,
        content=content,
        verification_code="",
        signature="",
        key_id="",
    )
    return Preview(
        title=spec.name,
        office_name=draft.office_name,
        number=NUMBER_PENDING,
        place_date=results.place_date(draft),
        signer_title=title,
        signer_name=signer_name,
        blocks=results.sections(draft),
        copies=issuing.copies_of(spec, dossier),
    )
