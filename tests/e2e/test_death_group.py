"""The death group (liên thông nhóm 2, NĐ 63/2024/NĐ-CP) across three bodies, in Chromium:
Huỳnh Thị Ngọc Hân registers the death of her father Huỳnh Văn Sáu, a pensioner whose last
residence was Phường Bến Thành. The UBND xã registers the death (Trương Thị Hạnh); once the
registry has it (the death leaves his permanent residence open), the Công an of Phường Bến
Thành removes it, writing the removal to the registry before signing the CT08 notice (Lê
Minh Tuấn), and BHXH of Thành phố Hồ Chí Minh grants the funeral allowance, which writes
nothing (Phạm Văn Đức); each signs its own result. Hân sees one dossier and one timeline with the
three bodies (seeds/personas.toml: the staff and the registry's records)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from identity_mock.db import db as idp_db
from identity_mock.models import Person, PopulationWrite, Residence
from portal.db import db
from portal.models import Dossier
from tests.e2e.pages import APPROVE_AND_WRITE, CitizenDossier, ClerkDossier, Dashboard
from tests.support.apps import running_apps
from tests.support.e2e import (
    HANH,
    RETURNED,
    SEND_DRAFT,
    SUBMITTED,
    Filing,
    clerk_opens,
    confirm_the_draft,
    file_online,
)

pytestmark = [pytest.mark.e2e]

HAN, SAU = "Huỳnh Thị Ngọc Hân", "Huỳnh Văn Sáu"
SAU_ID = "079049003311"
POLICE, BHXH = "Lê Minh Tuấn", "Phạm Văn Đức"
UBND_NAME = "UBND Phường Bến Thành"
POLICE_NAME = "Công an Phường Bến Thành"
BHXH_NAME = "Bảo hiểm xã hội Thành phố Hồ Chí Minh"
DEATH_FILING = Filing(
    "1.000656",
    "Đăng ký khai tử",
    [
        {"Quan hệ với người đã chết": "Con"},
        # The hospital's electronic death notice (GBT-79-2026-000871) names Sáu and states
        # the date, time, place and cause of death: locked, and no paper notice is attached.
        {},
        {},
        {},
        {},  # nơi nộp: the UBND of the deceased's last residence, at its own desk
    ],
    office=UBND_NAME,
)
RESULTS = [
    "Trích lục khai tử (bản điện tử)",
    "Thông báo kết quả xóa đăng ký thường trú",
    "Quyết định hưởng trợ cấp mai táng",
]


@pytest.fixture
def live(tmp_path):
    """Both apps for this test alone: the death is written to the registry."""
    with running_apps(tmp_path) as apps:
        yield apps


def parts_of(live, code: str) -> dict[str, str]:
    """The group's parts, procedure code -> dossier code (the clerks find them in their
    queues; the test needs their codes to pick them out)."""
    with live.portal_app.app_context(), db.new_session() as session:
        lead = session.exec(select(Dossier).where(Dossier.code == code)).one()
        found = session.exec(select(Dossier).where(Dossier.group_id == lead.id)).all()
        return {d.procedure_code: d.code for d in found if d.code}


def process(clerk: ClerkDossier) -> None:
    """A body decides its part: receives, processes, signs its own result, returns it."""
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act("Phê duyệt và ký kết quả")
    expect(clerk.results).to_be_visible()
    clerk.act("Trả kết quả")
    expect(clerk.item("Trạng thái")).to_have_text(RETURNED)


def test_a_death_across_three_bodies_is_one_dossier_for_the_family(live, browser_of, portal_url):
    han = browser_of(HAN)
    code = file_online(han, portal_url, DEATH_FILING)

    # 1. the UBND xã registers the death; once the registry has it, the parts start
    clerk = clerk_opens(browser_of(HANH), portal_url, code)
    expect(clerk.applicant).to_contain_text(SAU)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act(SEND_DRAFT)
    confirm_the_draft(han, portal_url, code, SAU)
    clerk.open(code).act(APPROVE_AND_WRITE)
    expect(clerk.confirmation).to_contain_text("Đã ghi vào CSDLQG về dân cư")
    expect(clerk.confirmation).to_contain_text("Đã chuyển hồ sơ liên thông")
    clerk.act("Trả kết quả")
    parts = parts_of(live, code)
    assert set(parts) == {"1.003197", "1.014177"}, parts  # a pensioner: BHXH pays
    removal, allowance = parts["1.003197"], parts["1.014177"]
    assert removal.startswith("79.26743.ca-") and allowance.startswith("79.bhxh-")

    # the family sees one dossier, its parts waiting at their bodies
    dossier = CitizenDossier(han, portal_url).open(code)
    group = han.get_by_role("region", name="Hồ sơ liên thông")
    expect(group).to_contain_text("Đang giải quyết liên thông (1/3 cơ quan đã xong)")
    for body in (POLICE_NAME, BHXH_NAME):
        expect(group.get_by_role("row").filter(has_text=body)).to_contain_text(SUBMITTED)

    # the UBND's clerk has no part in her queue; each body's clerk has only its own
    police = browser_of(POLICE)
    officer = clerk_opens(police, portal_url, removal)
    expect(officer.item("Thủ tục")).to_have_text("Xóa đăng ký thường trú")
    officer.act("Tiếp nhận").act("Bắt đầu xử lý").act(APPROVE_AND_WRITE)
    # the removal reaches the registry first, then the CT08 notice is signed
    expect(officer.confirmation).to_contain_text(
        f"Đã ghi vào CSDLQG về dân cư: xóa đăng ký thường trú của {SAU}"
    )
    expect(officer.results).to_be_visible()
    officer.act("Trả kết quả")
    expect(officer.item("Trạng thái")).to_have_text(RETURNED)
    bhxh = browser_of(BHXH)
    process(clerk_opens(bhxh, portal_url, allowance))
    for page, other in ((police, allowance), (bhxh, removal)):
        page.goto(f"{portal_url}/can-bo/ho-so/{other}")
        expect(page.get_by_role("heading", level=1)).not_to_have_text(f"Hồ sơ {other}")

    # 2. the family: one dossier on the dashboard, one timeline with the three bodies,
    # three results each signed by its own body
    dashboard = Dashboard(han, portal_url).open()
    rows = dashboard.my_dossiers
    expect(rows.row(code)).to_contain_text(RETURNED)
    for part in (removal, allowance):
        expect(rows.row(part)).to_have_count(0)
    dossier = CitizenDossier(han, portal_url).open(code)
    expect(group).to_contain_text(f"Trạng thái chung: {RETURNED}")
    for body in (UBND_NAME, POLICE_NAME, BHXH_NAME):
        expect(dossier.timeline.filter(has_text=f"· {body}:").first).to_be_visible()
        expect(dossier.timeline.filter(has_text=f"· {body}: {RETURNED}")).to_have_count(1)
    expect(dossier.result_titles).to_have_text(RESULTS)
    expect(dossier.result_items("Cơ quan cấp")).to_contain_text([UBND_NAME, POLICE_NAME, BHXH_NAME])
    # a part's own address shows the same one dossier
    han.goto(f"{portal_url}/ho-so/{removal}")
    expect(han).to_have_url(f"{portal_url}/ho-so/{code}#lien-thong")

    # the registry: each body wrote its own change, the UBND the death, the Công an the
    # removal; the funeral allowance wrote nothing
    with live.idp_app.app_context(), idp_db.new_session() as session:
        person = session.get(Person, SAU_ID)
        assert person is not None and person.died_on is not None
        homes = session.exec(select(Residence).where(Residence.personal_id == SAU_ID)).all()
        assert homes and all(r.ended_on is not None for r in homes)
        writes = session.exec(
            select(PopulationWrite.reference, PopulationWrite.kind).where(
                PopulationWrite.subject_id == SAU_ID
            )
        ).all()
    assert sorted(writes) == sorted([(code, "death"), (removal, "deregistration")])
