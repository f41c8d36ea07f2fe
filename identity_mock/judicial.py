"""What a Phiếu lý lịch tư pháp states about a person, from the judicial-record tables.

Luật Lý lịch tư pháp 2009 [law; amended with the 2025 transfer of the database to the
Ministry of Public Security, amendments not checked here]:

* Phiếu số 1 (điều 42): "Không có án tích" for a person never convicted, or whose every
  conviction was expunged (xóa án tích) or amnestied; otherwise "Có án tích" with, for each
  conviction not yet expunged, the offence (tội danh), the main and the additional penalty.
  The bans that a court's decision declaring a bankruptcy puts on managers (cấm đảm nhiệm
  chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã) are stated only when asked.
* Phiếu số 2 (điều 43): every conviction, expunged or not, in the order of the judgments, with
  the date, number and court of the judgment, the offence, the articles applied, the main and
  additional penalties, civil obligations, court fee, enforcement status and when the record
  was expunged; and always the bans.

A ban counts when it is in force on the day asked (`as_of`). The caller (the API) has
already checked that the person exists in the population registry; the identity block of the
phiếu (name, sex, birth date, nationality, residence; on phiếu 2 the parents and spouse) is
given with it so the certificate can be printed from one answer.

The JSON shape (dates as YYYY-MM-DD):

    {
      "personal_id": "079179082468",
      "form": 1,                       # 1 or 2
      "as_of": "2026-12-03",
      "source": "CSDL lý lịch tư pháp (Bộ Công an)",
      "updated_at": "2026-12-03T08:00:00+00:00",   # newest row used (or the person's)
      "person": {
        "full_name": "…", "sex": "Nam", "birth_date": "1979-03-21",
        "nationality": "Việt Nam",
        "residence": "12 Lý Tự Trọng, Phường Sài Gòn, Thành phố Hồ Chí Minh" | null,
        # phiếu 2 only: "father", "mother", "spouse": full name or null
      },
      "criminal_record": {
        "has_record": true,            # a conviction not yet expunged
        "convicted": true,             # phiếu 2 only: any conviction, expunged or not
        "statement": "Có án tích",     # see STATEMENTS
        "convictions": [               # phiếu 1: not expunged only; phiếu 2: all, oldest first
          # phiếu 1 entry:
          {"offence": "Tội trốn thuế", "main_penalty": "…", "additional_penalty": "…" | null}
          # phiếu 2 entry: the above plus
          #   "court", "judgment_number", "judgment_date", "articles", "civil_obligations",
          #   "court_fee", "enforcement_status" (null when unknown), "expunged" (bool),
          #   "expunged_on" (date or null), "status": "Đã được xóa án tích ngày 10/01/2014"
          #   | "Chưa được xóa án tích"
        ]
      },
      "bans": null                     # phiếu 1 without the request
        | {"banned": false, "statement": "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý
                                          doanh nghiệp, hợp tác xã", "entries": []}
        | {"banned": true, "statement": "Bị cấm …", "entries": [
             {"court", "decision_number", "decision_date", "enterprise", "positions",
              "banned_from", "banned_until",
              "statement": "Cấm đảm nhiệm chức vụ Giám đốc …; không được thành lập, quản lý
                            doanh nghiệp, hợp tác xã đến hết ngày 19/09/2027"}]}
    }
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, col, select

from common import divisions
from identity_mock.models import BusinessBan, Conviction, Person, Residence
from identity_mock.models.judicial import JUDICIAL_SOURCE

FORMS = (1, 2)
NO_RECORD = "Không có án tích"
HAS_RECORD = "Có án tích"
ONLY_EXPUNGED = "Đã bị kết án, án tích đã được xóa"  # phiếu 2 when every record was cleared
NOT_BANNED = "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"
BANNED = "Bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã"
SEX = {"nam": "Nam", "nu": "Nữ"}


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def convictions(session: Session, personal_id: str) -> list[Conviction]:
    """Every conviction of the person, oldest judgment first."""
    return list(
        session.exec(
            select(Conviction)
            .where(Conviction.personal_id == personal_id)
            .order_by(col(Conviction.judgment_date), col(Conviction.id))
        ).all()
    )


def bans_in_force(session: Session, personal_id: str, on: date) -> list[BusinessBan]:
    """The bankruptcy bans on the person in force on `on`."""
    return list(
        session.exec(
            select(BusinessBan)
            .where(
                BusinessBan.personal_id == personal_id,
                BusinessBan.banned_from <= on,
                BusinessBan.banned_until >= on,
            )
            .order_by(col(BusinessBan.decision_date), col(BusinessBan.id))
        ).all()
    )


def _expunged(conviction: Conviction, on: date) -> bool:
    return conviction.expunged_on is not None and conviction.expunged_on <= on


def _form1_entry(c: Conviction) -> dict:
    return {
        "offence": c.offence,
        "main_penalty": c.main_penalty,
        "additional_penalty": c.additional_penalty,
    }


def _form2_entry(c: Conviction, on: date) -> dict:
    expunged = _expunged(c, on)
    return {
        **_form1_entry(c),
        "court": c.court,
        "judgment_number": c.judgment_number,
        "judgment_date": c.judgment_date.isoformat(),
        "articles": c.articles,
        "civil_obligations": c.civil_obligations,
        "court_fee": c.court_fee,
        "enforcement_status": c.enforcement_status,
        "expunged": expunged,
        "expunged_on": c.expunged_on.isoformat() if expunged and c.expunged_on else None,
        "status": (
            f"Đã được xóa án tích ngày {_dmy(c.expunged_on)}"
            if expunged and c.expunged_on
            else "Chưa được xóa án tích"
        ),
    }


def _ban_entry(ban: BusinessBan) -> dict:
    return {
        "court": ban.court,
        "decision_number": ban.decision_number,
        "decision_date": ban.decision_date.isoformat(),
        "enterprise": ban.enterprise,
        "positions": ban.positions,
        "banned_from": ban.banned_from.isoformat(),
        "banned_until": ban.banned_until.isoformat(),
        "statement": (
            f"Cấm đảm nhiệm chức vụ {ban.positions}; không được thành lập, quản lý doanh "
            f"nghiệp, hợp tác xã đến hết ngày {_dmy(ban.banned_until)}"
        ),
    }


def _bans(bans: list[BusinessBan]) -> dict:
    return {
        "banned": bool(bans),
        "statement": BANNED if bans else NOT_BANNED,
        "entries": [_ban_entry(b) for b in bans],
    }


def _residence(session: Session, person: Person) -> str | None:
    """The permanent residence, else the temporary one (the phiếu's "nơi cư trú")."""
    rows = session.exec(
        select(Residence).where(
            Residence.personal_id == person.personal_id,
            Residence.ended_on.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    for kind in ("thuong_tru", "tam_tru"):
        for r in rows:
            if r.kind == kind:
                return divisions.full_address(r.street, r.ward_code, r.province_code)
    return None


def _person(session: Session, person: Person, form: int) -> dict:
    block: dict = {
        "full_name": person.full_name,
        "sex": SEX.get(person.sex, person.sex),
        "birth_date": person.birth_date.isoformat(),
        "nationality": person.nationality,
        "residence": _residence(session, person),
    }
    if form == 2:
        for key, other_id in (
            ("father", person.father_id),
            ("mother", person.mother_id),
            ("spouse", person.spouse_id),
        ):
            other = session.get(Person, other_id) if other_id else None
            block[key] = other.full_name if other else None
    return block


def certificate(
    session: Session, person: Person, form: int, *, include_bans: bool = False, on: date
) -> dict:
    """What Phiếu LLTP số `form` states about `person` on day `on` (see the module doc).
    `include_bans` asks for the bans on a phiếu 1; a phiếu 2 always states them."""
    if form not in FORMS:
        raise ValueError(f"form must be 1 or 2, not {form!r}")
    rows = convictions(session, person.personal_id)
    current = [c for c in rows if not _expunged(c, on)]
    listed = (
        [_form1_entry(c) for c in current] if form == 1 else [_form2_entry(c, on) for c in rows]
    )
    if current:
        statement = HAS_RECORD
    elif rows and form == 2:
        statement = ONLY_EXPUNGED
    else:
        statement = NO_RECORD
    bans = bans_in_force(session, person.personal_id, on) if form == 2 or include_bans else None
    used = current if form == 1 else rows  # a phiếu 1 says nothing of expunged records
    stamps: list[datetime] = [c.updated_at for c in used] + [b.updated_at for b in bans or []]
    record: dict = {"has_record": bool(current)}
    if form == 2:
        record["convicted"] = bool(rows)
    record |= {"statement": statement, "convictions": listed}
    return {
        "personal_id": person.personal_id,
        "form": form,
        "as_of": on.isoformat(),
        "source": JUDICIAL_SOURCE,
        "updated_at": max(stamps or [person.updated_at]).isoformat(timespec="seconds"),
        "person": _person(session, person, form),
        "criminal_record": record,
        "bans": None if bans is None else _bans(bans),
    }
