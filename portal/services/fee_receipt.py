"""The electronic fee receipt (biên lai điện tử) of a fee paid online: issued when the
gateway's verified notification marks the payment paid (services/payments.py gives its
number), by the body the fee is collected for (the dossier's competent office). Content:
the number, who paid, the amount in figures, the fee's name and legal basis (the dossier's
fee steps), the dossier code, the date, the collecting body and the gateway's transaction.
`build` gathers it (no Flask), `receipt_pdf` lays it out with the portal's PDF helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fpdf.enums import XPos, YPos
from sqlmodel import Session

from common import tz
from portal.models import Citizen, Dossier, Office, Payment, PaymentStatus
from portal.services import fees
from portal.services.fees import format_dong, steps_from_json
from portal.services.pdf import heading, label_table, new_document, paragraph
from procedures.schema import Procedure

TITLE = "Biên lai thu phí, lệ phí"
SUBTITLE = "(Biên lai điện tử, thu qua Cổng thanh toán quốc gia)"
METHODS = {"card": "Thẻ ngân hàng", "app": "Ứng dụng ngân hàng", "qr": "Mã QR"}
NOTE = (
    "Biên lai điện tử được lập tự động khi Cổng thanh toán quốc gia xác nhận giao dịch với "
    "Cổng Dịch vụ công; có giá trị như biên lai giấy."
)


@dataclass(frozen=True)
class FeeReceipt:
    number: str
    office_name: str  # the collecting body
    payer_name: str
    payer_id: str
    amount: int
    fee_name: str
    basis: str  # the legal basis, from the fee steps
    code: str  # the dossier's
    paid_at: datetime  # Vietnam local time
    transaction_no: str
    order_id: str
    method: str
    refund: str = ""  # "Đã hoàn trả … ngày …" once refunded

    @property
    def date_text(self) -> str:
        return f"ngày {self.paid_at:%d} tháng {self.paid_at:%m} năm {self.paid_at:%Y}"

    @property
    def rows(self) -> list[tuple[str, str]]:
        """The label/value lines (the page and the PDF share them)."""
        rows = [
            ("Số biên lai", self.number),
            ("Đơn vị thu", self.office_name),
            ("Họ và tên người nộp", self.payer_name),
            ("Số định danh cá nhân", self.payer_id),
            ("Tên khoản thu", self.fee_name),
            ("Số tiền", format_dong(self.amount)),
            ("Căn cứ thu", self.basis),
            ("Mã hồ sơ", self.code),
            ("Thời gian thanh toán", self.paid_at.strftime("%H:%M, %d/%m/%Y")),
            ("Hình thức thanh toán", self.method),
            ("Mã giao dịch", self.transaction_no),
            ("Mã thanh toán", self.order_id),
            ("Hoàn trả", self.refund),
        ]
        return [(label, value) for label, value in rows if value]


def has_receipt(payment: Payment | None) -> bool:
    return bool(payment and payment.receipt_number and payment.paid_at)


def _basis(dossier: Dossier, procedure: Procedure | None) -> str:
    """Every legal basis the fee steps cite, in order, once each."""
    found: list[str] = []
    for step in steps_from_json(dossier.fee_steps):
        if step.basis and step.basis not in found:
            found.append(step.basis)
    if not found and procedure is not None and procedure.fees.basis:
        found.append(procedure.fees.basis)
    return "; ".join(found)


def build(
    session: Session, dossier: Dossier, payment: Payment, procedure: Procedure | None
) -> FeeReceipt:
    """The receipt of a paid (or refunded) payment; check `has_receipt` first."""
    if not has_receipt(payment):
        raise ValueError(f"payment {payment.id} has no receipt")
    assert payment.receipt_number and payment.paid_at and dossier.code  # has_receipt
    office = session.get(Office, dossier.office_code) if dossier.office_code else None
    citizen = session.get(Citizen, dossier.applicant_id)
    name = str(dossier.data.get("applicant_full_name") or (citizen.full_name if citizen else ""))
    fee_name = fees.title(procedure) if procedure and procedure.fees.charged else "Phí, lệ phí"
    if dossier.delivery_fee:
        fee_name += f"; cước chuyển phát kết quả ({format_dong(dossier.delivery_fee)})"
    refund = ""
    if payment.status == PaymentStatus.REFUNDED and payment.refunded_at:
        when = tz.local(payment.refunded_at).strftime("%d/%m/%Y")
        refund = f"Đã hoàn trả {format_dong(payment.amount)} ngày {when} ({payment.refund_no})"
    return FeeReceipt(
        number=payment.receipt_number,
        office_name=office.name if office else (dossier.office_code or ""),
        payer_name=name,
        payer_id=dossier.applicant_id,
        amount=payment.amount,
        fee_name=fee_name,
        basis=_basis(dossier, procedure),
        code=dossier.code,
        paid_at=tz.local(payment.paid_at),
        transaction_no=payment.transaction_no or "",
        order_id=payment.order_id,
        method=METHODS.get(payment.method or "", payment.method or ""),
        refund=refund,
    )


def receipt_pdf(receipt: FeeReceipt) -> bytes:
    """The receipt as an A4 PDF (DejaVu Sans, as every paper the portal issues)."""
    pdf = new_document(f"{TITLE} {receipt.number}")
    heading(
        pdf,
        receipt.office_name,
        TITLE,
        number=f"Số: {receipt.number}",
        place_date=receipt.date_text,
        subtitle=SUBTITLE,
    )
    label_table(pdf, receipt.rows)
    pdf.ln(4)
    paragraph(pdf, NOTE)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, f"Đơn vị thu: {receipt.office_name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
