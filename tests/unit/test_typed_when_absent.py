"""A field with two ways (`typed_when_absent`): locked from the registry when it has the value
(a death declared from the health system's electronic death notice), typed by the citizen when
it has none; and a paper the electronic notice stands in for (`unless_notice`). Plain rules,
no web server: the schema, the locked values, what is typed and saved, what is asked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from portal.models import Dossier
from portal.services import filing, issuing, prefill, uploads
from procedures import load_catalogue
from procedures.schema import Component, FormField
from tests.factories import registry_item

CATALOGUE = load_catalogue()
DEATH = CATALOGUE.procedures["1.000656"]
HAN, SAU = "079178055642", "079049003311"
NOTICE = {
    "number": "GBT-79-2026-000871",
    "issuer": "Bệnh viện Chợ Rẫy",
    "issued_on": "2026-11-27",
    "died_on": "2026-11-26",
    "died_at": "22:15",
    "place_of_death": "Bệnh viện Chợ Rẫy, 201B Nguyễn Chí Thanh, Thành phố Hồ Chí Minh",
    "cause": None,  # the notice states no cause: typed, if the declarer knows it
    "deceased": {"personal_id": SAU, "full_name": "Huỳnh Văn Sáu", "birth_date": "1949-05-10"},
    "relation": "father",
}
APPLICANT = {
    "personal_id": registry_item(HAN),
    "full_name": registry_item("Huỳnh Thị Ngọc Hân"),
    "permanent_residence": registry_item({"full": "27 Lê Thánh Tôn, Phường Bến Thành"}),
    "father": registry_item({"personal_id": SAU, "full_name": "Huỳnh Văn Sáu"}),
    "spouse": registry_item(None),
    "children": registry_item([]),
    "death_notices": [registry_item(NOTICE)],
}
SAU_RECORD = {
    "personal_id": registry_item(SAU),
    "full_name": registry_item("Huỳnh Văn Sáu"),
    "birth_date": registry_item("1949-05-10"),
    "children": registry_item([{"personal_id": HAN}]),
    "died_on": registry_item(None),
}
TYPED_WHEN_ABSENT = [f.name for f in DEATH.fields if f.typed_when_absent]
PAPER = 1  # 1.000656's upload: the paper death notice or what stands in for it


def _sources(notice: dict | None = NOTICE) -> prefill.Sources:
    return prefill.Sources(APPLICANT, death_notice=notice)


# --- the schema ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"typed_when_absent": True}, "typed_when_absent is for prefilled fields"),
        (
            {"typed_when_absent": True, "prefill": "partner.died_on"},
            "cannot be used on partner",
        ),
    ],
)
def test_typed_when_absent_needs_a_prefill_not_of_the_partner(settings, message):
    with pytest.raises(ValidationError, match=message):
        FormField(name="x", label="X", **settings)


def test_unless_notice_is_for_uploads_and_names_a_notice():
    with pytest.raises(ValidationError, match="unless_notice is for upload components"):
        Component(name="Giấy báo tử", source="population", unless_notice="death_notice")
    with pytest.raises(ValidationError):
        Component(name="Giấy báo tử", source="upload", unless_notice="marriage_notice")  # type: ignore[arg-type]


def test_the_death_names_the_deceased_by_the_notice_or_by_what_was_typed():
    assert DEATH.partner_field in TYPED_WHEN_ABSENT  # accepted as typed: when absent it is
    assert DEATH.partner_name_field in TYPED_WHEN_ABSENT
    assert {"death_date", "death_place", "death_notice_number"} <= set(TYPED_WHEN_ABSENT)
    assert DEATH.components[PAPER].unless_notice == "death_notice"


# --- locked, or typed --------------------------------------------------------------------------


def test_with_the_notice_its_values_are_locked_and_an_empty_one_is_typed():
    locked = prefill.prefilled_values(DEATH, _sources())
    assert locked["deceased_personal_id"] == SAU
    assert locked["death_date"] == "26/11/2026" and locked["death_time"] == "22:15"
    assert "death_cause" not in locked  # the notice has no cause
    typed = [f.name for f in DEATH.fields if f.prefill and prefill.is_typed(f, locked)]
    assert typed == ["death_cause"]
    assert prefill.as_typed(DEATH, locked) == {
        "death_notice_issued_on": "2026-11-27",
        "death_date": "2026-11-26",
    }


def test_without_a_notice_every_such_field_is_typed_and_the_others_stay_locked():
    locked = prefill.prefilled_values(DEATH, _sources(None))
    assert not set(TYPED_WHEN_ABSENT) & set(locked)
    assert locked["applicant_full_name"] == "Huỳnh Thị Ngọc Hân"
    assert locked["deceased_full_name"] == ""  # partner.*: no two ways, empty until read
    assert all(prefill.is_typed(f, locked) for f in DEATH.fields if f.name in TYPED_WHEN_ABSENT)


def test_the_notice_names_the_person_not_what_was_typed():
    looked_up = []

    def lookup(personal_id):
        looked_up.append(personal_id)
        return SAU_RECORD

    form = {"deceased_personal_id": "001040056789", "deceased_stated_full_name": "Người khác"}
    sources = filing.gather_sources(DEATH, APPLICANT, form, lookup)
    assert looked_up == [SAU] and sources.partner is SAU_RECORD
    assert sources.partner_shown  # the registry shows she is his daughter
    assert prefill.notices_present(sources) == {"death_notice"}
    assert prefill.notice_values(DEATH, sources)["deceased_stated_full_name"] == "Huỳnh Văn Sáu"


# --- saved, missing, asked ---------------------------------------------------------------------


class _Session:
    def add(self, _row):
        pass

    def commit(self):
        pass


def _draft(data: dict | None = None) -> Dossier:
    return Dossier(procedure_code=DEATH.code, procedure_version=1, applicant_id=HAN,
                   data=data or {})  # fmt: skip


def test_a_locked_value_is_neither_saved_nor_replaced_and_a_typed_one_is_kept():
    draft = _draft()
    locked = prefill.prefilled_values(DEATH, _sources())
    posted = {"death_date": "20/11/2026", "death_cause": "Suy tim", "death_place": "Nhà"}
    errors = filing.save_step(_Session(), draft, DEATH, "su-kien", posted, locked)  # type: ignore[arg-type]
    assert set(errors) == {"death_date", "death_place"}  # changed locked values: refused
    assert draft.data == {"death_cause": "Suy tim"}

    draft = _draft()
    locked = prefill.prefilled_values(DEATH, _sources(None))
    posted = {"death_date": "20/11/2026", "death_place": "Nhà riêng"}
    assert filing.save_step(_Session(), draft, DEATH, "su-kien", posted, locked) == {}  # type: ignore[arg-type]
    assert draft.data["death_date"] == "2026-11-20" and draft.data["death_place"] == "Nhà riêng"


def test_missing_typed_fields_depend_on_what_the_registry_had():
    draft = _draft({"relation_to_deceased": "Con"})
    with_notice = prefill.prefilled_values(DEATH, _sources())
    assert filing.missing_fields(draft, DEATH, with_notice) == []
    without = prefill.prefilled_values(DEATH, _sources(None))
    missing = [f.name for f in filing.missing_fields(draft, DEATH, without)]
    assert missing == ["deceased_personal_id", "deceased_stated_full_name", "death_date",
                       "death_place"]  # fmt: skip
    assert filing.missing_fields(draft, DEATH) == []  # without the registry's values: as before


def test_the_paper_is_asked_only_without_the_electronic_notice():
    paper = DEATH.components[PAPER]
    assert uploads.upload_components(DEATH) == [(PAPER, paper)]
    assert uploads.upload_components(DEATH, notices={"death_notice"}) == []
    assert uploads.upload_components(DEATH, notices={"birth_notice"}) == [(PAPER, paper)]
    assert uploads.missing(DEATH, {}, notices={"death_notice"}) == []
    assert uploads.waived_by_notice(DEATH, {"death_notice"}) == [paper]
    assert uploads.waived_by_notice(DEATH, set()) == []


def test_the_clerk_sees_a_typed_value_as_declared():
    dossier = _draft({"death_date": "2026-11-20", "deceased_full_name": "Huỳnh Văn Sáu",
                      prefill.TYPED_KEY: ["death_date"]})  # fmt: skip
    rows = {r["label"]: r["prefilled"] for r in issuing.field_rows(DEATH, dossier)}
    assert rows == {"Ngày chết": False, "Họ, chữ đệm và tên của người đã chết": True}
