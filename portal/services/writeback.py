"""Write an approved dossier's result back to the population registry (liên thông).

Through the registry's API with a client-credentials token (`population.write`), never its
database. The procedure file's `write_backs` say what to write; each body writes its own
change, when it approves its own dossier (a linked group's parts too):

- "create_person": a birth (UBND xã) creates the child: personal ID, parents, birth data,
  from the electronic birth notice or, without one, as the parents declared it;
- "marital_status": a marriage makes both parties married to each other;
- "close_record": a death closes the deceased's record (the permanent residence stays);
- "register_residence": a permanent residence (Công an xã, 1.004222): the person moving, or
  the child of a birth group joining the household of the parent;
- "remove_residence": xóa đăng ký thường trú (Công an xã, 1.003197), the deceased's too;
- "health_insurance": the health-insurance card of a child under 6 (BHXH, 1.014137).

Every call carries the dossier code as `reference`, so retrying after a failure never
writes twice. The registry first, then the paper: approving such a dossier signs nothing;
it sets `registry_sync = "pending"` (the dossier is its own outbox) and the task queue
(portal/tasks.py) calls `sync` after the commit. Only once the registry has taken the write
does `sync` sign the dossier's own result (by the approving leader; its `registry:` rows
read the registry's answer: the child's personal ID, the address registered, the card
number) and start the parts of its linked group (services/groups.py: each linked procedure
becomes a dossier of its own body, which processes and signs it and writes its own change),
in the transaction that marks the write done: a result never exists for a write that
failed, and a part is created exactly once. The parts' data include the registry's record
of the person the write concerns (the child, the deceased) and of the lead's applicant (the
parent the child is registered with), read right after the write with the portal's lookup
scope. A transient failure (no answer, 5xx, 429, 401) is retried with exponential backoff
(`backoff`); a refusal (any other 4xx) sends the dossier back to the officer (workflow
action "registry_refused", approved → processing) with the registry's reason in Vietnamese
(`refusal_message`); he may correct and approve again (a new write) or reject it. Nothing
retries a refusal by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.models import Citizen, Dossier, DossierEvent, ResultDocument
from portal.models.dossiers import Status
from portal.services import groups, issuing, prefill, registry, results, routing, workflow
from portal.services.registry import PersonNotFound, RegistryError, RegistryRefused
from portal.services.writeback_client import (
    REASON_MAX,
    WriteFailed,
    WriteRefused,
    backoff,
    is_permanent,
    is_permanent_status,
    post_json,
    refusal_message,
)

__all__ = ["WriteFailed", "WriteRefused", "backoff", "is_permanent", "is_permanent_status"]

WRITE_SCOPE = "population.write"
LOOKUP_SCOPE = "population.lookup"
SYSTEM = "system"  # actor of the events the task queue writes
RETRY_LATER = "Chưa ghi được vào CSDLQG về dân cư, sẽ thử lại tự động"
RESENT = "Cán bộ yêu cầu gửi lại kết quả sang CSDLQG về dân cư."
SENDING = (
    "Kết quả đang được gửi sang CSDLQG về dân cư; kết quả được ký số và hiện trên trang hồ sơ "
    "khi ghi xong."
)

Post = Callable[[str, str, dict, int], dict]  # (url, token, body, timeout) -> data
Lookup = Callable[[str, str, str], dict]  # (personal id, purpose, actor) -> registry record


def _value(dossier: Dossier, name: str) -> str | None:
    value = (dossier.data or {}).get(name)
    if isinstance(value, str):
        value = value.strip()
    return value or None


def _iso(value: str | None) -> str | None:
    """A date as the registry takes it (YYYY-MM-DD), from a typed or a shown one."""
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    return value  # the registry says what is wrong with it


def _office_place(dossier: Dossier) -> tuple[int | None, int | None]:
    """(province, ward) of the dossier's office, from its code ("79.26743.ca", "79.bhxh")."""
    parts = (dossier.office_code or "").split(".")
    numbers = [int(p) for p in parts[:2] if p.isascii() and p.isdigit()]
    return (numbers + [None, None])[0], (numbers + [None, None])[1]


def _common(dossier: Dossier, procedure, actor_id: str) -> dict:
    return {
        "reference": dossier.code,
        "purpose": f"Liên thông kết quả {procedure.name}, hồ sơ {dossier.code}",
        "actor": actor_id,
    }


def _typed(dossier: Dossier) -> set[str]:
    return set((dossier.data or {}).get(prefill.TYPED_KEY) or ())


SEX_CODES = {"Nam": "nam", "Nữ": "nu", "nam": "nam", "nu": "nu"}
# Without an electronic birth notice: the paper notice when its number is given, else the
# witness statement (registry_writes.PROOFS).
PAPER_NOTICE, WITNESS = "giay_chung_sinh", "nguoi_lam_chung"


def birth_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    """The child to create: from the electronic birth notice (its number: the registry has
    its data), or, when the notice's fields were typed (none from the health system), from
    what the parents declared, with the paper notice's number or the witness statement."""
    province, _ = _office_place(dossier)
    payload = {
        **_common(dossier, procedure, actor_id),
        "full_name": _value(dossier, "child_full_name"),
        "ethnicity": _value(dossier, "child_ethnicity"),
        "mother_id": _value(dossier, "mother_personal_id"),
        "father_id": _value(dossier, "father_personal_id"),
        "registration_province_code": province,
    }
    typed = _typed(dossier)
    if "birth_notice_number" not in typed:  # the electronic notice
        payload["birth_notice_number"] = _value(dossier, "birth_notice_number")
        if "father_personal_id" in typed:  # a father the notice does not name, declared
            payload["father_full_name"] = _value(dossier, "father_full_name")
            payload["father_birth_date"] = _iso(_value(dossier, "father_birth_date"))
    else:
        paper = _value(dossier, "birth_notice_number")
        payload |= {
            "birth_date": _iso(_value(dossier, "child_birth_date")),
            "sex": SEX_CODES.get(_value(dossier, "child_sex") or "", _value(dossier, "child_sex")),
            "birth_place": _value(dossier, "child_birth_place"),
            "proof": PAPER_NOTICE if paper else WITNESS,
            "proof_number": paper,
            "mother_full_name": _value(dossier, "mother_full_name"),
            "mother_birth_date": _iso(_value(dossier, "mother_birth_date")),
            "father_full_name": _value(dossier, "father_full_name"),
            "father_birth_date": _iso(_value(dossier, "father_birth_date")),
        }
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


def _ward_code(dossier: Dossier, name: str) -> int | str | None:
    """The ward of a typed address: its code, or its name resolved as routing did (the
    ward of the dossier's office when the name is shared)."""
    raw = _value(dossier, name)
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    if text.isascii() and text.isdigit():
        return int(text)
    found = [w.code for w in routing.find_wards(text)]
    _, ward = _office_place(dossier)
    if ward in found:
        return ward
    return found[0] if len(found) == 1 else text  # the registry refuses what is unclear


NO_HEAD = "Là chủ hộ"


def residence_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    """The permanent residence (1.004222) of the person the form names (the citizen, or the
    child of a birth group): the household head they join (the relation as declared, else
    the registry's links say it), or the address of a household they head."""
    relation = _value(dossier, "relation_to_head")
    payload = {
        **_common(dossier, procedure, actor_id),
        "personal_id": _value(dossier, "applicant_personal_id") or dossier.applicant_id,
        "ward_code": _ward_code(dossier, "new_ward_code"),
        "street": _value(dossier, "new_street"),
        "household_head_id": None
        if relation == NO_HEAD
        else _value(dossier, "household_head_personal_id"),
        "relation_to_head": relation,
    }
    return {k: v for k, v in payload.items() if v is not None}


def removal_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    """Xóa đăng ký thường trú (1.003197) of the citizen, or of the member of the household
    the form names (the deceased of a death group)."""
    other = _value(dossier, "removed_is_applicant") != "Bản thân tôi"
    removed = _value(dossier, "removed_personal_id") if other else None
    payload = {
        **_common(dossier, procedure, actor_id),
        "personal_id": removed or _value(dossier, "applicant_personal_id") or dossier.applicant_id,
        "reason": _value(dossier, "reason"),
        "event_date": _iso(_value(dossier, "event_date")),
    }
    return {k: v for k, v in payload.items() if v is not None}


def card_payload(dossier: Dossier, procedure, actor_id: str) -> dict:
    """The health-insurance card of the child (1.014137), by the BHXH of the office's
    province, with the place of first registration chosen."""
    province, _ = _office_place(dossier)
    payload = {
        **_common(dossier, procedure, actor_id),
        "personal_id": _value(dossier, "child_personal_id"),
        "province_code": province,
        "primary_care_facility": _value(dossier, "primary_care_facility"),
    }
    return {k: v for k, v in payload.items() if v is not None}


def _birth_message(data: dict) -> str:
    how = (
        f"theo {data['proof_label'].lower()} do cha mẹ kê khai"
        if data.get("declared") and data.get("proof_label")
        else "theo giấy chứng sinh điện tử"
    )
    return (
        f"Đã ghi vào CSDLQG về dân cư: trẻ {data['full_name']} được cấp số định danh cá nhân "
        f"{data['personal_id']} ({how})."
    )


def _marriage_message(data: dict) -> str:
    first, second = data["personal_ids"]
    return (
        f"Đã ghi vào CSDLQG về dân cư: {first} và {second} có tình trạng hôn nhân "
        "“Đã kết hôn”, là vợ chồng của nhau."
    )


def _death_message(data: dict) -> str:
    return (
        f"Đã ghi vào CSDLQG về dân cư: đóng thông tin công dân {data['personal_id']} "
        f"(chết ngày {data['died_on']})."
    )


def _residence_message(data: dict) -> str:
    return (
        f"Đã ghi vào CSDLQG về dân cư: {data['full_name']} ({data['personal_id']}) đăng ký "
        f"thường trú tại {data['residence_address']}, quan hệ với chủ hộ: "
        f"{data['relation_to_head']}."
    )


def _removal_message(data: dict) -> str:
    return (
        f"Đã ghi vào CSDLQG về dân cư: xóa đăng ký thường trú của {data['full_name']} "
        f"({data['personal_id']}) tại {data['removed_residence']}."
    )


def _card_message(data: dict) -> str:
    return (
        f"Đã ghi vào CSDLQG về dân cư: cấp thẻ bảo hiểm y tế số "
        f"{data['health_insurance_number']} cho trẻ {data['full_name']} ({data['personal_id']})."
    )


# write_backs entry -> (endpoint, payload builder, message)
KINDS = {
    "create_person": ("births", birth_payload, _birth_message),
    "marital_status": ("marriages", marriage_payload, _marriage_message),
    "close_record": ("deaths", death_payload, _death_message),
    "register_residence": ("residences", residence_payload, _residence_message),
    "remove_residence": ("residence-removals", removal_payload, _removal_message),
    "health_insurance": ("health-insurance-cards", card_payload, _card_message),
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
    data = (post or post_json)(
        f"{base_url.rstrip('/')}/api/population/{endpoint}", token, payload, timeout
    )
    return message(data), data


# --- one attempt, run by the task queue -------------------------------------------------


@dataclass(frozen=True)
class Registry:
    """Where and how to write: the provider's base URL and a service-token getter."""

    base_url: str
    token_getter: Callable[[str], str]
    post: Post | None = None  # tests pass a fake
    lookup: Lookup | None = None  # tests pass a fake; else the registry's people API

    def record_of(self, personal_id: str, purpose: str, actor: str) -> dict:
        """The registry's record of a person, read with the lookup scope."""
        if self.lookup is not None:
            return self.lookup(personal_id, purpose, actor)
        try:
            token = self.token_getter(LOOKUP_SCOPE)
        except Exception as exc:  # noqa: BLE001 - the token endpoint failed in any way
            raise RegistryError(f"no service token: {exc}") from exc
        base = self.base_url.rstrip("/")
        return registry.lookup(base, token, personal_id, purpose=purpose, actor=actor)


@dataclass(frozen=True)
class Retry:
    """The backoff policy: BASE·2^attempt seconds, at most MAX."""

    base: float = 30
    cap: float = 3600


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: "done", "refused", "retry" (after `delay` s) or "skipped"."""

    state: str
    message: str = ""
    delay: float | None = None


SKIPPED = Outcome("skipped")


def sync(
    session: Session,
    dossier_id: int,
    catalogue,
    target: Registry,
    *,
    now: datetime,
    key_folder: Path,
    retry: Retry = Retry(),
) -> Outcome:
    """One attempt to write back an approved dossier still pending. It first claims the
    attempt (attempt counter and next due time, guarded: of two concurrent runs one goes
    on). On success, in one transaction: the dossier is marked done, its own result is
    signed by the approving leader, the parts of its linked group are started at their own
    bodies (a birth: the residence at the Công an xã, the card at BHXH), and the outcome is
    noted on the timeline. A refusal sends the dossier back to the officer; a transient
    failure asks for a retry after the backoff (the approval stands)."""
    dossier = session.get(Dossier, dossier_id)
    if dossier is not None:
        session.refresh(dossier)
    if dossier is None or dossier.registry_sync != "pending":
        return SKIPPED
    procedure = catalogue.get(dossier.procedure_code)
    attempt = dossier.registry_attempts or 0
    delay = backoff(attempt, retry.base, retry.cap)
    claimed = session.exec(
        update(Dossier)
        .where(
            col(Dossier.id) == dossier_id,
            col(Dossier.registry_sync) == "pending",
            col(Dossier.registry_attempts) == attempt,
        )
        .values(registry_attempts=attempt + 1, registry_next_at=now + timedelta(seconds=delay))
    ).rowcount
    session.commit()
    if claimed != 1 or procedure is None:
        return SKIPPED
    approver = _approver(session, dossier)
    try:
        written = write_back(
            dossier, procedure, target.token_getter, target.base_url, approver, post=target.post
        )
        records = _records(target, dossier, procedure, written, approver)
    except RegistryError as exc:
        if is_permanent(exc):
            return _refused(session, dossier, exc, now)
        return _failed(session, dossier, exc, attempt, max(delay, _hint(exc)), now)
    signer = Signer(approver, _name_of(session, approver), key_folder)
    return _written(session, dossier, procedure, catalogue, written, records, now, signer)


@dataclass(frozen=True)
class Records:
    """The registry's records a linked group's parts read (None: not needed, or unknown)."""

    subject: dict | None = None  # the person the write concerns (the child, the deceased)
    applicant: dict | None = None  # the lead's applicant (the parent the child lives with)


def _records(
    target: Registry, dossier: Dossier, procedure, written: tuple[str, dict] | None, actor: str
) -> Records:
    """The registry's records of the person the write concerns and, where the group's links
    read it, of the lead's applicant, when the dossier leads a linked group: None for a
    person the registry does not know. A transient failure raises, and the attempt is
    retried (the write, keyed by the dossier code, is not made twice)."""
    if not written or not procedure.linked:
        return Records()
    purpose = f"Liên thông hồ sơ {dossier.code}: lập hồ sơ các cơ quan liên quan"

    def read(number: str | None) -> dict | None:
        if number is None:
            return None
        try:
            return target.record_of(number, purpose, actor)
        except (PersonNotFound, RegistryRefused):
            return None

    applicant = dossier.applicant_id if groups.reads_applicant(procedure) else None
    return Records(read(groups.subject_id(written[1])), read(applicant))


def _hint(exc: Exception) -> float:
    """The registry's own Retry-After, if it gave one."""
    return getattr(exc, "retry_after", None) or 0.0


def _approver(session: Session, dossier: Dossier) -> str:
    """Who approved the dossier: the registry records them as the actor of the write. The
    step into "approved", not the notes written while it stays approved (a retry later)."""
    found = session.exec(
        select(DossierEvent.actor_id)
        .where(
            DossierEvent.dossier_id == dossier.id,
            DossierEvent.to_status == Status.APPROVED,
            col(DossierEvent.from_status) != Status.APPROVED,
        )
        .order_by(col(DossierEvent.id).desc())
    ).first()
    return found or SYSTEM


def _name_of(session: Session, personal_id: str) -> str:
    """The signer's name as the portal knows it (they signed in), else their number."""
    citizen = session.get(Citizen, personal_id)
    return citizen.full_name if citizen and citizen.full_name else personal_id


CONFLICT_TRIES = 3  # a refusal sent back while something else bumps the version


def _refused(session: Session, dossier: Dossier, exc: RegistryError, now: datetime) -> Outcome:
    """Send the dossier back to the officer (approved → processing) with the reason."""
    status = getattr(exc, "status", None)
    reason = str(exc)[:REASON_MAX]
    message = refusal_message(status, reason)
    values = {
        "registry_sync": "refused",
        "registry_next_at": None,
        "registry_error_status": status,
        "registry_error": reason,
    }
    for _ in range(CONFLICT_TRIES):
        session.refresh(dossier)
        if dossier.status != Status.APPROVED or dossier.registry_sync != "pending":
            break
        try:
            workflow.apply(
                session,
                dossier,
                "registry_refused",
                workflow.system(),
                expected_version=dossier.version,
                note=message,
                now=now,
                values=values,
            )
        except workflow.TransitionError:
            session.rollback()
            continue
        return Outcome("refused", message)
    # Not approved any more (a dossier from before refusals went back): mark it only.
    session.execute(
        update(Dossier)
        .where(col(Dossier.id) == dossier.id, col(Dossier.registry_sync) == "pending")
        .values(**values)
    )
    _note(session, dossier, SYSTEM, SYSTEM, message, now)
    session.commit()
    return Outcome("refused", message)


def _failed(
    session: Session,
    dossier: Dossier,
    exc: RegistryError,
    attempt: int,
    delay: float,
    now: datetime,
) -> Outcome:
    session.execute(
        update(Dossier)
        .where(col(Dossier.id) == dossier.id, col(Dossier.registry_sync) == "pending")
        .values(
            registry_next_at=now + timedelta(seconds=delay),
            registry_error_status=getattr(exc, "status", None),
            registry_error=str(exc)[:REASON_MAX],
        )
    )
    message = f"{RETRY_LATER} (CSDLQG về dân cư tạm thời không phản hồi)."
    if attempt == 0:  # noted once, not at every retry of an outage
        _note(session, dossier, SYSTEM, SYSTEM, message, now)
    session.commit()
    return Outcome("retry", message, delay)


@dataclass(frozen=True)
class Signer:
    """Who signs the results once the registry has the write: the approving leader."""

    personal_id: str
    name: str
    key_folder: Path


def _written(
    session: Session,
    dossier: Dossier,
    procedure,
    catalogue,
    written: tuple[str, dict] | None,
    records: Records,
    now: datetime,
    signer: Signer,
) -> Outcome:
    message, answer = written or ("", {})
    done = session.exec(
        update(Dossier)
        .where(col(Dossier.id) == dossier.id, col(Dossier.registry_sync) == "pending")
        .values(registry_sync="done", registry_next_at=None, registry_error=None)
    ).rowcount
    if done != 1:  # another run finished it meanwhile: it issued the results
        session.rollback()
        return SKIPPED
    assert dossier.id is not None  # loaded from the database
    # A dossier approved before the registry came first had its result signed at approval.
    if not results.of_dossier(session, dossier.id):
        main = _sign_main(session, dossier, procedure, now, signer, answer)
        message += f" Đã ký số {main.title} số {main.number}."
    if procedure.linked:  # liên thông: each part goes to its own body, exactly once
        inputs = groups.Inputs(dossier.data, answer, records.subject, records.applicant)
        created, unplaced = groups.start_parts(session, dossier, procedure, catalogue, inputs, now)
        message += groups.started_message(created, unplaced)
    if message:
        _note(session, dossier, SYSTEM, SYSTEM, message, now)
    session.commit()
    session.refresh(dossier)
    return Outcome("done", message)


def _sign_main(
    session: Session,
    dossier: Dossier,
    procedure,
    now: datetime,
    signer: Signer,
    answer: dict | None = None,
) -> ResultDocument:
    """Sign the dossier's own result now that the registry has the write (flushed); the
    registry's answer goes into it (the Giấy khai sinh states the child's personal ID)."""
    return issuing.issue_main(
        session,
        dossier,
        procedure,
        signer_id=signer.personal_id,
        signer_name=signer.name,
        now=now,
        key_folder=signer.key_folder,
        registry_answer=answer,
    )


# --- the officer's view and manual retry ------------------------------------------------


def request_retry(
    session: Session, dossier: Dossier, actor_id: str, actor_role: str, now: datetime
) -> bool:
    """The officer asks to write a pending result now (the caller enqueues the attempt
    after this commits). A refused write of a dossier still approved (refused before
    refusals sent it back) becomes pending again, its attempts counted from zero; a
    dossier sent back is approved again instead. False when nothing waits for the
    registry."""
    session.refresh(dossier)
    if dossier.registry_sync == "refused" and dossier.status == Status.APPROVED:
        reset = session.exec(
            update(Dossier)
            .where(col(Dossier.id) == dossier.id, col(Dossier.registry_sync) == "refused")
            .values(registry_sync="pending", registry_attempts=0, registry_next_at=now)
        ).rowcount
        if reset != 1:
            session.rollback()
            return False
        _note(session, dossier, actor_id, actor_role, RESENT, now)
        session.commit()
        session.refresh(dossier)
    return dossier.registry_sync == "pending"


def refusal_of(dossier: Dossier) -> str:
    """The officer's sentence for the dossier's refused write."""
    return refusal_message(dossier.registry_error_status, dossier.registry_error)


def status_message(session: Session, dossier: Dossier) -> tuple[str, str] | None:
    """What to tell the officer about the write-back now: (message, flash category)."""
    session.refresh(dossier)
    if dossier.registry_sync == "pending":
        return SENDING, "ok"
    if dossier.registry_sync == "refused":
        return refusal_of(dossier), "warn"
    if dossier.registry_sync == "done":
        note = session.exec(
            select(DossierEvent.note)
            .where(DossierEvent.dossier_id == dossier.id, DossierEvent.actor_role == SYSTEM)
            .order_by(col(DossierEvent.id).desc())
        ).first()
        return (note, "ok") if note else None
    return None


def overdue(session: Session, before: datetime, limit: int = 100) -> list[int]:
    """Pending dossiers whose next attempt was due before `before`, oldest first: left by
    a crash between commit and enqueue, or by a lost queue."""
    found = session.exec(
        select(Dossier.id)
        .where(
            Dossier.registry_sync == "pending",
            col(Dossier.registry_next_at) <= before,
        )
        .order_by(col(Dossier.registry_next_at), col(Dossier.id))
        .limit(limit)
    )
    return [dossier_id for dossier_id in found if dossier_id is not None]  # keys: never NULL


def pending(session: Session, limit: int = 100) -> list[Dossier]:
    """Approved dossiers whose result has not reached the registry yet, oldest first."""
    return list(
        session.exec(
            select(Dossier)
            .where(Dossier.registry_sync == "pending")
            .order_by(col(Dossier.decided_at), col(Dossier.id))
            .limit(limit)
        ).all()
    )


def _note(
    session: Session, dossier: Dossier, actor_id: str, actor_role: str, note: str, now: datetime
) -> None:
    assert dossier.id is not None  # loaded from the database
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
