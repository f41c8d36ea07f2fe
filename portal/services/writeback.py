"""Write an approved dossier's result back to the population registry (liên thông).

Through the registry's API with a client-credentials token (`population.write`), never its
database. The procedure file's `write_backs` say what to write:

- "create_person" (+ "register_residence", "health_insurance"): a birth creates the child;
- "marital_status": a marriage makes both parties married to each other;
- "close_record": a death closes the deceased's record.

Every call carries the dossier code as `reference`, so retrying after a failure never
writes twice. Registry failures raise RegistryError; `sync` turns the outcome into a flash
message and a note on the dossier's timeline, and leaves a failed one pending for a retry
(the clerk's button, or `flask --app portal retry-writebacks`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, select

from portal.models import Dossier, DossierEvent
from portal.services import issuing, registry, results
from portal.services.registry import RegistryError

WRITE_SCOPE = "population.write"
RETRY_LATER = "Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại"

Post = Callable[[str, str, dict, int], dict]  # (url, token, body, timeout) -> data


def _value(dossier: Dossier, name: str) -> str | None:
    value = (dossier.data or {}).get(name)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _common(dossier: Dossier, procedure, actor_id: str) -> dict:
    return {
        "reference": dossier.code,
        "purpose": f"Liên thông kết quả {procedure.name}, hồ sơ {dossier.code}",
        "actor": actor_id,
    }


def birth_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    write_backs = set(procedure.write_backs)
    payload = {
        **_common(dossier, procedure, actor_id),
        "birth_notice_number": _value(dossier, "birth_notice_number"),
        "full_name": _value(dossier, "child_full_name"),
        "ethnicity": _value(dossier, "child_ethnicity"),
        "mother_id": _value(dossier, "mother_personal_id"),
        "father_id": _value(dossier, "father_personal_id"),
        "health_insurance": "health_insurance" in write_backs,
    }
    if "register_residence" in write_backs:
        payload["residence_of"] = _value(dossier, "applicant_personal_id")
    return {k: v for k, v in payload.items() if v is not None}


def marriage_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    return {
        **_common(dossier, procedure, actor_id),
        "person_id": _value(dossier, "applicant_personal_id") or dossier.applicant_id,
        "partner_id": _value(dossier, "partner_personal_id"),
    }


def death_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    return {
        **_common(dossier, procedure, actor_id),
        "personal_id": _value(dossier, "deceased_personal_id"),
        "died_on": _value(dossier, "death_date"),
    }


def _birth_message(data: dict) -> str:
    parts = [
        f"Đã ghi vào CSDLQG về dân cư: trẻ {data['full_name']} được cấp số định danh cá nhân "
        f"{data['personal_id']}"
    ]
    if data.get("permanent_residence"):
        parts.append("đăng ký thường trú cùng cha mẹ")
    if data.get("health_insurance"):
        parts.append("cấp thẻ BHYT")
    return "; ".join(parts) + "."


def _marriage_message(data: dict) -> str:
    first, second = data["personal_ids"]
    return (
        f"Đã ghi vào CSDLQG về dân cư: {first} và {second} có tình trạng hôn nhân "
        "“Đã kết hôn”, là vợ chồng của nhau."
    )


def _death_message(data: dict) -> str:
    return (
        f"Đã ghi vào CSDLQG về dân cư: đóng thông tin công dân {data['personal_id']} "
        f"(chết ngày {data['died_on']}) và xóa đăng ký thường trú."
    )


# write_backs entry -> (endpoint, payload builder, message)
KINDS = {
    "create_person": ("births", birth_payload, _birth_message),
    "marital_status": ("marriages", marriage_payload, _marriage_message),
    "close_record": ("deaths", death_payload, _death_message),
}


def writes_back(procedure) -> bool:
    """Whether approving this procedure writes to the registry (this module knows how)."""
    return procedure is not None and any(name in KINDS for name in procedure.write_backs)


def write_back(
    dossier: Dossier,
    procedure,
    token_getter: Callable[[str], str],
    base_url: str,
    actor_id: str,
    *,
    post: Post | None = None,
    timeout: int = 10,
) -> tuple[str, dict] | None:
    """Write the dossier's result to the registry: (message for the clerk, the registry's
    answer), or None when the procedure writes nothing this module knows. Raises
    RegistryError."""
    kind = next((name for name in procedure.write_backs if name in KINDS), None)
    if kind is None:
        return None
    endpoint, build, message = KINDS[kind]
    payload = build(dossier, procedure, actor_id)
    try:
        token = token_getter(WRITE_SCOPE)
    except Exception as exc:  # noqa: BLE001 - the token endpoint failed in any way
        raise RegistryError(f"no service token: {exc}") from exc
    data = (post or registry._post)(
        f"{base_url.rstrip('/')}/api/population/{endpoint}", token, payload, timeout
    )
    return message(data), data


@dataclass(frozen=True)
class Registry:
    """Where and how to write: the provider's base URL and a service-token getter."""

    base_url: str
    token_getter: Callable[[str], str]
    post: Post | None = None  # tests pass a fake


def sync(
    session: Session,
    dossier: Dossier,
    procedure,
    catalogue,
    target: Registry,
    *,
    actor_id: str,
    actor_role: str,
    now: datetime,
    key_folder: Path,
) -> tuple[str, str] | None:
    """Write back an approved dossier still waiting for the registry (registry_sync
    "pending"), after the approval or as a retry: (message, flash category), or None when
    nothing was waiting. On success, in one transaction: the dossier is marked done, the
    linked procedures' results are issued (a birth also yields the residence notice and the
    health-insurance card) and the outcome is noted on the timeline. On failure the outcome
    is noted and the dossier stays pending for the next retry; the approval always stands."""
    if procedure is None or dossier.registry_sync != "pending":
        return None
    try:
        written = write_back(
            dossier, procedure, target.token_getter, target.base_url, actor_id, post=target.post
        )
    except RegistryError as exc:
        message = f"{RETRY_LATER} ({exc})."
        _note(session, dossier, actor_id, actor_role, message, now)
        session.commit()
        return message, "warn"
    message, answer = written or ("", {})
    done = session.execute(
        update(Dossier)
        .where(Dossier.id == dossier.id, Dossier.registry_sync == "pending")
        .values(registry_sync="done")
    ).rowcount
    if done != 1:  # another retry finished it meanwhile: it issued the results
        session.rollback()
        return None
    issued = results.of_dossier(session, dossier.id)
    if issued:
        linked = issuing.issue_linked(
            session,
            dossier,
            procedure,
            catalogue,
            answer,
            signer=issued[0],
            now=now,
            key_folder=key_folder,
        )
        if linked:
            message += " Đã cấp kèm: " + "; ".join(d.title for d in linked) + "."
    if message:
        _note(session, dossier, actor_id, actor_role, message, now)
    session.commit()
    session.refresh(dossier)
    return (message, "ok") if message else None


def pending(session: Session, limit: int = 100) -> list[Dossier]:
    """Approved dossiers whose result has not reached the registry yet, oldest first."""
    return list(
        session.exec(
            select(Dossier)
            .where(Dossier.registry_sync == "pending")
            .order_by(Dossier.decided_at, Dossier.id)
            .limit(limit)
        ).all()
    )


def _note(
    session: Session, dossier: Dossier, actor_id: str, actor_role: str, note: str, now: datetime
) -> None:
    session.add(
        DossierEvent(
            dossier_id=dossier.id,
            at=now,
            actor_id=actor_id,
            actor_role=actor_role,
            from_status=dossier.status,
            to_status=dossier.status,
            note=note,
        )
    )
