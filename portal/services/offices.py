"""Offices: one per body of procedures/authorities.toml and commune or province; which office
acts on a dossier when (a receiving point receives, the competent body processes), and the
competent body's one-stop forms."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session, select

from common import divisions
from portal.models import Dossier, Office
from procedures import Catalogue
from procedures.authorities import Authority, Forms
from procedures.loader import load_authorities


def commune_office_code(ward_code: int, suffix: str = "") -> str:
    """ "79.26743" (the UBND), "79.26743.ca" (its Công an), "79.26743.tt" (its TTPVHCC)."""
    code = f"{divisions.wards()[ward_code].province_code:02d}.{ward_code:05d}"
    return f"{code}.{suffix}" if suffix else code


def province_office_code(province_code: int, suffix: str) -> str:
    """ "79.cong-an", "79.bhxh", "79.so-tu-phap", "79.ttpvhcc"."""
    return f"{province_code:02d}.{suffix}"


def office_code(body: Authority, *, province: int, ward: int | None = None) -> str:
    """The code of `body`'s office for a commune (commune bodies) or a province."""
    if body.level == "commune":
        assert ward is not None, "a commune body needs the commune"
        return commune_office_code(ward, body.suffix)
    return province_office_code(province, body.suffix)


def seed_offices(session: Session, catalogue: Catalogue) -> int:
    """Create an office of every body for every commune or province; idempotent (existing
    offices are kept). Returns the number of offices created."""
    existing = set(session.exec(select(Office.code)).all())
    created = []
    for body in catalogue.authorities.values():
        places: list[tuple[int, int | None, str]]
        if body.level == "commune":
            places = [(w.province_code, w.code, w.name) for w in divisions.wards().values()]
        else:
            places = [(p.code, None, p.name) for p in divisions.provinces().values()]
        for province, ward, place in places:
            code = office_code(body, province=province, ward=ward)
            if code not in existing:
                created.append(
                    Office(
                        code=code,
                        name=f"{body.name} {place}",
                        kind=body.key,
                        province_code=province,
                        ward_code=ward,
                    )
                )
    session.add_all(created)
    session.commit()
    return len(created)


# --- reception by a receiving point, processing by the competent body ------------------------

# The actions of reception (tiếp nhận): taken by the receiving point while the dossier has not
# been received; the rest by the competent body (Dossier.office_code).
RECEPTION_ACTIONS = frozenset(
    {"receive", "refuse_reception", "request_supplement", "cancel_supplement"}
)


def forwarded(dossier: Dossier) -> bool:
    """Received by another office than the competent one (a TTPVHCC the citizen chose)."""
    receiving = dossier.receiving_office_code
    return bool(receiving) and receiving != dossier.office_code


def at_receiving_point(dossier: Dossier) -> bool:
    """Still with the receiving point: forwarded, not yet received."""
    return forwarded(dossier) and dossier.received_at is None


def acting_office(dossier: Dossier, action: str) -> str | None:
    """The office whose staff may take `action` on the dossier now: the receiving point for
    reception while it holds the dossier, the competent body for everything else."""
    if action in RECEPTION_ACTIONS and at_receiving_point(dossier):
        return dossier.receiving_office_code
    return dossier.office_code


def concerns(dossier: Dossier, office: str | None) -> bool:
    """Whether the office's staff may read the dossier: the competent body's, and the
    receiving point's (it received the dossier, or is about to)."""
    return office is not None and office in (dossier.office_code, dossier.receiving_office_code)


def office_refusal(
    session: Session, dossier: Dossier, office: str | None, action: str
) -> str | None:
    """Why staff of `office` may not take `action` on the dossier (another office's turn),
    or None. The texts say whose turn it is."""
    acting = acting_office(dossier, action)
    if office == acting:
        return None
    if not concerns(dossier, office):
        return "hồ sơ thuộc cơ quan khác."
    name = _name(session, acting)
    if office == dossier.office_code:
        return (
            f"hồ sơ đang ở {name}, nơi tiếp nhận; cơ quan giải quyết xử lý sau khi hồ sơ "
            "được tiếp nhận và chuyển đến."
        )
    if action in RECEPTION_ACTIONS:
        return f"hồ sơ đã được tiếp nhận và chuyển đến {name} giải quyết."
    return (
        f"nơi tiếp nhận chỉ tiếp nhận và chuyển hồ sơ; việc xử lý, phê duyệt do {name} thực hiện."
    )


def _name(session: Session, code: str | None) -> str:
    office = session.get(Office, code) if code else None
    return office.name if office else (code or "cơ quan khác")


# --- the competent body's one-stop forms (procedures/authorities.toml) ------------------------


@cache
def bodies() -> dict[str, Authority]:
    """The bodies of procedures/authorities.toml (read once, as the catalogue reads them)."""
    return load_authorities()


def body_of(session: Session, code: str | None) -> Authority | None:
    """The body an office belongs to (Office.kind), or None for an unknown office."""
    office = session.get(Office, code) if code else None
    return bodies().get(office.kind) if office else None


def forms_of(session: Session, dossier: Dossier) -> Forms | None:
    """The one-stop forms of the dossier's competent body: its receipt, supplement and
    refusal letters carry these numbers whoever received the dossier (CT04–CT06 at Công an,
    Mẫu 01–03 elsewhere)."""
    body = body_of(session, dossier.office_code)
    return body.forms if body else None


def form_number(form: str) -> str:
    """ "Mẫu 02" → "02", "CT05" → "CT05": what follows "Mẫu" when a letter names it."""
    return form.removeprefix("Mẫu").strip()


GENERIC_FORMS = {"receipt": "Mẫu 01", "supplement": "Mẫu 02", "refusal": "Mẫu 03"}


def with_forms(text: str, forms: Forms | None) -> str:
    """A message naming the generic one-stop forms (Mẫu 01–03), with the body's own."""
    if forms is None:
        return text
    for kind, generic in GENERIC_FORMS.items():
        text = text.replace(generic, getattr(forms, kind))
    return text


def form_basis(form: str) -> str | None:
    """ "Mẫu CT04, Thông tư 66/2023/TT-BCA, …" for a form a body lays down by its own text
    (`forms.basis` in procedures/authorities.toml), else None: the caller's basis."""
    number = form_number(form)
    for body in bodies().values():
        if body.forms.basis and number in map(form_number, body.forms.numbers()):
            return f"Mẫu {number}, {body.forms.basis}"
    return None
