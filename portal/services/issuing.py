"""What an approval issues: the dossier's own result document, and — once the population
registry has taken the write-back — the results of the procedures linked to it (liên thông,
e.g. a birth registration also yields the permanent-residence notice and the child's
health-insurance card). Contents come from the dossier and the registry's answer, as the
procedure files say; signing and numbering are services.results. No Flask here."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session

from portal.models import Dossier, ResultDocument
from portal.services import results


def _shown(value):
    """Dates as dd/mm/yyyy, everything else as it is."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value


def field_rows(proc, dossier: Dossier) -> list[dict]:
    """The applicant's data as the procedure labels it, in form order; prefilled fields are
    marked (they come from the registry)."""
    if proc is None:
        return [{"label": k, "value": v, "prefilled": False} for k, v in dossier.data.items()]
    rows = []
    for f in proc.fields:
        value = dossier.data.get(f.name)
        if value in (None, ""):
            continue
        rows.append(
            {"label": f.label, "value": value, "prefilled": bool(f.prefill), "type": f.type}
        )
    return rows


def main_content(proc, dossier: Dossier) -> dict:
    """The result document's body: label → value of every filled field, in form order."""
    content: dict = {"Mã hồ sơ": dossier.code or ""}
    for row in field_rows(proc, dossier):
        value = row["value"]
        content[row["label"]] = _shown(value) if row.get("type") == "date" else value
    return content


def linked_content(linked_proc, dossier: Dossier, answer: dict) -> dict | None:
    """The body of a linked procedure's result from the registry's answer, or None when the
    answer says that part was not done (e.g. no permanent residence registered)."""
    spec = linked_proc.result.from_registry
    if spec is None or not answer.get(spec.when):
        return None
    content: dict = {"Mã hồ sơ": dossier.code or ""}
    for label, key in spec.content.items():
        value = answer.get(key)
        if value not in (None, ""):
            content[label] = _shown(value)
    return content


def issue_main(
    session: Session,
    dossier: Dossier,
    proc,
    *,
    signer_id: str,
    signer_name: str,
    now: datetime,
    key_folder: Path,
) -> ResultDocument:
    """Sign the dossier's own result (flushed; committed with the approval)."""
    assert dossier.office_code is not None  # routed at submit
    return results.issue(
        session,
        dossier,
        kind=proc.result.kind,
        title=proc.result.name,
        content=main_content(proc, dossier),
        office_code=dossier.office_code,
        signer_id=signer_id,
        signer_name=signer_name,
        now=now,
        key_folder=key_folder,
    )


def issue_linked(
    session: Session,
    dossier: Dossier,
    proc,
    catalogue,
    answer: dict,
    *,
    signer: ResultDocument,
    now: datetime,
    key_folder: Path,
) -> list[ResultDocument]:
    """Sign the results of the procedures linked to `proc` that the registry's answer
    shows done, by the office and signer of the dossier's own result (flushed)."""
    issued = []
    for code in proc.linked:
        linked_proc = catalogue.get(code)
        content = linked_content(linked_proc, dossier, answer) if linked_proc else None
        if content is None:
            continue
        issued.append(
            results.issue(
                session,
                dossier,
                kind=linked_proc.result.kind,
                title=linked_proc.result.name,
                content=content,
                office_code=signer.office_code,
                signer_id=signer.signer_id,
                signer_name=signer.signer_name,
                now=now,
                key_folder=key_folder,
            )
        )
    return issued
