"""The dossier receipt (phiếu tiếp nhận hồ sơ và hẹn trả kết quả), issued when the office
receives the dossier (before, the citizen holds the submission acknowledgement only).

Content follows Mẫu 01 of the one-stop rules (Nghị định 118/2025/NĐ-CP); the appointment
date is the dossier's due date. `build_receipt` gathers the content (no Flask);
`receipt_pdf` lays it out with fpdf2 and the DejaVu Sans fonts shipped in portal/fonts/,
which carry every Vietnamese glyph.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlmodel import Session

from common import tz
from portal.models import Citizen, Dossier, Office
from portal.services import offices, reuse, uploads
from portal.services.delivery import summary as delivery_summary
from portal.services.fees import FeeStep, format_dong, steps_from_json
from portal.services.pdf import heading, label_table, new_document
from procedures.schema import Procedure

TITLE = "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả"
FORM_BASIS = "Mẫu 01, Nghị định 118/2025/NĐ-CP"
SOURCE_LABELS = {
    "population": "Khai thác từ CSDLQG về dân cư",
    "data_store": "Tái sử dụng từ kho dữ liệu cá nhân",
    "form": "Tờ khai trực tuyến",
    "upload": "Tệp đính kèm",
}
FEE_STEPS_TITLE = "Cách tính phí, lệ phí"
TRACKING_PATH = "/tra-cuu-ho-so"
TRACKING_FACTOR = "4 số cuối số định danh cá nhân của người nộp"
# A receipt is issued at reception; a dossier refused at reception, withdrawn or declined by
# a party has none.
NO_RECEIPT_STATUSES = ("draft", "withdrawn", "refused_reception", "declined")


@dataclass(frozen=True)
class ReceivedComponent:
    name: str
    source: str  # the Vietnamese label of where the portal got it
    copies: int
    detail: str = ""  # the document reused from the data store: number, date, office

    @property
    def source_text(self) -> str:
        return f"{self.source}: {self.detail}" if self.detail else self.source


@dataclass(frozen=True)
class Receipt:
    code: str
    office_name: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    applicant_id: str
    submitted_at: datetime  # Vietnam local time
    components: tuple[ReceivedComponent, ...]
    working_days: int | None  # None when the procedure is no longer in the catalogue
    time_label: str | None  # "7 ngày làm việc", "10 ngày"
    appointment: str  # "dd/mm/yyyy" or "Trả kết quả ngay trong ngày (dd/mm/yyyy)"
    fee: str
    fee_reason: str
    routing_reason: str
    follow_url: str
    # The competent body's receipt form (CT04 at Công an, Mẫu 01 elsewhere), and the
    # receiving point that received the dossier for it, when the citizen chose one.
    form: str = "Mẫu 01"
    receiving_name: str = ""
    receiving_reason: str = ""
    fee_steps: tuple[FeeStep, ...] = ()  # the fee computation, as Dossier.fee_steps stores it
    tracking_url: str = TRACKING_PATH  # the public tracking page (no login)
    delivery: str = ""  # how the citizen receives the result (services/delivery.py)

    @property
    def fee_step_rows(self) -> list[tuple[str, str, str]]:
        """The fee computation as the dossier stored it: (step, amount, legal basis) each, the
        last one what is to pay; empty for a dossier filed before steps were stored."""
        return [(s.label, _signed(s.amount), s.basis) for s in self.fee_steps]

    @property
    def form_basis(self) -> str:
        """ "Mẫu 01, Nghị định 118/2025/NĐ-CP", "Mẫu CT04, Thông tư 66/2023/TT-BCA …"."""
        return offices.form_basis(self.form) or FORM_BASIS

    @property
    def issuer(self) -> str:
        """Who issues the receipt: the office that received the dossier."""
        return self.receiving_name or self.office_name

    @property
    def submitted_text(self) -> str:
        return self.submitted_at.strftime("%H giờ %M phút, ngày %d/%m/%Y")

    @property
    def processing_time(self) -> str:
        if self.working_days is None:
            return "Theo quy định của thủ tục"
        if self.working_days == 0:
            return "Trong ngày tiếp nhận hồ sơ"
        return self.time_label or f"{self.working_days} ngày làm việc"

    @property
    def follow_note(self) -> str:
        login = f"Theo dõi tình trạng hồ sơ tại {self.follow_url} (đăng nhập bằng VNeID)."
        return f"{login} {self.tracking_note}"

    @property
    def tracking_note(self) -> str:
        return tracking_note(self.tracking_url, self.code)


def tracking_url(portal_url: str) -> str:
    """The public tracking page's address on the portal `portal_url` (services/tracking.py)."""
    return portal_url.rstrip("/") + TRACKING_PATH


def tracking_note(url: str, code: str) -> str:
    """How to track the dossier without logging in: the page, the code and the second factor
    (its instruction only: the digits themselves are never printed)."""
    return (
        f"Tra cứu tình trạng hồ sơ không cần đăng nhập tại {url} với mã hồ sơ {code} "
        f"và {TRACKING_FACTOR}."
    )


def has_receipt(dossier: Dossier) -> bool:
    """The citizen holds a receipt (Mẫu 01) once the office received the dossier; before,
    only the submission acknowledgement."""
    return bool(
        filed(dossier) and dossier.received_at and dossier.status not in NO_RECEIPT_STATUSES
    )


def filed(dossier: Dossier) -> bool:
    """Submitted and numbered: the one-stop letters quote its facts."""
    return bool(dossier.code and dossier.submitted_at)


def _prefilled(dossier: Dossier, procedure: Procedure | None, path: str) -> str:
    """The value the dossier holds for the field prefilled from registry `path`; without the
    procedure, the conventional field name ("applicant.full_name" → "applicant_full_name")."""
    names = [f.name for f in procedure.fields if f.prefill == path] if procedure else []
    names = names or [path.replace(".", "_")]
    return next((str(dossier.data[n]) for n in names if dossier.data.get(n)), "")


def _appointment(due: date | None, submitted: datetime, working_days: int | None) -> str:
    if due is None:
        return "Chưa có"
    if working_days == 0 and due == submitted.date():
        return f"Trả kết quả ngay trong ngày ({due:%d/%m/%Y})"
    return f"{due:%d/%m/%Y}"


def build_receipt(
    session: Session, dossier: Dossier, procedure: Procedure | None, portal_url: str = ""
) -> Receipt:
    """The receipt's facts of a filed dossier (the citizen's receipt: check `has_receipt`
    first); the time is the reception's, or the submission's before reception."""
    if not filed(dossier):
        raise ValueError(f"dossier {dossier.id} has no receipt")
    assert dossier.code is not None and dossier.submitted_at is not None  # filed
    office = session.get(Office, dossier.office_code) if dossier.office_code else None
    receiving = (
        session.get(Office, dossier.receiving_office_code) if offices.forwarded(dossier) else None
    )
    forms = offices.forms_of(session, dossier)
    citizen = session.get(Citizen, dossier.applicant_id)
    submitted = tz.local(dossier.received_at or dossier.submitted_at)
    working_days = procedure.processing.days if procedure else None
    return Receipt(
        code=dossier.code,
        office_name=office.name if office else (dossier.office_code or ""),
        procedure_code=dossier.procedure_code,
        procedure_name=procedure.name if procedure else "",
        applicant_name=_prefilled(dossier, procedure, "applicant.full_name")
        or (citizen.full_name if citizen else ""),
        applicant_id=_prefilled(dossier, procedure, "applicant.personal_id")
        or dossier.applicant_id,
        submitted_at=submitted,
        components=_received(session, dossier, procedure),
        working_days=working_days,
        time_label=procedure.processing.label if procedure else None,
        appointment=_appointment(dossier.due_date, submitted, working_days),
        fee=format_dong(dossier.fee_amount or 0),
        fee_reason=dossier.fee_reason or "",
        fee_steps=steps_from_json(dossier.fee_steps),
        routing_reason=dossier.routing_reason or "",
        follow_url=f"{portal_url.rstrip('/')}/ho-so/{dossier.code}",
        tracking_url=tracking_url(portal_url),
        form=forms.receipt if forms else "Mẫu 01",
        receiving_name=receiving.name if receiving else "",
        receiving_reason=(dossier.receiving_reason or "") if receiving else "",
        delivery=delivery_summary(dossier),
    )


def _received(
    session: Session, dossier: Dossier, procedure: Procedure | None
) -> tuple[ReceivedComponent, ...]:
    """Each component with where it came from; a data-store one names the document reused,
    or, when there was none to reuse, counts as the file the citizen attached instead."""
    if procedure is None:
        return ()
    assert dossier.id is not None  # a submitted dossier is stored
    reused = reuse.recorded(session, dossier.id)
    files = uploads.files_of(session, dossier.id)
    received = []
    for index, c in enumerate(procedure.components):
        source, detail = c.source, ""
        if index in reused:
            detail = reuse.describe(reused[index].document)
        elif c.source == "data_store" and index in files:
            source = "upload"
        received.append(ReceivedComponent(c.name, SOURCE_LABELS[source], c.copies, detail))
    return tuple(received)


def receipt_rows(receipt: Receipt) -> list[tuple[str, str]]:
    """The label/value lines of the receipt, in the order of Mẫu 01 (HTML and PDF share them)."""
    procedure = receipt.procedure_code
    if receipt.procedure_name:
        procedure += f" – {receipt.procedure_name}"
    rows = [
        ("Mã hồ sơ", receipt.code),
        ("Người nộp hồ sơ", receipt.applicant_name),
        ("Số định danh cá nhân", receipt.applicant_id),
        ("Nội dung yêu cầu giải quyết", procedure),
        *(
            (
                ("Cơ quan tiếp nhận", receipt.receiving_name),
                ("Lý do tiếp nhận tại đây", receipt.receiving_reason),
                ("Cơ quan giải quyết", receipt.office_name),
            )
            if receipt.receiving_name
            else (("Cơ quan tiếp nhận, giải quyết", receipt.office_name),)
        ),
        ("Lý do chuyển đến cơ quan này", receipt.routing_reason),
        ("Thời gian nhận hồ sơ", receipt.submitted_text),
        ("Thời gian giải quyết theo quy định", receipt.processing_time),
        ("Ngày hẹn trả kết quả", receipt.appointment),
        ("Lệ phí", receipt.fee),
        ("Căn cứ tính lệ phí", receipt.fee_reason),
        ("Hình thức nhận kết quả", receipt.delivery),
    ]
    return [(label, value) for label, value in rows if value]


def receipt_pdf(receipt: Receipt) -> bytes:
    """The receipt as an A4 PDF with embedded (subset) DejaVu Sans."""
    pdf = new_document(f"{TITLE} {receipt.code}")
    heading(pdf, receipt.issuer, TITLE, subtitle=f"({receipt.form_basis})")
    label_table(pdf, receipt_rows(receipt))
    _components(pdf, receipt)
    _fee_steps(pdf, receipt)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, receipt.follow_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _signed(amount: int) -> str:
    return format_dong(amount) if amount >= 0 else f"−{format_dong(-amount)}"


def _fee_steps(pdf: FPDF, receipt: Receipt) -> None:
    if not receipt.fee_steps:
        return
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, FEE_STEPS_TITLE, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    rows = [("Nội dung", "Số tiền", "Căn cứ"), *receipt.fee_step_rows]
    with pdf.table(
        rows, col_widths=(50, 18, 34), text_align="LEFT", line_height=6, padding=(1.5, 1)
    ):
        pass


def _components(pdf: FPDF, receipt: Receipt) -> None:
    if not receipt.components:
        return
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(0, 7, "Thành phần hồ sơ đã nhận", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    rows = [("STT", "Thành phần hồ sơ", "Nguồn", "Số bản")]
    rows += [
        (str(i), c.name, c.source_text, str(c.copies)) for i, c in enumerate(receipt.components, 1)
    ]
    with pdf.table(
        rows, col_widths=(8, 48, 36, 10), text_align="LEFT", line_height=6, padding=(1.5, 1)
    ):
        pass
