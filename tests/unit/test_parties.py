"""Subjects, parties and consent (services/parties.py): the subject key of every procedure,
the party rows of a submission, a co-party's answer (and the partner data it unlocks), and
the sweep of answers that did not come in time."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from common.tz import VN_TZ
from portal.models import Dossier, DossierEvent, DossierParty, Notification
from portal.services import deadlines, parties
from portal.services.parties import PartyError
from procedures import load_catalogue
from tests.factories import LAN_RECORD, RECORD, registry_item
from tests.support.databases import emptied, module_database

CATALOGUE = load_catalogue()
MARRIAGE, BIRTH, DEATH = (CATALOGUE.get(c) for c in ("1.000894", "1.001193", "1.000656"))
AN, LAN, STRANGER = "079095001234", "079302034567", "079190004321"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=VN_TZ)  # a Monday
COMMUNE = "79.26743"
MARRIAGE_DATA = {
    "applicant_personal_id": AN,
    "applicant_full_name": "Nguyễn Văn An",
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "2002-03-04",
}


# --- subject keys --------------------------------------------------------------------------


def test_the_couple_is_one_subject_whichever_spouse_files():
    mine = parties.subject_key(MARRIAGE, MARRIAGE_DATA, AN)
    hers = parties.subject_key(
        MARRIAGE, {"applicant_personal_id": LAN, "partner_personal_id": AN}, LAN
    )
    assert mine == hers == f"couple:{AN}+{LAN}"


def test_subject_keys_of_every_kind():
    assert parties.subject_key(BIRTH, {"birth_notice_number": "GCS-1"}, AN) == "birth_notice:GCS-1"
    assert parties.subject_key(DEATH, {"deceased_personal_id": LAN}, AN) == f"deceased:{LAN}"
    bhyt = CATALOGUE.get("1.014137")
    assert parties.subject_key(bhyt, {"child_personal_id": LAN}, AN) == f"child:{LAN}"
    criminal = CATALOGUE.get("3.000333")
    assert parties.subject_key(criminal, {}, AN) == f"applicant:{AN}"
    copy = CATALOGUE.get("2.000635")
    assert parties.subject_key(copy, {"anything": "x"}, AN) is None  # a request: no lock
    assert parties.subject_key(MARRIAGE, {"applicant_personal_id": AN}, AN) is None  # not named


def test_every_procedure_declares_a_subject_that_fits_the_database():
    for proc in CATALOGUE.procedures.values():
        data = {f.name: "079095001234" for f in proc.fields}
        key = parties.subject_key(proc, data, AN)
        assert key is None or len(key) <= 64


# --- party rows ----------------------------------------------------------------------------


def test_marriage_rows_the_applicant_and_the_spouse_who_must_confirm():
    rows = parties.party_rows(MARRIAGE, MARRIAGE_DATA, AN, "Nguyễn Văn An", NOW.date())
    assert [(r.personal_id, r.role, r.consent, r.full_name) for r in rows] == [
        (AN, "applicant", "applicant", "Nguyễn Văn An"),
        (LAN, "spouse", "required", "Đỗ Thị Lan"),
    ]
    assert rows[0].answer_by is None
    assert rows[1].answer_by == deadlines.add_working_days(NOW.date(), 5)


def test_birth_rows_the_other_parent_as_informed_with_the_registry_name():
    data = {
        "mother_personal_id": LAN,
        "mother_full_name": "Đỗ Thị Lan",
        "father_personal_id": AN,
        "father_full_name": "Nguyễn Văn An",
    }
    rows = parties.party_rows(BIRTH, data, LAN, "Đỗ Thị Lan", NOW.date())
    assert [(r.personal_id, r.role, r.consent, r.full_name, r.answer_by) for r in rows] == [
        (LAN, "applicant", "applicant", "Đỗ Thị Lan", None),
        (AN, "parent", "informed", "Nguyễn Văn An", None),
    ]


def test_a_birth_without_a_father_has_the_applicant_only():
    data = {"mother_personal_id": LAN, "father_personal_id": ""}
    rows = parties.party_rows(BIRTH, data, LAN, "Đỗ Thị Lan", NOW.date())
    assert [r.personal_id for r in rows] == [LAN]


# --- with a database -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    with module_database(tmp_path_factory.mktemp("parties")) as engine:
        yield engine


@pytest.fixture
def session(tables):
    with Session(emptied(tables)) as session:
        yield session


def awaiting_marriage(
    session: Session, *, answer_by: date | None = None, n: int = 1, status="awaiting_parties"
) -> Dossier:
    """A marriage filed by An, waiting for Lan's confirmation (the first one holds the
    couple: the same couple has one open dossier)."""
    dossier = Dossier(
        code=f"{COMMUNE}-261123-{n:04d}",
        procedure_code=MARRIAGE.code,
        procedure_version=1,
        applicant_id=AN,
        status=status,
        office_code=COMMUNE,
        data=dict(MARRIAGE_DATA),
        subject_key=f"couple:{AN}+{LAN}",
        open_key=f"couple:{AN}+{LAN}" if n == 1 else None,
    )
    session.add(dossier)
    session.flush()
    session.execute(update(Dossier).where(Dossier.id == dossier.id).values(draft_key=None))
    rows = parties.add_parties(session, dossier, MARRIAGE, MARRIAGE_DATA, NOW.date())
    if answer_by is not None:
        rows[1].answer_by = answer_by
        session.add(rows[1])
    session.commit()
    session.refresh(dossier)
    return dossier


def records():
    return RECORD, LAN_RECORD


def test_the_spouse_confirms_and_her_registry_data_fills_the_dossier(session):
    dossier = awaiting_marriage(session)
    assert "partner_ethnicity" not in dossier.data  # withheld until she consents
    done = parties.answer(
        session, dossier.code, LAN, "confirm", None, NOW, procedure=MARRIAGE, records=records
    )
    assert done.status == "submitted"
    assert done.data["partner_ethnicity"] == "Tày"
    assert done.data["partner_residence"] == "3 Hai Bà Trưng, Phường Sài Gòn"
    assert done.data["partner_marital_status"] == "Chưa kết hôn"
    row = session.exec(select(DossierParty).where(DossierParty.personal_id == LAN)).one()
    assert (row.answer, row.answered_at is not None) == ("confirmed", True)
    event = session.exec(select(DossierEvent).where(DossierEvent.dossier_id == done.id)).one()
    assert (event.action, event.actor_id) == ("confirm_party", LAN)
    told = session.exec(select(Notification.personal_id)).all()
    assert told == [AN]  # the applicant is told; she sees it on her page


def test_a_failed_rule_with_the_real_data_refuses_the_confirmation(session):
    dossier = awaiting_marriage(session)
    married = {**LAN_RECORD, "marital_status": registry_item("Đã kết hôn")}
    with pytest.raises(PartyError) as refused:
        parties.answer(
            session, dossier, LAN, "confirm", None, NOW, procedure=MARRIAGE,
            records=lambda: (RECORD, married),
        )  # fmt: skip
    assert "Đã kết hôn" in refused.value.messages[0]  # her own data, spelled out to her
    assert "Nguyễn Văn An" not in " ".join(refused.value.messages)  # nothing of his record
    session.refresh(dossier)
    assert (dossier.status, dossier.version, "partner_ethnicity" in dossier.data) == (
        "awaiting_parties",
        1,
        False,
    )


def test_declining_needs_a_reason(session):
    dossier = awaiting_marriage(session)
    with pytest.raises(PartyError) as refused:
        parties.answer(session, dossier, LAN, "decline", "  ", NOW, procedure=MARRIAGE)
    assert refused.value.messages == [parties.NEEDS_REASON] and refused.value.field == "reason"
    done = parties.answer(
        session, dossier, LAN, "decline", "Tôi chưa đồng ý kết hôn", NOW, procedure=MARRIAGE
    )
    assert (done.status, done.open_key) == ("declined", None)
    row = session.exec(select(DossierParty).where(DossierParty.personal_id == LAN)).one()
    assert (row.answer, row.reason) == ("declined", "Tôi chưa đồng ý kết hôn")


def test_only_the_named_party_answers_and_only_once_and_in_time(session):
    dossier = awaiting_marriage(session)
    for who in (STRANGER, AN):
        with pytest.raises(PartyError):
            parties.answer(session, dossier, who, "confirm", None, NOW, procedure=MARRIAGE)
    parties.answer(session, dossier, LAN, "confirm", None, NOW, procedure=MARRIAGE)
    with pytest.raises(PartyError):
        parties.answer(session, dossier, LAN, "confirm", None, NOW, procedure=MARRIAGE)
    late = awaiting_marriage(session, answer_by=date(2026, 11, 20), n=2)
    with pytest.raises(PartyError) as refused:
        parties.answer(session, late, LAN, "confirm", None, NOW, procedure=MARRIAGE)
    assert "quá hạn" in refused.value.messages[0]
    with pytest.raises(PartyError):
        parties.answer(session, late, LAN, "maybe", None, NOW, procedure=MARRIAGE)


def test_the_sweep_closes_what_waited_too_long(session):
    late = awaiting_marriage(session, answer_by=date(2026, 11, 20), n=1)
    in_time = awaiting_marriage(session, n=2)
    draft = awaiting_marriage(session, n=3, status="awaiting_confirmation")
    session.execute(
        update(Dossier).where(Dossier.id == draft.id).values(draft_answer_by=date(2026, 11, 20))
    )
    session.commit()
    assert parties.lapse_overdue(session, NOW) == 2
    states = {d.code: (d.status, d.open_key) for d in session.exec(select(Dossier)).all()}
    assert states[late.code] == ("declined", None)
    assert states[in_time.code][0] == "awaiting_parties"
    assert states[draft.code][0] == "processing"
    actions = session.exec(select(DossierEvent.action).order_by(DossierEvent.id)).all()
    assert actions == ["parties_lapsed", "draft_lapsed"]
    assert parties.lapse_overdue(session, NOW + timedelta(minutes=1)) == 0  # nothing left


def test_the_holder_of_a_subject_and_the_message_for_the_second_filer(session):
    dossier = awaiting_marriage(session)
    found = parties.holder(session, MARRIAGE.code, f"couple:{AN}+{LAN}")
    assert found is not None and found.id == dossier.id
    text = parties.already_filed_message(session, found, MARRIAGE)
    assert dossier.code in text and "Nguyễn Văn An" in text
    assert "Chờ các bên liên quan xác nhận" in text
    assert parties.holder(session, MARRIAGE.code, None) is None


def test_a_citizen_named_in_the_holder_follows_it_once(session):
    dossier = awaiting_marriage(session)
    # Lan is already a party: nothing added; someone the dossier does not name: nothing.
    assert not parties.follow_as_informed(session, dossier, MARRIAGE, LAN, "Đỗ Thị Lan")
    assert not parties.follow_as_informed(session, dossier, MARRIAGE, STRANGER, "Ai đó")
    # A dossier filed before its parties were recorded: the named person is added, once.
    for row in session.exec(select(DossierParty).where(DossierParty.personal_id == LAN)):
        session.delete(row)
    session.commit()
    assert parties.follow_as_informed(session, dossier, MARRIAGE, LAN, "Đỗ Thị Lan")
    session.commit()
    assert not parties.follow_as_informed(session, dossier, MARRIAGE, LAN, "Đỗ Thị Lan")
    row = session.exec(select(DossierParty).where(DossierParty.personal_id == LAN)).one()
    assert (row.consent, row.full_name) == ("informed", "Đỗ Thị Lan")


def test_the_dashboard_part_of_each_party(session):
    dossier = awaiting_marriage(session)
    parts = parties.parts_of(session, LAN, [dossier], CATALOGUE.get, NOW.date())
    by = deadlines.add_working_days(NOW.date(), 5)
    part = parts[dossier.id]
    assert part.pending and part.filed_by == "Nguyễn Văn An"
    assert part.text == f"Bên kết hôn còn lại — cần xác nhận trước {by:%d/%m/%Y}"
    assert parties.parts_of(session, AN, [dossier], CATALOGUE.get, NOW.date()) == {}  # filed it
    late = parties.parts_of(session, LAN, [dossier], CATALOGUE.get, by + timedelta(days=1))
    assert not late[dossier.id].pending and late[dossier.id].text.endswith("chưa xác nhận")
    parties.answer(session, dossier, LAN, "confirm", None, NOW, procedure=MARRIAGE)
    session.refresh(dossier)
    done = parties.parts_of(session, LAN, [dossier], CATALOGUE.get, NOW.date())[dossier.id]
    assert not done.pending and done.text == "Bên kết hôn còn lại — đã xác nhận"


def test_the_subject_step_is_where_the_subject_is_named():
    assert parties.subject_step(MARRIAGE) == "ben-kia"  # the partner's number completes it
    assert parties.subject_step(BIRTH) == "tre"
    criminal = CATALOGUE.get("3.000333")  # the applicant: known from the first step
    assert parties.subject_step(criminal) == criminal.steps_in_order()[0]
    assert parties.subject_step(CATALOGUE.get("2.000635")) is None
