"""The official letters some dossier events produce (Nghị định 118/2025/NĐ-CP):

- Mẫu 02, phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (event of `request_supplement`);
- Mẫu 03, phiếu từ chối tiếp nhận giải quyết hồ sơ (event of `refuse_reception`);
- Mẫu 04, phiếu xin lỗi và hẹn lại ngày trả kết quả (event of `extend`);
- the notice of refusal to settle a dossier, a letter without a numbered form (event of
  `reject`): title, the reason, the signing leader.

`letter_event` finds a dossier's event that produced a letter; `build_letter` gathers the
letter's content from the stored dossier, event, procedure, office and clerk, so a letter
reads the same whenever it is downloaded; `letter_pdf` lays it out on the shared heading of
portal/services/pdf.py. No Flask here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session

from common import divisions, tz
from portal.models import ROLE_LABELS, Citizen, Dossier, DossierEvent, Office
from portal.services import offices, workflow
from portal.services.pdf import heading, label_table, new_document
from portal.services.receipt import Receipt, build_receipt, receipt_rows
from portal.services.workflow import LetterForm
from procedures.authorities import Forms
from procedures.schema import Procedure

# The one-stop rules in force since 01/07/2025 (replacing NĐ 61/2018, NĐ 107/2021 and
# TT 01/2018/TT-VPCP); the forms keep their numbers [the renumbering by TT 03/2025/TT-VPCP
# is unconfirmed].
LAW = "Nghị định 118/2025/NĐ-CP"
MAX_EVENT_ID = 2**31 - 1  # an INTEGER column: a larger id cannot exist (PostgreSQL refuses it)
# The lines of the receipt (Mẫu 01) every letter repeats, under the same labels.
RECEIPT_FACTS = (
    "Mã hồ sơ",
    "Người nộp hồ sơ",
    "Số định danh cá nhân",
    "Nội dung yêu cầu giải quyết",
    "Thời gian nhận hồ sơ",
)
# A clerk's list marker at the start of a line: "-", "*", "•", "1.", "2)", "(3)".
MARKER = re.compile(r"^(?:[-*•+–—·]+|\(?\d{1,3}[.)])(?:\s+|$)")


@dataclass(frozen=True)
class Section:
    """A block of the letter's body: an optional bold title, then its lines."""

    lines: tuple[str, ...]
    title: str = ""
    numbered: bool = False


@dataclass(frozen=True)
class Letter:
    form: LetterForm
    code: str
    office_name: str
    place_date: str  # "TP. Hồ Chí Minh, ngày 24 tháng 11 năm 2026"
    addressee: str
    rows: tuple[tuple[str, str], ...]  # label/value facts of the dossier
    sections: tuple[Section, ...]
    signer_name: str
    signer_role: str

    @property
    def form_basis(self) -> str:
        """ "Mẫu số 02, Thông tư …"; "" for a letter without a numbered form."""
        if self.form.number is None:
            return ""
        return offices.form_basis(self.form.number) or f"Mẫu số {self.form.number}, {LAW}"

    @property
    def file_name(self) -> str:
        if self.form.number is None:
            return f"{ascii_slug(self.form.title)}-{self.code}.pdf"
        return f"mau-{self.form.number}-{self.code}.pdf"


def ascii_slug(text: str) -> str:
    """ "Thông báo từ chối" → "thong-bao-tu-choi": a file name any system keeps."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def letter_action(event: DossierEvent) -> str | None:
    """The workflow action whose letter `event` is, or None for an event without a letter."""
    return event.action if workflow.letter_of(event) else None


# The letters whose form is the competent body's own (procedures/authorities.toml forms).
BODY_FORMS = {"request_supplement": "supplement", "refuse_reception": "refusal"}


def letter_form(event: DossierEvent, forms: Forms | None = None) -> LetterForm | None:
    """The form of the letter `event` produced, or None; with the competent body's `forms`,
    its own number (CT05, CT06 at Công an)."""
    form = workflow.letter_of(event)
    kind = BODY_FORMS.get(event.action or "")
    if form is None or forms is None or kind is None:
        return form
    return replace(form, number=offices.form_number(getattr(forms, kind)))


def letter_event(session: Session, dossier: Dossier, event_id: int) -> DossierEvent | None:
    """The event `event_id` of `dossier` if it produced a letter; None for an unknown id,
    another dossier's event or an event without a letter."""
    if not 0 < event_id <= MAX_EVENT_ID:
        return None
    event = session.get(DossierEvent, event_id)
    if event is None or event.dossier_id != dossier.id or letter_action(event) is None:
        return None
    return event


def note_items(note: str | None) -> tuple[str, ...]:
    """The clerk's note as clean items: one per non-blank line, without the clerk's own
    list markers or stray spaces (the letter numbers them itself)."""
    items = (MARKER.sub("", line.strip()).strip() for line in (note or "").splitlines())
    return tuple(item for item in items if item)


def _day(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else "chưa có"


def _place_date(office: Office | None, day: date) -> str:
    """The place (the office's province, "Thành phố" shortened to "TP." as papers write it)
    and the date, in words."""
    when = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
    province = divisions.provinces().get(office.province_code) if office else None
    if province is None:
        return f"N{when[1:]}"
    place = province.name.replace("Thành phố ", "TP. ", 1)
    return f"{place}, {when}"


def build_letter(
    session: Session,
    dossier: Dossier,
    event: DossierEvent,
    procedure: Procedure | None,
    portal_url: str = "",
) -> Letter:
    """The letter `event` produced (check it with `letter_event` first). The dossier's facts
    are those of its receipt; the body comes from the event's note and dates."""
    action = letter_action(event)
    if action is None or event.dossier_id != dossier.id:
        raise ValueError(f"event {event.id} of dossier {dossier.id} has no letter")
    facts = build_receipt(session, dossier, procedure, portal_url)
    office = session.get(Office, dossier.office_code) if dossier.office_code else None
    clerk = session.get(Citizen, event.actor_id)
    body = {
        "request_supplement": _supplement,
        "refuse_reception": _refusal,
        "extend": _apology,
        "reject": _rejection,
    }
    at_reception = event.from_status == "submitted"  # a letter of the receiving point
    if at_reception and facts.receiving_name:
        facts = replace(facts, office_name=facts.receiving_name)
    rows, sections = body[action](facts, dossier, event)
    form = letter_form(event, offices.forms_of(session, dossier))
    assert form is not None  # letter_action found it
    return Letter(
        form=form,
        code=facts.code,
        office_name=facts.office_name,
        place_date=_place_date(office, tz.local(event.at).date()),
        addressee=f"Kính gửi: Ông/bà {facts.applicant_name}",
        rows=(*((k, v) for k, v in receipt_rows(facts) if k in RECEIPT_FACTS), *rows),
        sections=sections,
        signer_name=clerk.full_name if clerk else "",
        signer_role=ROLE_LABELS.get(event.actor_role, ""),
    )


Body = tuple[tuple[tuple[str, str], ...], tuple[Section, ...]]


def _supplement(facts: Receipt, _dossier: Dossier, event: DossierEvent) -> Body:
    return (), (
        Section(
            note_items(event.note),
            "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
            numbered=True,
        ),
        Section(
            (
                f"Ông/bà đăng nhập bằng tài khoản VNeID tại {facts.follow_url}/bo-sung và "
                "nộp bổ sung một lần, đầy đủ các nội dung nêu trên.",
            ),
            "Cách nộp bổ sung trực tuyến:",
        ),
        Section(
            (
                "Thời hạn giải quyết tạm dừng trong khi chờ bổ sung. Khi ông/bà nộp bổ sung "
                f"đầy đủ, thời hạn giải quyết ({facts.processing_time.lower()}) được tính lại "
                "từ đầu.",
                "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ "
                f"{facts.office_name} để được hướng dẫn.",
            ),
        ),
    )


def _refusal(facts: Receipt, _dossier: Dossier, event: DossierEvent) -> Body:
    return (), (
        Section(
            (
                f"Sau khi xem xét hồ sơ của ông/bà, {facts.office_name} không tiếp nhận, "
                "giải quyết hồ sơ này với lý do cụ thể như sau:",
            )
        ),
        Section(note_items(event.note), "Lý do từ chối:"),
        Section(("Xin thông báo để ông/bà được biết và thực hiện./.",)),
    )


def _rejection(facts: Receipt, _dossier: Dossier, event: DossierEvent) -> Body:
    return (), (
        Section(
            (
                f"Sau khi xem xét, giải quyết hồ sơ của ông/bà, {facts.office_name} từ chối "
                "giải quyết hồ sơ này với lý do cụ thể như sau:",
            )
        ),
        Section(note_items(event.note), "Lý do từ chối giải quyết:"),
        Section(
            (
                "Hồ sơ không có kết quả giải quyết. Nếu không đồng ý, ông/bà có quyền khiếu "
                "nại theo quy định của pháp luật về khiếu nại.",
                "Xin thông báo để ông/bà được biết./.",
            )
        ),
    )


def _apology(facts: Receipt, dossier: Dossier, event: DossierEvent) -> Body:
    received = tz.local(dossier.received_at or facts.submitted_at).date()
    old, new = _day(event.due_before), _day(event.due_after)
    rows = (
        ("Ngày tiếp nhận hồ sơ", _day(received)),
        ("Thời gian giải quyết theo quy định", facts.processing_time),
        ("Ngày hẹn trả kết quả đã hẹn", old),
        ("Ngày hẹn trả kết quả mới", new),
    )
    return rows, (
        Section(
            (
                f"Ngày {_day(received)}, {facts.office_name} tiếp nhận hồ sơ của ông/bà và hẹn "
                f"trả kết quả ngày {old}. Tuy nhiên đến nay, {facts.office_name} chưa trả được "
                "kết quả giải quyết hồ sơ cho ông/bà đúng hạn như đã hẹn.",
            )
        ),
        Section(note_items(event.note), "Lý do và lời xin lỗi của cơ quan:"),
        Section(
            (
                f"Sự chậm trễ này đã gây phiền hà cho ông/bà. {facts.office_name} xin lỗi "
                f"ông/bà và sẽ trả kết quả vào ngày {new}.",
                "Xin trân trọng cảm ơn sự hợp tác của ông/bà./.",
            )
        ),
    )


# --- PDF -----------------------------------------------------------------------------------

LINE = 6  # mm
INDENT = 8  # mm, room for an item's number


def letter_pdf(letter: Letter) -> bytes:
    """The letter as an A4 PDF with embedded (subset) DejaVu Sans."""
    pdf = new_document(f"{letter.form.title} {letter.code}")
    heading(
        pdf,
        letter.office_name,
        letter.form.title,
        place_date=letter.place_date,
        subtitle=f"({letter.form_basis})" if letter.form_basis else "",
    )
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, LINE, letter.addressee, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    label_table(pdf, letter.rows)
    for section in letter.sections:
        _section(pdf, section)
    _signature(pdf, letter)
    return bytes(pdf.output())


def _section(pdf: FPDF, section: Section) -> None:
    pdf.ln(3)
    if section.title:
        pdf.set_font("DejaVu", "B", 11)
        _flush_left(pdf, 0, section.title)
    pdf.set_font("DejaVu", "", 11)
    for n, line in enumerate(section.lines, 1):
        if section.numbered:
            pdf.cell(INDENT, LINE, f"{n}.")
            _flush_left(pdf, pdf.epw - INDENT, line)
        else:
            _flush_left(pdf, 0, line)


def _flush_left(pdf: FPDF, width: float, text: str) -> None:
    """One paragraph aligned left (fpdf2 justifies by default), then the next line."""
    pdf.multi_cell(width, LINE, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature(pdf: FPDF, letter: Letter) -> None:
    lines = [("B", letter.form.signer_caption.upper())]
    lines += [("", f"({letter.signer_role})")] if letter.signer_role else []
    lines += [("B", letter.signer_name)] if letter.signer_name else []
    if pdf.get_y() + 8 + LINE * len(lines) > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(8)
    half = pdf.epw / 2
    for style, text in lines:
        pdf.set_font("DejaVu", style, 11)
        pdf.set_x(pdf.l_margin + half)
        pdf.multi_cell(half, LINE, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
