"""How the citizen receives the result (chosen at filing) and what the office hands over.

The methods, their texts, the postal tariff and the procedures whose result is only electronic
are data (procedures/delivery.toml, read by procedures.channels; QĐ 45/2016/QĐ-TTg, tariff under
TT 22/2017/TT-BTTTT). "online": the electronic result only; "counter": also the paper result at
the receiving point; "post": also the paper result by the public postal service to the address
the citizen gives (prefilled from the registry's residence), for the charge of the zone between
the receiving point and that address (same commune, same province, another province).

The choice lives in the draft's data while the citizen files (`METHOD`, `STREET`, `WARD`), so
nothing typed is lost; submit stores it in the dossier's columns (`columns`). At the return step
the office records what it handed over (`handover`): for "counter" the paper given at the desk,
for "post" the postal item number (UPU S10: two letters, eight digits, a check digit, "VN").
No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from common import divisions, tz
from common.web import has_control, normalize_text, text_problem
from portal.models import Dossier, Office
from portal.services.fees import format_dong
from portal.services.routing import find_wards
from procedures.channels import DeliveryRules, delivery_rules

METHOD, STREET, WARD = "nhan_ket_qua", "dia_chi_nhan", "xa_nhan"  # form fields and data keys
REF = "delivery_ref"  # the return form's postal item number
STREET_MAX = 150  # the house number and street (the commune and province are added)
ADDRESS_MAX = 255  # Dossier.delivery_address
KEPT_MAX = 1000  # what the draft keeps of a typed value, even one too long to use
ONLINE, COUNTER, POST = "online", "counter", "post"

NO_METHOD = "Vui lòng chọn cách nhận kết quả."
NO_STREET = "Vui lòng nhập số nhà, tên đường (thôn, ấp) nơi nhận bản giấy."
NO_WARD = "Vui lòng nhập xã, phường nơi nhận bản giấy."
UNKNOWN_WARD = (
    "Không tìm thấy xã, phường “{text}”. Vui lòng gõ đúng tên (ví dụ: Phường Bến Thành, "
    "Thành phố Hồ Chí Minh) hoặc mã xã, phường."
)
SEVERAL_WARDS = (
    "Có nhiều xã, phường tên “{text}”. Vui lòng ghi kèm tỉnh, thành phố sau dấu phẩy "
    "(ví dụ: {example})."
)
NO_REF = "Vui lòng nhập số hiệu bưu gửi (ví dụ: EB123456785VN) trước khi trả kết quả."
BAD_REF = (
    "Số hiệu bưu gửi “{text}” không hợp lệ: gồm 2 chữ cái, 9 chữ số và VN (ví dụ: "
    "EB123456785VN), chữ số thứ 9 là số kiểm tra."
)
S10 = re.compile(r"^([A-Z]{2})(\d{8})(\d)(VN)$")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def rules() -> DeliveryRules:
    return delivery_rules()


def methods_for(procedure_code: str) -> tuple[str, ...]:
    """The ways a result of the procedure may be received."""
    if procedure_code in rules().electronic_only:
        return (ONLINE,)
    return (ONLINE, COUNTER, POST)


def label(method: str) -> str:
    found = rules().methods.get(method)  # type: ignore[call-overload]
    return found.label if found else method


@dataclass(frozen=True)
class Choice:
    """The citizen's choice as the summary shows it and submit stores it."""

    method: str = ONLINE
    street: str = ""  # as typed (or prefilled)
    ward: str = ""  # the commune as typed (or prefilled)
    address: str | None = None  # the full postal address, once valid
    fee: int = 0
    zone_label: str = ""
    methods: tuple[str, ...] = (ONLINE, COUNTER, POST)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return label(self.method)

    def columns(self) -> dict:
        """The dossier's columns for this choice (Dossier.delivery_*)."""
        return {
            "delivery_method": self.method,
            "delivery_address": self.address if self.method == POST else None,
            "delivery_fee": self.fee,
        }


def residence_defaults(applicant: dict | None) -> tuple[str, str]:
    """(street, "commune, province") of the registry's permanent residence, else ("", "")."""
    item = (applicant or {}).get("permanent_residence") or {}
    value = item.get("value") if isinstance(item, dict) else None
    if not isinstance(value, dict):
        return "", ""
    ward = divisions.wards().get(int(value.get("ward_code") or 0))
    if ward is None:
        return str(value.get("street") or ""), ""
    province = divisions.province_name(ward.province_code)
    return str(value.get("street") or ""), f"{ward.name}, {province}"


def keep_posted(data: dict, form) -> tuple[dict, bool]:
    """The draft's data with the posted choice kept as typed (bounded), and whether it
    changed what was saved before."""
    posted = {name: str(form.get(name) or "")[:KEPT_MAX] for name in (METHOD, STREET, WARD)}
    changed = any(str(data.get(name) or "") != value for name, value in posted.items())
    return {**data, **posted}, changed


def decide(
    session: Session,
    procedure_code: str,
    data: dict,
    *,
    applicant: dict | None,
    office_code: str | None,
) -> Choice:
    """The choice saved in the draft's data (none yet: electronic only, the address
    prefilled from the registry), checked, with the postal charge of the zone between the
    receiving point `office_code` and the address."""
    allowed = methods_for(procedure_code)
    street, ward = residence_defaults(applicant)
    if METHOD not in data:
        return Choice(street=street, ward=ward, methods=allowed)
    method = str(data.get(METHOD) or "")
    street = normalize_text(str(data.get(STREET) or ""))
    ward = normalize_text(str(data.get(WARD) or ""))
    base = Choice(method=method, street=street, ward=ward, methods=allowed)
    if method not in allowed:
        return _with(base, errors={METHOD: NO_METHOD})
    if method != POST:
        return base
    errors = _address_errors(street, ward)
    if errors:
        return _with(base, errors=errors)
    (found,) = find_wards(ward)
    address = divisions.full_address(street, found.code, found.province_code)
    if len(address) > ADDRESS_MAX:
        return _with(base, errors={STREET: f"Địa chỉ dài quá {ADDRESS_MAX} ký tự."})
    office = session.get(Office, office_code) if office_code else None
    tariff = rules().tariff(zone(found, office))
    return _with(base, address=address, fee=tariff.amount, zone_label=tariff.label)


def _with(choice: Choice, **changes) -> Choice:
    return Choice(**{**choice.__dict__, **changes})


def _address_errors(street: str, ward: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not street:
        errors[STREET] = NO_STREET
    else:
        problem = text_problem(street, label="Số nhà, tên đường", max_length=STREET_MAX)
        if problem:
            errors[STREET] = problem
    if not ward:
        errors[WARD] = NO_WARD
    elif has_control(ward) or len(ward) > 120:
        errors[WARD] = UNKNOWN_WARD.format(text=ward[:60])
    else:
        found = find_wards(ward)
        if not found:
            errors[WARD] = UNKNOWN_WARD.format(text=ward)
        elif len(found) > 1:
            example = f"{found[0].name}, {divisions.province_name(found[0].province_code)}"
            errors[WARD] = SEVERAL_WARDS.format(text=ward, example=example)
    return errors


def zone(ward: divisions.Division, office: Office | None) -> str:
    """The tariff zone between the receiving point and the address."""
    if office is not None and office.ward_code == ward.code:
        return "same_commune"
    if office is not None and office.province_code == ward.province_code:
        return "same_province"
    return "other_province"


def fee_text(choice: Choice) -> str:
    if choice.method != POST or not choice.fee:
        return ""
    return f"Cước bưu chính {format_dong(choice.fee)} (gửi {choice.zone_label}, {rules().short})"


def summary(dossier: Dossier) -> str:
    """The stored choice in one line (the receipt, the officer's page)."""
    text = label(dossier.delivery_method or ONLINE)
    if dossier.delivery_method == POST and dossier.delivery_address:
        text += f": {dossier.delivery_address}"
        if dossier.delivery_fee:
            text += f" (cước {format_dong(dossier.delivery_fee)})"
    return text


# --- the return step -------------------------------------------------------------------


def normalize_ref(raw: str | None) -> str:
    return "".join((raw or "").split()).upper()


def ref_problem(raw: str | None) -> str | None:
    """What is wrong with a typed postal item number (UPU S10 with its check digit), or None."""
    ref = normalize_ref(raw)
    if not ref:
        return NO_REF
    found = S10.match(ref)
    if found is None or has_control(ref):
        return BAD_REF.format(text=ref[:20])
    total = sum(int(d) * w for d, w in zip(found[2], S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return None if check == int(found[3]) else BAD_REF.format(text=ref)


def handover(dossier: Dossier, raw_ref: str | None, now: datetime) -> tuple[dict, str | None]:
    """The columns the return step sets for what was handed over, and the timeline's note;
    raises ValueError with the message when a postal item number is missing or wrong."""
    if dossier.delivery_method == POST:
        problem = ref_problem(raw_ref)
        if problem:
            raise ValueError(problem)
        ref = normalize_ref(raw_ref)
        note = (
            f"Đã gửi bản giấy kết quả qua bưu chính công ích ngày {tz.local(now):%d/%m/%Y}, "
            f"số hiệu bưu gửi {ref}, đến {dossier.delivery_address}."
        )
        return {"delivered_at": now, "delivery_ref": ref}, note
    if dossier.delivery_method == COUNTER:
        note = f"Đã trao bản giấy kết quả tại nơi tiếp nhận ngày {tz.local(now):%d/%m/%Y}."
        return {"delivered_at": now}, note
    return {}, None


# --- at filing -----------------------------------------------------------------------------

REVIEW_ERRORS = "Vui lòng kiểm tra lại cách nhận kết quả trước khi nộp hồ sơ."
REVIEW_FEE = (
    "Cước bưu chính {fee} được cộng vào số tiền phải nộp. Vui lòng kiểm tra rồi bấm "
    "“Nộp hồ sơ” lần nữa."
)


def keep(session: Session, draft: Dossier, form) -> bool:
    """Keep the posted choice in the draft (what was typed is never lost); commits. Whether
    it changed what the summary showed."""
    if METHOD not in form:
        return False
    draft.data, changed = keep_posted(dict(draft.data), form)
    session.add(draft)
    session.commit()
    return changed


def review_message(choice: Choice | None, changed: bool) -> str | None:
    """Why the citizen goes back to the summary instead of submitting: the choice has a
    problem (said next to its field), or it brings a postal charge the page had not shown."""
    if choice is None:
        return None
    if choice.errors:
        return REVIEW_ERRORS
    if changed and choice.fee:
        return REVIEW_FEE.format(fee=format_dong(choice.fee))
    return None
