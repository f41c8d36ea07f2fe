"""Linked groups split by body (services/groups.py): the parts of a birth or a death start
once the lead's registry write-back is done, each at its own body's office, with data from
the lead, the registry's answer and the registry's records of the person concerned and of
the lead's applicant; a part is created exactly once, whatever the retries of the
write-back task; its fee is the fee rule's; when its own body approves it, it writes its own
change (the child's residence, the deceased's removal) and signs its result with the
registry's answer. Also the group's status and merged timeline, the link tests and the
catalogue's checks of `[[linked]]`."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from portal.models import Citizen, Dossier, DossierEvent, DossierParty, Notification, Office, Staff
from portal.services import groups, results, writeback
from portal.services.registry import PersonNotFound
from procedures.link_schema import LinkTest
from procedures.loader import HERE, CatalogueError, load_catalogue
from tests.support.databases import portal_engine

LEADER = "079187090123"
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
FATHER, MOTHER, CHILD = "079093004567", "052196007890", "079326001234"
HAN, SAU = "079178055642", "079049003311"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def item(value):
    return {"value": value, "source": "CSDLQG về dân cư", "updated_at": "2026-11-27T08:00:00"}


OFFICES = [
    ("79.26743", "UBND Phường Bến Thành", "ubnd_xa", 26743),
    ("79.26743.ca", "Công an Phường Bến Thành", "cong_an_xa", 26743),
    ("79.26737", "UBND Phường Sài Gòn", "ubnd_xa", 26737),
    ("79.26737.ca", "Công an Phường Sài Gòn", "cong_an_xa", 26737),
    ("79.bhxh", "Bảo hiểm xã hội Thành phố Hồ Chí Minh", "bhxh", None),
]


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        for code, name, kind, ward in OFFICES:
            session.add(Office(code=code, name=name, kind=kind, province_code=79, ward_code=ward))
        session.add(Citizen(personal_id=LEADER, full_name="Trương Thị Hạnh", level=2))
        session.add(Staff(personal_id=LEADER, office_code="79.26743", roles="xu_ly,lanh_dao"))
        session.commit()
        yield session


class FakeRegistry:
    """The registry's write API and people lookups, answering from dicts."""

    def __init__(self, answer, records=None, lookup_error=None, error=None):
        self.answer, self.records = answer, records or {}
        self.lookup_error, self.error = lookup_error, error
        self.writes: list[dict] = []
        self.lookups: list[tuple[str, str]] = []

    def token(self, scope: str) -> str:
        return "tok-" + scope

    def post(self, url, token, body, timeout):
        self.writes.append(body)
        if self.error:
            raise self.error
        return self.answer

    def lookup(self, personal_id, purpose, actor):
        self.lookups.append((personal_id, actor))
        if self.lookup_error:
            raise self.lookup_error
        if personal_id not in self.records:
            raise PersonNotFound(personal_id)
        return self.records[personal_id]

    def target(self):
        return writeback.Registry("http://idp.test", self.token, self.post, self.lookup)


def approved(session, code: str, procedure: str, data: dict, parties=()) -> Dossier:
    """A dossier the leader approved at UBND Phường Bến Thành, its write still owed."""
    found = Dossier(
        code=code,
        procedure_code=procedure,
        procedure_version=1,
        applicant_id=data["applicant_personal_id"],
        draft_key=None,
        status="approved",
        office_code="79.26743",
        data=data,
        registry_sync="pending",
        draft_confirmed_at=NOW,
        submitted_at=NOW - timedelta(days=1),
    )
    session.add(found)
    session.flush()
    assert found.id is not None
    people = [(data["applicant_personal_id"], data["applicant_full_name"], "applicant")]
    for personal_id, name, consent in [*people, *parties]:
        role = "applicant" if consent == "applicant" else "parent"
        session.add(
            DossierParty(
                dossier_id=found.id,
                personal_id=personal_id,
                full_name=name,
                role=role,
                consent=consent,
            )
        )
    session.add(
        DossierEvent(
            dossier_id=found.id,
            actor_id=LEADER,
            actor_role="lanh_dao",
            action="approve",
            from_status="processing",
            to_status="approved",
        )
    )
    session.commit()
    return found


def sync(session, tmp_path, catalogue, found, fake):
    return writeback.sync(
        session, found.id, catalogue, fake.target(), now=NOW, key_folder=tmp_path / "keys"
    )


def lead_id(lead: Dossier) -> int:
    assert lead.id is not None  # stored
    return lead.id


def parts(session, lead) -> list[Dossier]:
    return list(
        session.exec(select(Dossier).where(Dossier.group_id == lead.id).order_by(col(Dossier.id)))
    )


# --- the birth group ------------------------------------------------------------------

BIRTH = {
    "birth_notice_number": "GCS-79-2026-004512",
    "child_full_name": "Trần Bảo Ngọc",
    "child_ethnicity": "Kinh",
    "mother_personal_id": MOTHER,
    "father_personal_id": FATHER,
    "applicant_personal_id": FATHER,
    "applicant_full_name": "Trần Minh Khoa",
    "residence": "42 Hai Bà Trưng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
}
# The registry's answer to the birth: the child created, nothing more (the residence and
# the card are the Công an's and BHXH's writes).
REGISTERED = {
    "personal_id": CHILD,
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-15",
    "sex": "nu",
    "mother_id": MOTHER,
    "father_id": FATHER,
    "birth_notice_number": "GCS-79-2026-004512",
    "declared": False,
}
CHILD_RECORD = {
    "personal_id": item(CHILD),
    "full_name": item("Trần Bảo Ngọc"),
    "birth_date": item("2026-11-15"),
    "sex": item("Nữ"),
    "ethnicity": item("Kinh"),
    "nationality": item("Việt Nam"),
    "permanent_residence": None,
    "household": None,
    "health_insurance": item(False),
}
# The father who filed: the child is registered at his permanent residence, in his household.
FATHER_RECORD = {
    "personal_id": item(FATHER),
    "full_name": item("Trần Minh Khoa"),
    "permanent_residence": item(
        {
            "street": "42 Hai Bà Trưng",
            "ward_code": 26737,
            "province_code": 79,
            "full": "42 Hai Bà Trưng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        }
    ),
    "household": item({"id": "HCM-0002", "head_id": FATHER}),
}
RECORDS = {CHILD: CHILD_RECORD, FATHER: FATHER_RECORD}


def birth(session, code="79.26743-261127-0001") -> Dossier:
    return approved(session, code, "1.001193", BIRTH, parties=[(MOTHER, "Lê Thị Hoa", "informed")])


def test_a_birth_starts_its_parts_at_their_own_bodies_once_registered(session, tmp_path, catalogue):
    lead = birth(session)
    fake = FakeRegistry(REGISTERED, RECORDS)
    outcome = sync(session, tmp_path, catalogue, lead, fake)
    assert outcome.state == "done"
    residence, card = parts(session, lead)
    assert residence.code and card.code and residence.routing_reason and lead.code
    # where: the Công an of the commune where the father who filed is registered (the child
    # joins his household there), BHXH of its province
    assert (residence.procedure_code, residence.office_code) == ("1.004222", "79.26737.ca")
    assert (card.procedure_code, card.office_code) == ("1.014137", "79.bhxh")
    assert residence.code.startswith("79.26737.ca-261127-") and card.code.startswith("79.bhxh-")
    assert "nơi thường trú của Trần Minh Khoa" in residence.routing_reason
    assert lead.code in residence.routing_reason
    for part in (residence, card):
        assert (part.status, part.group_id, part.applicant_id) == ("submitted", lead.id, FATHER)
        assert part.submitted_at is not None and part.received_at is None  # in its queue
        assert part.fee_amount == 0 and part.fee_reason and part.fee_steps
        assert part.data["registry"] == REGISTERED
        rows = session.exec(select(DossierParty).where(DossierParty.dossier_id == part.id))
        assert {(r.personal_id, r.consent) for r in rows} == {
            (FATHER, "applicant"),
            (MOTHER, "informed"),
        }
        [event] = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == part.id))
        assert (event.to_status, event.actor_id) == ("submitted", "system")
        assert lead.code in event.note
    # with what: the child's data from the registry, the declarant's from the lead
    assert residence.data["applicant_personal_id"] == CHILD
    assert residence.data["applicant_full_name"] == "Trần Bảo Ngọc"
    assert residence.data["new_ward_code"] == "26737"
    assert residence.data["household_head_personal_id"] == FATHER
    assert card.data["child_personal_id"] == CHILD
    assert card.data["applicant_personal_id"] == FATHER
    assert card.data["child_residence"].startswith("42 Hai Bà Trưng")
    assert card.open_key == f"child:{CHILD}"  # the card's life event, like a filed dossier
    # the UBND signs only its own result; the lead's parties are told where each part went
    assert [d.kind for d in results.of_dossier(session, lead_id(lead))] == ["giay_khai_sinh"]
    told = session.exec(select(Notification).where(Notification.dossier_id == lead.id)).all()
    assert {n.personal_id for n in told} == {FATHER, MOTHER}
    assert any("Công an Phường Sài Gòn" in n.text for n in told)
    assert fake.lookups == [(CHILD, LEADER), (FATHER, LEADER)]
    # the lead wrote the child only: the residence and the card are the parts' own writes
    assert [set(w) & {"residence_of", "health_insurance"} for w in fake.writes] == [set()]


def test_the_parts_fees_are_the_fee_rules(session, tmp_path, catalogue):
    lead = birth(session)
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, RECORDS))
    residence, card = parts(session, lead)
    # the residence lệ phí online, waived for a child (TT 75/2022, điều 4), step by step
    steps = residence.fee_steps or []
    assert steps[0]["amount"] == 10000 and "trực tuyến" in steps[0]["label"]
    assert steps[1]["amount"] == -10000 and steps[-1]["amount"] == 0
    assert residence.fee_rule == "exemption:child" and "trẻ em" in (residence.fee_reason or "")
    assert (card.fee_rule, card.fee_amount) == ("none", 0)
    assert "Không thu phí" in (card.fee_reason or "")


def test_a_part_pays_what_the_rule_says_for_an_adult(session, catalogue):
    lead = birth(session)
    adult = {**CHILD_RECORD, "birth_date": item("1990-01-01")}
    inputs = groups.Inputs(lead.data, {**REGISTERED, "birth_date": "1990-01-01"}, adult)
    office = session.get(Office, "79.26737.ca")
    fee = groups.part_fee(
        session, lead, catalogue.get("1.004222"), office, {}, inputs, catalogue.policies, NOW
    )
    assert (fee.amount, fee.rule) == (10000, "base")


def test_parts_follow_what_the_registry_records(session, tmp_path, catalogue):
    lead = birth(session)
    homeless = {**FATHER_RECORD, "permanent_residence": None}
    sync(
        session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, {**RECORDS, FATHER: homeless})
    )
    assert [p.procedure_code for p in parts(session, lead)] == ["1.014137"]  # nowhere to live


def test_a_child_with_a_card_gets_no_card_part(session, tmp_path, catalogue):
    lead = birth(session)
    carded = {**CHILD_RECORD, "health_insurance": item(True)}
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, {**RECORDS, CHILD: carded}))
    assert [p.procedure_code for p in parts(session, lead)] == ["1.004222"]


RESIDENCE_WRITTEN = {
    "personal_id": CHILD,
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-15",
    "sex": "nu",
    "permanent_residence": True,
    "residence_address": "42 Hai Bà Trưng, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    "household_id": "HCM-0002",
    "household_head_id": FATHER,
    "relation_to_head": "Con",
}
POLICE = "079085012345"


def approve_part(session, part: Dossier, approver: str = POLICE) -> None:
    """The part's own body approved it (its leader): its write is owed to the registry."""
    session.execute(
        update(Dossier)
        .where(col(Dossier.id) == part.id)
        .values(status="approved", registry_sync="pending", draft_confirmed_at=NOW)
    )
    session.add(
        DossierEvent(
            dossier_id=lead_id(part),
            actor_id=approver,
            actor_role="lanh_dao",
            action="approve",
            from_status="processing",
            to_status="approved",
        )
    )
    session.commit()


def test_the_police_register_the_childs_residence_when_they_approve_their_part(
    session, tmp_path, catalogue
):
    lead = birth(session)
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, RECORDS))
    residence = parts(session, lead)[0]
    approve_part(session, residence)
    police = FakeRegistry(RESIDENCE_WRITTEN)
    outcome = sync(session, tmp_path, catalogue, residence, police)
    assert outcome.state == "done" and "đăng ký thường trú tại 42 Hai Bà Trưng" in outcome.message
    [write] = police.writes
    assert write["reference"] == residence.code and write["actor"] == POLICE
    assert (write["personal_id"], write["ward_code"], write["household_head_id"]) == (
        CHILD,
        26737,
        FATHER,
    )
    assert police.lookups == []  # a part reads nobody: it has no parts of its own
    [notice] = results.of_dossier(session, lead_id(residence))
    assert (notice.kind, notice.office_code, notice.signer_id) == (
        "xac_nhan_thuong_tru",
        "79.26737.ca",
        POLICE,
    )
    content = notice.content
    assert content["Nơi đăng ký thường trú"] == RESIDENCE_WRITTEN["residence_address"]
    assert (content["Quan hệ với chủ hộ"], content["Số định danh cá nhân"]) == ("Con", CHILD)


def test_nothing_starts_before_the_registry_has_the_write(session, tmp_path, catalogue):
    lead = birth(session)
    down = FakeRegistry({}, error=writeback.WriteFailed("503 down", 503))
    assert sync(session, tmp_path, catalogue, lead, down).state == "retry"
    refused = FakeRegistry({}, error=writeback.WriteRefused("409 already registered", 409))
    assert sync(session, tmp_path, catalogue, lead, refused).state == "refused"
    assert parts(session, lead) == [] and down.lookups == refused.lookups == []


def test_a_part_is_created_exactly_once_under_retries(session, tmp_path, catalogue):
    lead = birth(session)
    # the write is taken but the child's record cannot be read: the attempt is retried
    flaky = FakeRegistry(REGISTERED, lookup_error=writeback.WriteFailed("no answer"))
    assert sync(session, tmp_path, catalogue, lead, flaky).state == "retry"
    assert parts(session, lead) == [] and results.of_dossier(session, lead_id(lead)) == []
    fake = FakeRegistry(REGISTERED, RECORDS)
    assert sync(session, tmp_path, catalogue, lead, fake).state == "done"
    assert sync(session, tmp_path, catalogue, lead, fake).state == "skipped"  # a second task
    assert len(parts(session, lead)) == 2
    # a task replayed from a lost queue finds the write pending again: the registry answers
    # the same (keyed by the dossier code) and the group keeps its parts
    session.execute(
        update(Dossier).where(col(Dossier.id) == lead.id).values(registry_sync="pending")
    )
    session.commit()
    assert sync(session, tmp_path, catalogue, lead, fake).state == "done"
    assert sorted(p.procedure_code for p in parts(session, lead)) == ["1.004222", "1.014137"]
    assert len(results.of_dossier(session, lead_id(lead))) == 1
    # and starting them again by hand creates nothing
    inputs = groups.Inputs(lead.data, REGISTERED, CHILD_RECORD, FATHER_RECORD)
    created, unplaced = groups.start_parts(
        session, lead, catalogue.get("1.001193"), catalogue, inputs, NOW
    )
    assert (created, unplaced) == ([], [])


def test_unknown_records_send_the_card_to_the_lead_office_place(session, tmp_path, catalogue):
    """The registry cannot say where the parent lives: no residence to register the child
    at, and the card goes to the BHXH of the lead office's province."""
    lead = birth(session)
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, records={}))
    assert {p.procedure_code: p.office_code for p in parts(session, lead)} == {
        "1.014137": "79.bhxh",
    }
    card = parts(session, lead)[0]
    assert "cùng địa bàn với UBND Phường Bến Thành" in (card.routing_reason or "")
    assert "child_residence" not in card.data


def test_a_subject_held_by_a_dossier_filed_apart_takes_no_lock(session, tmp_path, catalogue):
    lead = birth(session)
    session.add(
        Dossier(
            code="79.bhxh-261126-0001",
            procedure_code="1.014137",
            procedure_version=1,
            applicant_id=MOTHER,
            draft_key=None,
            status="submitted",
            office_code="79.bhxh",
            data={},
            subject_key=f"child:{CHILD}",
            open_key=f"child:{CHILD}",
        )
    )
    session.commit()
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, RECORDS))
    card = next(p for p in parts(session, lead) if p.procedure_code == "1.014137")
    assert card.subject_key == f"child:{CHILD}" and card.open_key is None


# --- the death group ------------------------------------------------------------------

DEATH = {
    "applicant_full_name": "Huỳnh Thị Ngọc Hân",
    "applicant_personal_id": HAN,
    "applicant_residence": "27 Lê Thánh Tôn, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "relation_to_deceased": "Con",
    "deceased_personal_id": SAU,
    "deceased_stated_full_name": "Huỳnh Văn Sáu",
    "deceased_full_name": "Huỳnh Văn Sáu",
    "death_date": "2026-11-26",
    "death_place": "Bệnh viện Chợ Rẫy",
}
DIED = {
    "personal_id": SAU,
    "died_on": "2026-11-26",
    "residences_ended": 0,
    "permanent_residence": "64 Nguyễn An Ninh, Phường Bến Thành, Thành phố Hồ Chí Minh",
}
HOME = {
    "street": "64 Nguyễn An Ninh",
    "ward_code": 26743,
    "province_code": 79,
    "full": "64 Nguyễn An Ninh, Phường Bến Thành, Thành phố Hồ Chí Minh",
}


def deceased(payer: str, kind: str = "thuong_tru") -> dict:
    """The registry's record of Sáu after the death: the permanent residence still open
    (the Công an removes it); a temporary one ended by the death."""
    permanent = kind == "thuong_tru"
    return {
        "personal_id": item(SAU),
        "full_name": item("Huỳnh Văn Sáu"),
        "birth_date": item("1949-05-10"),
        "permanent_residence": item(HOME) if permanent else None,
        "last_residence": item(
            {**HOME, "kind": kind, "ended_on": None if permanent else "2026-11-26"}
        ),
        "social_insurance": item(
            {
                "status": "huong_luong_huu" if payer == "bhxh" else "khong_tham_gia",
                "funeral_allowance": {"payer": payer},
            }
        ),
    }


@pytest.mark.parametrize(
    ("payer", "expected"),
    [
        ("bhxh", {"1.003197": "79.26743.ca", "1.014177": "79.bhxh"}),
        ("ubnd_xa", {"1.003197": "79.26743.ca", "1.001731": "79.26743"}),
    ],
)
def test_a_death_sends_the_funeral_allowance_by_the_deceased_insurance(
    session, tmp_path, catalogue, payer, expected
):
    lead = approved(session, "79.26743-261127-0002", "1.000656", DEATH)
    fake = FakeRegistry(DIED, {SAU: deceased(payer)})
    assert sync(session, tmp_path, catalogue, lead, fake).state == "done"
    found = parts(session, lead)
    assert {p.procedure_code: p.office_code for p in found} == expected
    removal = found[0]
    assert removal.data["removed_personal_id"] == SAU
    assert removal.data["removed_full_name"] == "Huỳnh Văn Sáu"
    assert removal.data["event_date"] == "2026-11-26"
    assert removal.data["reason"] == "Đã chết, bị Tòa án tuyên bố mất tích hoặc đã chết"
    assert removal.data["applicant_personal_id"] == HAN
    allowance = found[1]
    assert allowance.data["deceased_personal_id"] == SAU
    assert allowance.data["death_date"] == "2026-11-26"
    assert allowance.data["relation_to_deceased"] == "Con"
    assert allowance.open_key == f"deceased:{SAU}"
    assert fake.lookups == [(SAU, LEADER)]  # the death group reads no applicant's record
    for part in found:
        assert (part.fee_amount, part.fee_rule) == (0, "none")


def test_the_police_remove_the_deceased_residence_when_they_approve_their_part(
    session, tmp_path, catalogue
):
    lead = approved(session, "79.26743-261127-0004", "1.000656", DEATH)
    sync(session, tmp_path, catalogue, lead, FakeRegistry(DIED, {SAU: deceased("bhxh")}))
    removal, allowance = parts(session, lead)
    approve_part(session, removal)
    removed = {
        "personal_id": SAU,
        "full_name": "Huỳnh Văn Sáu",
        "alive": False,
        "removed_residence": HOME["full"],
        "ended_on": "2026-11-26",
    }
    police = FakeRegistry(removed)
    outcome = sync(session, tmp_path, catalogue, removal, police)
    assert outcome.state == "done" and "xóa đăng ký thường trú của Huỳnh Văn Sáu" in outcome.message
    [write] = police.writes
    assert (write["personal_id"], write["event_date"]) == (SAU, "2026-11-26")
    assert write["reason"] == "Đã chết, bị Tòa án tuyên bố mất tích hoặc đã chết"
    [notice] = results.of_dossier(session, lead_id(removal))
    assert (notice.kind, notice.signer_id) == ("xoa_thuong_tru", POLICE)
    # the funeral allowance writes nothing: approving it signs it at once (no write owed)
    assert not writeback.writes_back(catalogue.get(allowance.procedure_code))


def test_a_deceased_without_a_permanent_residence_has_nothing_to_remove(
    session, tmp_path, catalogue
):
    lead = approved(session, "79.26743-261127-0003", "1.000656", DEATH)
    fake = FakeRegistry(DIED, {SAU: deceased("bhxh", kind="tam_tru")})
    sync(session, tmp_path, catalogue, lead, fake)
    assert [p.procedure_code for p in parts(session, lead)] == ["1.014177"]


# --- the tests of a link --------------------------------------------------------------

INPUTS = groups.Inputs(
    {"a": "x"},
    {"n": 3, "flag": True, "off": False},
    {"si": item({"status": "bao_luu", "months": 14})},
)


@pytest.mark.parametrize(
    ("test", "holds"),
    [
        (LinkTest(path="lead.a", equals="x"), True),
        (LinkTest(path="lead.a", equals="y"), False),
        (LinkTest(path="registry.flag", present=True), True),
        (LinkTest(path="registry.off", present=True), False),
        (LinkTest(path="registry.missing", present=False), True),
        (LinkTest(path="registry.n", at_least=3), True),
        (LinkTest(path="registry.n", at_least=4), False),
        (LinkTest(path="registry.flag", at_least=1), False),  # a yes is not a number
        (LinkTest(path="subject.si.status", one_of=["dang_dong", "bao_luu"]), True),
        (LinkTest(path="subject.si.months", at_least=12), True),
        (LinkTest(path="subject.none.deeper", present=True), False),
    ],
)
def test_link_tests(test, holds):
    assert groups.holds(test, INPUTS) is holds


def test_a_link_test_takes_exactly_one_condition():
    with pytest.raises(ValueError, match="exactly one"):
        LinkTest(path="lead.a")
    with pytest.raises(ValueError, match="exactly one"):
        LinkTest(path="lead.a", equals="x", present=True)
    with pytest.raises(ValueError):
        LinkTest(path="elsewhere.a", equals="x")


def test_a_choice_takes_its_first_alternative_that_holds(catalogue):
    death = catalogue.get("1.000656")
    both = groups.Inputs(DEATH, DIED, deceased("bhxh"))
    assert [link.code for link in groups.chosen(death, both)] == ["1.003197", "1.014177"]
    neither = groups.Inputs(DEATH, DIED, None)  # no record: nothing to choose from
    assert groups.chosen(death, neither) == []


# --- the group as the citizen sees it -------------------------------------------------


def _dossier(status: str, **values) -> Dossier:
    return Dossier(
        procedure_code="x", procedure_version=1, applicant_id=HAN, status=status, **values
    )


@pytest.mark.parametrize(
    ("lead", "part_statuses", "label", "ended"),
    [
        ("processing", [], "Đang xử lý", False),
        ("returned", [], "Đã trả kết quả", True),
        ("approved", ["submitted", "processing"], "Đang giải quyết liên thông (0/3", False),
        ("returned", ["returned", "processing"], "Đang giải quyết liên thông (2/3", False),
        ("returned", ["returned", "returned"], "Đã trả kết quả", True),
        ("returned", ["returned", "rejected"], "có phần không được giải quyết", True),
    ],
)
def test_the_group_status_stays_open_until_every_part_ends(lead, part_statuses, label, ended):
    status, done = groups.status_of(_dossier(lead), [_dossier(s) for s in part_statuses])
    assert label in status and done is ended


def test_one_timeline_each_step_labelled_with_its_body(session, tmp_path, catalogue):
    lead = birth(session)
    sync(session, tmp_path, catalogue, lead, FakeRegistry(REGISTERED, RECORDS))
    residence = parts(session, lead)[0]
    group = groups.group_of(session, residence, catalogue.get)  # from a part: its lead's
    assert group.lead.id == lead.id and len(group.parts) == 2
    assert [m.office_name for m in group.members] == [
        "UBND Phường Bến Thành",
        "Công an Phường Sài Gòn",
        "Bảo hiểm xã hội Thành phố Hồ Chí Minh",
    ]
    steps = groups.timeline(session, group)
    assert {s.body for s in steps} == {m.office_name for m in group.members}
    assert [s.event.at for s in steps] == sorted(s.event.at for s in steps)
    assert groups.of_person(session, FATHER) == [lead]  # parts show on their lead's line
    summary = groups.summaries(session, [lead])[lead_id(lead)]
    assert summary.status.startswith("Đang giải quyết liên thông")
    assert summary.parts == [
        ("Công an Phường Sài Gòn", "Mới nộp, chờ tiếp nhận"),
        ("Bảo hiểm xã hội Thành phố Hồ Chí Minh", "Mới nộp, chờ tiếp nhận"),
    ]


# --- the catalogue's checks of [[linked]] -----------------------------------------------

BIRTH_FILE = "1.001193-dang-ky-khai-sinh.toml"


def _catalogue_with(tmp_path: Path, replace: tuple[str, str]) -> Path:
    root = tmp_path / "procedures"
    for name in ("catalogue", "policies"):
        shutil.copytree(HERE / name, root / name)
    shutil.copy(HERE / "authorities.toml", root / "authorities.toml")
    path = root / "catalogue" / BIRTH_FILE
    text = path.read_text(encoding="utf-8")
    assert replace[0] in text
    path.write_text(text.replace(replace[0], replace[1], 1), encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        (('code = "1.004222"', 'code = "9.999999"'), ["linked", "9.999999", "not in the"]),
        (('code = "1.004222"', 'code = "1.001193"'), ["linked", "itself"]),
        (("new_street =", "no_such_field ="), ["linked", "1.004222", "no_such_field"]),
        (('"lead.residence"', '"lead.nowhere"'), ["linked", "nowhere"]),
        (('"lead.residence"', '"elsewhere.residence"'), ["linked", "data"]),
        (('routing = "applicant_residence"\ndata',
          'routing = "applicant_residence"\nvalues = { relation_to_head = "Bạn" }\ndata'),
         ["linked", "relation_to_head", "options"]),
        (('write_backs = ["create_person"]', "write_backs = []"), ["linked", "write_backs"]),
        (('when = [{ path = "subject.health_insurance", present = false }]',
          'when = [{ path = "subject.health_insurance" }]'), ["linked", "exactly one"]),
        (('routing = "applicant_residence"', 'routing = "parent_residence"'),
         ["linked", "routing"]),
        (('"applicant.household.head_id"', '"parent.household.head_id"'), ["linked", "data"]),
        (('code = "1.014137"\n', 'code = "1.014137"\nfee_note = "Không thu phí."\n'),
         ["linked", "fee_note"]),  # the fee is the rule's: a note is refused
        (('code = "1.014137"\n', 'code = "1.014137"\nchoice = "only_one"\n'),
         ["linked", "only_one"]),
    ],
)  # fmt: skip
def test_a_broken_link_stops_the_catalogue_naming_file_and_field(tmp_path, replace, words):
    with pytest.raises(CatalogueError) as info:
        load_catalogue(_catalogue_with(tmp_path, replace))
    message = str(info.value)
    assert BIRTH_FILE in message
    for word in words:
        assert word in message, message


def test_every_link_of_the_catalogue_names_a_procedure_and_its_fields(catalogue):
    for proc in catalogue.procedures.values():
        for link in proc.linked:
            part = catalogue.get(link.code)
            assert part is not None and not part.linked
            assert link.fields() <= {f.name for f in part.fields}
