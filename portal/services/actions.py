"""The life cycle's actions, each declared once (DESIGN.md "Dossier life cycle"): its label,
button, done message, who takes it (a staff role, the applicant, a party, the task queue),
the statuses it starts from, where it takes the dossier, its note and its letter. The rules
that apply them are services/workflow.py. No Flask here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sqlmodel import Session

from portal.models import Dossier
from portal.models.dossiers import Status
from portal.services.dossiers import awaited_parties, draft_readers

if TYPE_CHECKING:
    from portal.services.workflow import Actor

# "citizen": the applicant; "party": any party (the applicant included); "co_party": a
# party whose confirmation is still awaited; "staff": the office; "system": the task queue.
ActorKind = Literal["citizen", "party", "co_party", "staff", "system"]


@dataclass(frozen=True)
class LetterForm:
    """The one-stop form an action's event produces (Mẫu 02–04)."""

    number: str | None  # "02"; None: a letter without a numbered form
    title: str
    signer_caption: str  # above the signer's name, as the form prints it

    @property
    def link_text(self) -> str:
        if self.number is None:
            return f"Tải {self.title.lower()} (PDF)"
        return f"Tải Mẫu {self.number} (PDF)"


def _back_from_supplement(session: Session, dossier: Dossier, actor: Actor) -> Status:
    """A supplement answered (or cancelled) goes back where it was asked: reception, or
    processing once the dossier had been received."""
    return Status.SUBMITTED if dossier.received_at is None else Status.PROCESSING


def amount_due(dossier: Dossier) -> int:
    """What the citizen pays online before reception (đồng): the fee and the postal fee."""
    return (dossier.fee_amount or 0) + (dossier.delivery_fee or 0)


def _to_office(dossier: Dossier) -> Status:
    """A fee above 0 đồng is paid online first (DESIGN.md "Fees and payment")."""
    return Status.AWAITING_PAYMENT if amount_due(dossier) > 0 else Status.SUBMITTED


def _after_submit(session: Session, dossier: Dossier, actor: Actor) -> Status:
    """A dossier with parties whose confirmation it needs waits for them first."""
    return Status.AWAITING_PARTIES if awaited_parties(session, dossier) else _to_office(dossier)


def _after_confirmation(session: Session, dossier: Dossier, actor: Actor) -> Status:
    """The last awaited party's confirmation sends the dossier to the office."""
    others = [p for p in awaited_parties(session, dossier) if p.personal_id != actor.personal_id]
    return Status.AWAITING_PARTIES if others else _to_office(dossier)


def _after_draft_answer(session: Session, dossier: Dossier, actor: Actor) -> Status:
    """The draft is confirmed once every party asked has confirmed it."""
    waiting = [
        p
        for p in draft_readers(session, dossier)
        if p.draft_answer != "confirmed" and p.personal_id != actor.personal_id
    ]
    return Status.AWAITING_CONFIRMATION if waiting else Status.PROCESSING


Target = Status | Callable[[Session, Dossier, "Actor"], Status] | None


@dataclass(frozen=True)
class Action:
    name: str
    label: str  # the action as a verb, for messages: "tiếp nhận"
    button: str
    done: str  # the flash after success; {code} is the dossier's code
    sources: frozenset[Status]
    # The status after the action; a function where it depends on the dossier's history or
    # its parties; None: the status stays (an extension, a revocation).
    target: Target
    actor: ActorKind
    role: str | None = None  # the staff role; for a citizen action None
    # The role asked while the dossier has not been received yet, where it differs.
    reception_role: str | None = None
    note_label: str | None = None  # set: the action needs a note under this label
    note_prompt: str | None = None
    letter: LetterForm | None = None
    secondary: bool = False  # a refusal: shown as the secondary button

    def role_for(self, dossier: Dossier) -> str | None:
        if self.reception_role and dossier.received_at is None:
            return self.reception_role
        return self.role

    def target_for(self, session: Session, dossier: Dossier, actor: Actor) -> Status:
        if self.target is None:
            return Status(dossier.status)
        if isinstance(self.target, Status):
            return self.target
        return self.target(session, dossier, actor)


S = Status
SUPPLEMENT_LETTER = LetterForm("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Người hướng dẫn")
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "submit",
            "nộp",
            "Nộp hồ sơ",
            "Đã nộp hồ sơ {code}.",
            frozenset({S.DRAFT}),
            _after_submit,
            "citizen",
        ),
        Action(
            "withdraw",
            "rút",
            "Rút hồ sơ",
            "Đã rút hồ sơ {code}.",
            frozenset({S.AWAITING_PARTIES, S.AWAITING_PAYMENT, S.SUBMITTED}),
            S.WITHDRAWN,
            "citizen",
        ),
        Action(
            "paid",
            "ghi nhận đã thanh toán",
            "",
            "",
            frozenset({S.AWAITING_PAYMENT}),
            S.SUBMITTED,
            "system",  # the gateway's verified notification (services/payments.py)
        ),
        Action(
            "refund",
            "hoàn trả phí, lệ phí",
            "",
            "",
            frozenset({S.REFUSED_RECEPTION, S.WITHDRAWN}),
            None,
            "system",  # the gateway's refund of a paid fee, on the timeline
        ),
        Action(
            "confirm_party",
            "xác nhận",
            "Tôi xác nhận",
            "Bạn đã xác nhận hồ sơ {code}.",
            frozenset({S.AWAITING_PARTIES}),
            _after_confirmation,
            "co_party",
        ),
        Action(
            "decline_party",
            "từ chối xác nhận",
            "Tôi không đồng ý",
            "Bạn đã từ chối xác nhận hồ sơ {code}; hồ sơ không được chuyển đến cơ quan.",
            frozenset({S.AWAITING_PARTIES}),
            S.DECLINED,
            "co_party",
            note_label="Lý do không đồng ý",
            note_prompt="Vui lòng ghi lý do bạn không đồng ý với hồ sơ.",
            secondary=True,
        ),
        Action(
            "parties_lapsed",
            "đóng hồ sơ quá hạn xác nhận",
            "",
            "",
            frozenset({S.AWAITING_PARTIES}),
            S.DECLINED,
            "system",
        ),
        Action(
            "receive",
            "tiếp nhận",
            "Tiếp nhận",
            "Đã tiếp nhận hồ sơ {code}; giấy tiếp nhận và hẹn trả kết quả (Mẫu 01) đã được gửi.",
            frozenset({S.SUBMITTED}),
            S.RECEIVED,
            "staff",
            "tiep_nhan",
        ),
        Action(
            "refuse_reception",
            "từ chối tiếp nhận",
            "Từ chối tiếp nhận",
            "Đã từ chối tiếp nhận hồ sơ {code} (Mẫu 03).",
            frozenset({S.SUBMITTED}),
            S.REFUSED_RECEPTION,
            "staff",
            "tiep_nhan",
            note_label="Lý do từ chối tiếp nhận",
            note_prompt="Vui lòng ghi rõ lý do từ chối tiếp nhận (Mẫu 03).",
            letter=LetterForm("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "Người tiếp nhận"),
            secondary=True,
        ),
        Action(
            "start",
            "bắt đầu xử lý",
            "Bắt đầu xử lý",
            "Đã chuyển hồ sơ {code} sang xử lý.",
            frozenset({S.RECEIVED}),
            S.PROCESSING,
            "staff",
            "xu_ly",
        ),
        Action(
            "send_draft",
            "gửi dự thảo kết quả",
            "Gửi dự thảo để các bên xác nhận",
            "Đã gửi dự thảo kết quả hồ sơ {code} để người yêu cầu và các bên xác nhận.",
            frozenset({S.PROCESSING}),
            S.AWAITING_CONFIRMATION,
            "staff",
            "xu_ly",
        ),
        Action(
            "confirm_draft",
            "xác nhận dự thảo",
            "Xác nhận dự thảo đúng",
            "Bạn đã xác nhận dự thảo kết quả hồ sơ {code}.",
            frozenset({S.AWAITING_CONFIRMATION}),
            _after_draft_answer,
            "party",
        ),
        Action(
            "request_correction",
            "đề nghị sửa dự thảo",
            "Đề nghị sửa dự thảo",
            "Đã gửi đề nghị sửa dự thảo kết quả hồ sơ {code} đến cơ quan.",
            frozenset({S.AWAITING_CONFIRMATION}),
            S.PROCESSING,
            "party",
            note_label="Nội dung cần sửa",
            note_prompt="Vui lòng ghi rõ nội dung dự thảo cần sửa.",
            secondary=True,
        ),
        Action(
            "draft_lapsed",
            "coi như đồng ý dự thảo",
            "",
            "",
            frozenset({S.AWAITING_CONFIRMATION}),
            S.PROCESSING,
            "system",
        ),
        Action(
            "schedule",
            "hẹn có mặt",
            "Hẹn lịch có mặt",
            "Đã hẹn lịch có mặt cho hồ sơ {code}.",
            frozenset({S.PROCESSING}),
            S.AWAITING_APPEARANCE,
            "staff",
            "xu_ly",
        ),
        Action(
            "move_appointment",
            "đổi lịch hẹn",
            "Đổi lịch hẹn",
            "Đã đổi lịch hẹn có mặt của hồ sơ {code}.",
            frozenset({S.AWAITING_APPEARANCE}),
            None,
            "party",
        ),
        Action(
            "record_attendance",
            "ghi nhận có mặt",
            "Ghi nhận các bên đã có mặt",
            "Đã ghi nhận các bên có mặt cho hồ sơ {code}.",
            frozenset({S.AWAITING_APPEARANCE}),
            S.PROCESSING,
            "staff",
            "xu_ly",
        ),
        Action(
            "request_supplement",
            "yêu cầu bổ sung",
            "Yêu cầu bổ sung",
            "Đã gửi yêu cầu bổ sung hồ sơ {code} (Mẫu 02); thời hạn giải quyết tạm dừng.",
            frozenset({S.SUBMITTED, S.PROCESSING}),
            S.SUPPLEMENT_REQUESTED,
            "staff",
            "xu_ly",
            reception_role="tiep_nhan",
            note_label="Các giấy tờ, thông tin cần bổ sung (mỗi mục một dòng)",
            note_prompt="Vui lòng liệt kê đầy đủ, một lần, các giấy tờ, thông tin cần bổ sung.",
            letter=SUPPLEMENT_LETTER,
        ),
        Action(
            "cancel_supplement",
            "hủy yêu cầu bổ sung",
            "Hủy yêu cầu bổ sung",
            "Đã hủy yêu cầu bổ sung hồ sơ {code}; hồ sơ tiếp tục được giải quyết.",
            frozenset({S.SUPPLEMENT_REQUESTED}),
            _back_from_supplement,
            "staff",
            "xu_ly",
            reception_role="tiep_nhan",
            note_label="Lý do hủy yêu cầu bổ sung",
            note_prompt="Vui lòng ghi lý do hủy yêu cầu bổ sung.",
            secondary=True,
        ),
        Action(
            "resubmit",
            "nộp bổ sung",
            "Gửi bổ sung",
            "Đã gửi bổ sung hồ sơ {code}.",
            frozenset({S.SUPPLEMENT_REQUESTED}),
            _back_from_supplement,
            "citizen",
        ),
        Action(
            "approve",
            "phê duyệt",
            "Phê duyệt và ký kết quả",
            "Đã phê duyệt hồ sơ {code} và ký số kết quả.",
            frozenset({S.PROCESSING}),
            S.APPROVED,
            "staff",
            "lanh_dao",
        ),
        Action(
            "registry_refused",
            "trả lại do CSDLQG về dân cư từ chối ghi",
            "",
            "",
            frozenset({S.APPROVED}),
            S.PROCESSING,
            "system",
        ),
        Action(
            "reject",
            "từ chối giải quyết",
            "Từ chối giải quyết",
            "Đã từ chối giải quyết hồ sơ {code}.",
            frozenset({S.PROCESSING}),
            S.REJECTED,
            "staff",
            "lanh_dao",
            note_label="Lý do từ chối giải quyết",
            note_prompt="Vui lòng ghi rõ lý do từ chối giải quyết.",
            letter=LetterForm(None, "Thông báo từ chối giải quyết hồ sơ", "Thủ trưởng cơ quan"),
            secondary=True,
        ),
        Action(
            "return",
            "trả kết quả",
            "Trả kết quả",
            "Đã trả kết quả hồ sơ {code}.",
            frozenset({S.APPROVED}),
            S.RETURNED,
            "staff",
            "tiep_nhan",
        ),
        Action(
            "extend",
            "gia hạn",
            "Duyệt gia hạn và gửi phiếu xin lỗi",
            "Đã gia hạn hồ sơ {code} và gửi phiếu xin lỗi, hẹn lại ngày trả (Mẫu 04).",
            frozenset({S.RECEIVED, S.PROCESSING}),
            None,
            "staff",
            "lanh_dao",  # the head of the office approves the apology and the new date
            note_label="Nội dung phiếu xin lỗi",
            note_prompt="Vui lòng nhập nội dung phiếu xin lỗi và hẹn lại ngày trả (Mẫu 04).",
            letter=LetterForm(
                "04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Thủ trưởng cơ quan"
            ),
        ),
        Action(
            "revoke",
            "thu hồi kết quả",
            "Thu hồi kết quả",
            "Đã thu hồi kết quả của hồ sơ {code}.",
            frozenset({S.APPROVED, S.RETURNED}),
            None,
            "staff",
            "lanh_dao",
            note_label="Lý do thu hồi",
            note_prompt="Vui lòng ghi rõ lý do thu hồi kết quả.",
            secondary=True,
        ),
    )
}
# Actions a person takes on the dossier page or the portal's own pages; submit and withdraw
# have their own pages.
STAFF_ACTIONS = tuple(n for n, a in ACTIONS.items() if a.actor == "staff")
# The specialist's actions: whoever took one of them has processed the dossier.
PROCESSING_ACTIONS = frozenset(
    {"start", "request_supplement", "cancel_supplement", "send_draft", "schedule"}
)
# Actions of the people the dossier is about, on the dossier page.
PARTY_ACTIONS = tuple(n for n, a in ACTIONS.items() if a.actor in ("party", "co_party"))
