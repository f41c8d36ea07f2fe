"""Ways the gateway can be told to misbehave, so the merchant (the portal) can prove it
copes: late, repeated, forged or wrong notifications, none at all, or the gateway down.

Only in dev and test mode (`PUT /test/switches`). Switches live in the database so every
worker sees them.
"""

from __future__ import annotations

from sqlmodel import Session, select

from payment_mock.models import Switch

SWITCHES = {
    "ipn_delayed": "IPN gửi muộn (sau khi trình duyệt đã quay về)",
    "ipn_duplicated": "IPN gửi hai lần",
    "ipn_bad_signature": "IPN có chữ ký sai",
    "ipn_wrong_amount": "IPN ghi sai số tiền (chữ ký đúng)",
    "ipn_never": "không gửi IPN",
    "down": "cổng thanh toán ngừng hoạt động (503, không gửi IPN)",
}
# What the `ipn_wrong_amount` switch adds to the amount.
WRONG_AMOUNT_DELTA = 1000


def active(session: Session) -> set[str]:
    return set(session.exec(select(Switch.name)).all())


def set_switches(session: Session, names: list[str]) -> None:
    """Replace the active switches with `names` (all must be known)."""
    unknown = set(names) - SWITCHES.keys()
    if unknown:
        raise ValueError(f"unknown switches: {sorted(unknown)}")
    for row in session.exec(select(Switch)).all():
        session.delete(row)
    session.add_all(Switch(name=n) for n in set(names))
    session.commit()


def tamper_ipn(message: dict[str, str], switches: set[str], secret: str) -> dict[str, str]:
    """The IPN `message` broken the way the active switches say."""
    from common.payment_signature import SIGNATURE_FIELD, signed

    message = dict(message)
    if "ipn_wrong_amount" in switches:
        fields = {k: v for k, v in message.items() if k != SIGNATURE_FIELD}
        fields["amount"] = str(int(fields["amount"]) + WRONG_AMOUNT_DELTA)
        message = signed(fields, secret)
    if "ipn_bad_signature" in switches:
        sig = message[SIGNATURE_FIELD]
        message[SIGNATURE_FIELD] = ("0" if sig[0] != "0" else "1") + sig[1:]
    return message
