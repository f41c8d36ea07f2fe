"""Paying a dossier's fee online (services/payments.py): the button on the dossier page
(a panel the dossier template includes), the order and the jump to the gateway, the page the
gateway sends the citizen back to, the gateway's notification (IPN, JSON) and the
electronic fee receipt, a page and a PDF for the applicant and the handling office."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from common.web import has_control, pdf_response
from portal import access, csrf
from portal.db import db
from portal.models import Dossier, Payment, PaymentStatus, utcnow
from portal.models.dossiers import Status
from portal.services import fee_receipt, fees, payments
from portal.services.actions import amount_due
from portal.services.fees import steps_from_json
from portal.services.payment_gateway import GAVE_UP, Backoff, Gateway, PaymentError

bp = Blueprint("payment", __name__)
RETURN_PATH, IPN_PATH = "/thanh-toan/ket-qua", "/api/thanh-toan/ipn"
NO_STORE = {"Cache-Control": "no-store"}


def _gateway() -> Gateway:
    return Gateway.from_config(current_app.config)


def _backoff() -> Backoff:
    return Backoff.from_config(current_app.config)


def _fee_name(found: Dossier) -> str:
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    return fees.title(proc) if proc and proc.fees.charged else "Phí, lệ phí"


@dataclass(frozen=True)
class Panel:
    """What the dossier page shows about paying: the amount, why, the last attempt."""

    dossier: Dossier
    amount: int
    steps: list[tuple[str, str, str]]
    last: Payment | None
    stalled: bool  # the reconciliation gave up on a pending attempt

    @property
    def payable(self) -> bool:
        return self.dossier.status == Status.AWAITING_PAYMENT and self.amount > 0

    @property
    def retry(self) -> bool:
        return bool(
            self.last and self.last.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED)
        )

    @property
    def stalled_text(self) -> str:
        return GAVE_UP if self.stalled else ""

    @property
    def paid(self) -> Payment | None:
        done = (PaymentStatus.PAID, PaymentStatus.REFUNDED)
        return self.last if self.last and self.last.status in done else None


@bp.app_template_global()
def payment_panel(found: Dossier) -> Panel | None:
    """The payment part of a dossier's page (citizen's or office's), None when nothing was
    or is to be paid online."""
    last = payments.latest(db.session, found)
    if found.status != Status.AWAITING_PAYMENT and last is None:
        return None
    steps = [
        (s.label, fees.format_dong(s.amount), s.basis) for s in steps_from_json(found.fee_steps)
    ]
    return Panel(found, amount_due(found), steps, last, payments.gave_up(last, _backoff()))


@bp.post("/ho-so/<code>/thanh-toan")
@login_required
def pay(code: str):
    """Create (or reopen) the order and send the citizen to the gateway's page."""
    found = access.applicant_dossier_or_404(code)
    portal_url = current_app.config["PORTAL_URL"].rstrip("/")
    try:
        pay_url = payments.start(
            db.session,
            found,
            _gateway(),
            fee_name=_fee_name(found),
            return_url=portal_url + RETURN_PATH,
            ipn_url=portal_url + IPN_PATH,
            backoff=_backoff(),
            now=utcnow(),
        )
    except PaymentError as exc:
        db.session.rollback()
        flash(str(exc), "warning")
        return redirect(url_for("citizen.dossier", code=code) + "#thanh-toan")
    return redirect(pay_url, 303)


@bp.get(RETURN_PATH)
@login_required
def returned():
    """The citizen back from the gateway: logged, then the attempt's own page (a failure or
    a cancellation the gateway signed closes it; a payment waits for the IPN or the query)."""
    params = {k: v for k, v in request.args.items() if not has_control(k + v)}
    payment = payments.by_order(db.session, params.get("order_id", "")[:64])
    found = db.session.get(Dossier, payment.dossier_id) if payment else None
    if payment is None or found is None or found.applicant_id != current_user.personal_id:
        abort(404)
    payments.handle_return(db.session, params, _gateway(), utcnow())
    return redirect(url_for("payment.status", code=found.code, attempt=payment.attempt))


@bp.get("/ho-so/<code>/thanh-toan/<int:attempt>")
@login_required
def status(code: str, attempt: int):
    found = access.applicant_dossier_or_404(code)
    payment = next(
        (p for p in payments.attempts_of(db.session, found) if p.attempt == attempt), None
    )
    if payment is None:
        abort(404)
    last = payments.latest(db.session, found)
    page = render_template(
        "portal/payment/status.html",
        dossier=found,
        payment=payment,
        latest=last is not None and last.id == payment.id,
        stalled=payments.gave_up(payment, _backoff()),
        gave_up_text=GAVE_UP,
    )
    return page, 200, NO_STORE


@bp.post(IPN_PATH)
def ipn():
    """The gateway's server-to-server notification; the answer is JSON (code, message)."""
    answer = payments.handle_ipn(db.session, request.form.to_dict(), _gateway(), utcnow())
    return jsonify(answer.as_json()), 200, NO_STORE


csrf.exempt(ipn)  # the gateway signs its messages; it holds no session or CSRF token


def _receipt_of(found: Dossier) -> fee_receipt.FeeReceipt:
    paid = payments.paid_of(db.session, found)
    if paid is None or not fee_receipt.has_receipt(paid):
        abort(404)
    proc = current_app.extensions["catalogue"].get(found.procedure_code)
    return fee_receipt.build(db.session, found, paid, proc)


def _office_receipt(code: str) -> fee_receipt.FeeReceipt:
    """For staff of an office the dossier concerns (the competent body, the receiving
    point); anyone else: 404, as for the dossier."""
    found, _actor = access.office_dossier_or_404(code)
    return _receipt_of(found)


@bp.get("/ho-so/<code>/bien-lai-dien-tu")
@login_required
def receipt(code: str):
    content = _receipt_of(access.applicant_dossier_or_404(code))
    page = render_template("portal/payment/receipt.html", receipt=content, staff=False)
    return page, 200, NO_STORE


@bp.get("/ho-so/<code>/bien-lai-dien-tu.pdf")
@login_required
def receipt_download(code: str):
    content = _receipt_of(access.applicant_dossier_or_404(code))
    return pdf_response(fee_receipt.receipt_pdf(content), f"bien-lai-{code}.pdf")


@bp.get("/can-bo/ho-so/<code>/bien-lai-dien-tu")
@login_required
def office_receipt(code: str):
    content = _office_receipt(code)
    page = render_template("portal/payment/receipt.html", receipt=content, staff=True)
    return page, 200, NO_STORE


@bp.get("/can-bo/ho-so/<code>/bien-lai-dien-tu.pdf")
@login_required
def office_receipt_download(code: str):
    return pdf_response(fee_receipt.receipt_pdf(_office_receipt(code)), f"bien-lai-{code}.pdf")
