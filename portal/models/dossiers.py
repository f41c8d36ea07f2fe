"""Dossiers (hồ sơ), their timeline, and the per-office daily numbering."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, false
from sqlmodel import Field

from portal.models.base import PortalModel, utcnow


class Status(StrEnum):
    """A dossier's status (DESIGN.md "Dossier life cycle"); stored as its value."""

    DRAFT = "draft"
    AWAITING_PARTIES = "awaiting_parties"
    AWAITING_PAYMENT = "awaiting_payment"  # a fee above 0 đồng, not yet paid online
    DECLINED = "declined"  # a required party declined or let the deadline pass
    SUBMITTED = "submitted"
    RECEIVED = "received"
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    AWAITING_CONFIRMATION = "awaiting_confirmation"  # the draft result sent to the parties
    AWAITING_APPEARANCE = "awaiting_appearance"  # an appointment to come in person
    APPROVED = "approved"
    REFUSED_RECEPTION = "refused_reception"
    REJECTED = "rejected"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: dict[str, str] = {
    Status.DRAFT: "Đang soạn",
    Status.AWAITING_PARTIES: "Chờ các bên liên quan xác nhận",
    Status.AWAITING_PAYMENT: "Chờ thanh toán phí, lệ phí",
    Status.DECLINED: "Không đủ xác nhận của các bên liên quan",
    Status.SUBMITTED: "Mới nộp, chờ tiếp nhận",
    Status.RECEIVED: "Đã tiếp nhận",
    Status.PROCESSING: "Đang xử lý",
    Status.SUPPLEMENT_REQUESTED: "Cần bổ sung",
    Status.AWAITING_CONFIRMATION: "Chờ xác nhận dự thảo kết quả",
    Status.AWAITING_APPEARANCE: "Chờ có mặt tại cơ quan",
    Status.APPROVED: "Đã duyệt, chờ trả kết quả",
    Status.REFUSED_RECEPTION: "Từ chối tiếp nhận",
    Status.REJECTED: "Từ chối giải quyết",
    Status.RETURNED: "Đã trả kết quả",
    Status.WITHDRAWN: "Đã rút",
}


class Dossier(PortalModel, table=True):
    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("applicant_id", "procedure_code", "draft_key"),
        # One life event, one open dossier, whoever files it (services/parties.py). A unique
        # index rather than a constraint: adding it does not make SQLite rebuild the table.
        Index("uq_dossier_open_subject", "procedure_code", "open_key", unique=True),
        # A group has one part per linked procedure, created exactly once (services/groups.py);
        # NULL group_id (every dossier that is not a part) never collides.
        Index("uq_dossier_group_part", "group_id", "procedure_code", unique=True),
        Index("ix_dossier_applicant_updated", "applicant_id", "updated_at"),  # my dossiers
        Index("ix_dossier_office_status_due", "office_code", "status", "due_date"),  # queues
        # the task queue's sweep of overdue write-backs (portal/tasks.py)
        Index("ix_dossier_registry_due", "registry_sync", "registry_next_at"),
        # statistics: every column they read, so a pass over an office, a province or the
        # country reads this index only, in office order (services/stats.py)
        Index(
            "ix_dossier_stats",
            "office_code",
            "status",
            "received_at",
            "returned_at",
            "decided_at",
            "original_due_date",
            "procedure_code",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, unique=True, max_length=48)  # set at submit
    procedure_code: str = Field(index=True, max_length=16)
    procedure_version: int
    applicant_id: str = Field(index=True, max_length=12)
    # "draft" while a draft exists: at most one draft per citizen and procedure; NULL after.
    draft_key: str | None = Field(default="draft", max_length=8)
    # The life event the dossier is about (the birth notice, the deceased, the couple, the
    # applicant), from the procedure's `subject`; set at submission.
    subject_key: str | None = Field(default=None, max_length=64)
    # The subject while the dossier is open (submitted, not yet ended); NULL before and
    # after: the unique constraint above allows one open dossier per procedure and subject.
    open_key: str | None = Field(default=None, max_length=64)
    status: str = Field(default="draft", index=True, max_length=24)
    # The competent body's office (it processes, decides and signs) and why the law makes
    # it competent; the receiving point (a one-stop centre the citizen chose, phi địa giới)
    # and why, when it is not the competent office itself (services/routing.py).
    office_code: str | None = Field(default=None, index=True, max_length=32)
    routing_reason: str | None = None
    receiving_office_code: str | None = Field(default=None, index=True, max_length=32)
    receiving_reason: str | None = None
    # Liên thông split by body: the parts of a group point at the dossier the citizen filed
    # (its own part); the citizen sees one dossier and one timeline.
    group_id: int | None = Field(default=None, index=True)
    data: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    locked_hash: str | None = None  # hash of the locked registry values and reused documents
    fee_amount: int | None = None
    fee_rule: str | None = None
    fee_reason: str | None = None
    # Each step of the fee computation (label, amount, legal basis), for the receipt.
    fee_steps: list | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # How the citizen receives the result (chosen at filing): "online" only, also the paper
    # at the receiving point ("counter"), or by post ("post") to `delivery_address`, with
    # the postal fee where one applies; the return step records what was handed over.
    delivery_method: str = Field(
        default="online", max_length=8, sa_column_kwargs={"server_default": "online"}
    )
    delivery_address: str | None = Field(default=None, max_length=255)
    delivery_fee: int | None = None
    delivered_at: datetime | None = None
    delivery_ref: str | None = Field(default=None, max_length=64)  # postal item number…
    submitted_at: datetime | None = None
    received_at: datetime | None = None
    due_date: date | None = None  # the appointment the citizen holds now (after an extension)
    # The appointment given when the clock last started (reception, a complete supplement):
    # an apology's new date does not move it, and on-time statistics judge against it.
    original_due_date: date | None = None
    paused_at: datetime | None = None  # supplement requested: the clock stands still
    extended: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    decided_at: datetime | None = None  # approved or rejected
    # Draft confirmation (hộ tịch results): when the draft went to the parties, the last day
    # they may answer (silence until then is consent) and when it was confirmed.
    draft_sent_at: datetime | None = None
    draft_answer_by: date | None = None
    draft_confirmed_at: datetime | None = None
    # An in-person step: the appointment (UTC), where, whether it was moved, attendance.
    appointment_at: datetime | None = None
    appointment_place: str | None = Field(default=None, max_length=255)
    appointment_moved: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    attended_at: datetime | None = None
    returned_at: datetime | None = None
    # Liên thông, an outbox kept by the dossier itself: "pending" from an approval whose
    # result the registry has not taken yet (the task queue writes it, portal/tasks.py),
    # "done" once it has, "refused" when the registry refused it for good (a 4xx answer:
    # never retried by itself); None when the procedure writes nothing back.
    registry_sync: str | None = Field(default=None, max_length=8)
    registry_attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # When the next attempt is due: the periodic sweep re-enqueues a pending dossier whose
    # attempt is overdue (a crash between commit and enqueue, a lost queue).
    registry_next_at: datetime | None = None
    # The last failure: the registry's HTTP status (None: no answer) and its own reason.
    registry_error_status: int | None = None
    registry_error: str | None = Field(default=None, max_length=500)
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class DossierEvent(PortalModel, table=True):
    """One step of a dossier's timeline: who moved it from which status to which."""

    __tablename__ = "dossier_event"

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(index=True, foreign_key="dossier.id")
    at: datetime = Field(default_factory=utcnow)
    actor_id: str = Field(max_length=12)
    actor_role: str = Field(max_length=16)  # "citizen" | a staff role | "system"
    from_status: str | None = None
    to_status: str
    note: str | None = None
    # The workflow action that made the event (services/workflow.ACTIONS); None for events
    # written before actions were recorded.
    action: str | None = Field(default=None, max_length=24)
    # The appointment date before and after an event that moved it (reception, resubmission,
    # extension): the extension letter (Mẫu 04) quotes both, whatever happens later.
    due_before: date | None = None
    due_after: date | None = None


class DossierParty(PortalModel, table=True):
    """A person the dossier is about, besides the office: the applicant, a co-party whose
    confirmation the dossier needs (the other spouse), or one who is only informed (the other
    parent). Every party sees the dossier, its letters and its result."""

    __tablename__ = "dossier_party"
    __table_args__ = (
        UniqueConstraint("dossier_id", "personal_id"),
        Index("ix_dossier_party_person", "personal_id", "dossier_id"),  # a party's dashboard
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(foreign_key="dossier.id")
    personal_id: str = Field(max_length=12)
    full_name: str = Field(default="", max_length=255)
    role: str = Field(max_length=16)  # "applicant" | the procedure's party role ("spouse")
    # "required": must confirm before the office sees the dossier; "informed": told only;
    # "applicant": the person who filed.
    consent: str = Field(max_length=12)
    answer: str | None = Field(default=None, max_length=12)  # "confirmed" | "declined"
    reason: str | None = Field(default=None, max_length=500)
    answered_at: datetime | None = None
    answer_by: date | None = None  # the last day to confirm
    # The answer to the draft result (draft confirmation): "confirmed" | "correction".
    draft_answer: str | None = Field(default=None, max_length=12)
    draft_answered_at: datetime | None = None


class DossierSequence(PortalModel, table=True):
    """The last number given by an office on a day (dossier codes restart daily)."""

    __tablename__ = "dossier_sequence"

    office_code: str = Field(primary_key=True, max_length=32)
    day: date = Field(primary_key=True)
    last: int = 0


class DossierFile(PortalModel, table=True):
    """A file the citizen attached for an `upload` component, stored outside the web root
    under a random name; the sha256 lets a clerk (and a later audit) check it is unchanged."""

    __tablename__ = "dossier_file"
    __table_args__ = (
        UniqueConstraint(
            "dossier_id", "supplement", "component", name="uq_dossier_file_supplement_component"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    dossier_id: int = Field(index=True, foreign_key="dossier.id")
    component: int  # index of the component in the procedure file
    # 0: filed with the dossier; n: attached to the answer to the n-th supplement request.
    supplement: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    token: str = Field(unique=True, max_length=32)  # the stored name, also the download id
    original_name: str = Field(max_length=255)
    content_type: str = Field(max_length=32)
    size: int
    sha256: str = Field(max_length=64)
    uploaded_at: datetime = Field(default_factory=utcnow)
