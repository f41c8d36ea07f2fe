"""A death declared online in Chromium by a relative who lives elsewhere (issue 10, item 3).

Hoàng Văn Thọ lives at 21 Hàng Bạc; his son Hoàng Văn Minh had his own household in Phường
Đống Đa. Thọ names his son by number and name; a wrong name is caught next to the field
without a word about the person; with the right name the registry proves Thọ is Minh's
father, so Minh's registry data is shown and the dossier is filed, though they never shared
a household.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from portal.db import db as portal_db
from portal.models import Dossier
from tests.e2e.pages import FilingStep, FilingSummary

pytestmark = [pytest.mark.e2e]

DEATH, DEATH_NAME = "1.000656", "Đăng ký khai tử"
DECEASED_ID = "Số định danh cá nhân của người đã chết"
DECEASED_NAME = "Họ, chữ đệm và tên người đã chết (như trên thẻ căn cước)"
THO_HOME = "21 Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội"
MINH_HOME = "15 Tôn Đức Thắng, Phường Đống Đa, Thành phố Hà Nội"
PAPER = {"name": "giay-bao-tu.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"}  # fmt: skip


def test_a_death_filed_by_a_relative_who_lives_elsewhere(
    page: Page, live, portal_url, persona_login
):
    persona_login(page, "Hoàng Văn Thọ")
    step = FilingStep(page, portal_url).open(DEATH)
    step.expect_shown(DEATH_NAME, 1, 7)
    step.expect_locked("Nơi cư trú của người đi khai tử", THO_HOME)
    step.field("Quan hệ với người đã chết").select_option("Cha")
    step.next()

    step.expect_shown(DEATH_NAME, 2, 7)
    step.field(DECEASED_ID).fill("001068004321")
    name = step.field(DECEASED_NAME)
    name.fill("Hoàng Văn Mính")  # one diacritic off
    step.next()
    step.expect_shown(DEATH_NAME, 2, 7)
    expect(name).to_have_value("Hoàng Văn Mính")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description(re.compile("không khớp với số định danh"))
    expect(step.main).not_to_contain_text("Tôn Đức Thắng")
    name.fill("hoàng văn minh")  # case does not matter
    step.next()

    # The registry proves Thọ is Minh's father: his data is shown, read-only.
    step.expect_shown(DEATH_NAME, 3, 7)
    step.expect_locked("Họ, chữ đệm và tên của người đã chết", "Hoàng Văn Minh")
    step.expect_locked("Ngày, tháng, năm sinh của người đã chết", "15/06/1968")
    step.expect_locked("Nơi cư trú cuối cùng của người đã chết", MINH_HOME)
    step.next()

    step.expect_shown(DEATH_NAME, 4, 7)
    step.field("Ngày chết").fill("2026-11-28")
    step.field("Nơi chết").fill("Bệnh viện Bạch Mai, Hà Nội")
    step.next()
    step.expect_shown(DEATH_NAME, 5, 7)
    step.field("Giấy báo tử hoặc giấy tờ thay giấy báo tử").set_input_files(PAPER)
    step.next()

    # The law decides the body, the UBND of Minh's last residence: nothing to choose.
    step.expect_shown(DEATH_NAME, 6, 7)
    expect(step.office_choice).to_have_count(0)
    expect(step.main).to_contain_text("UBND Phường Đống Đa")
    step.next()

    summary = FilingSummary(page, portal_url).expect_shown(DEATH_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.item("Nơi cư trú cuối cùng của người đã chết")).to_contain_text(MINH_HOME)
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text("UBND Phường Đống Đa")
    summary.submit()

    expect(page).to_have_url(re.compile(re.escape(portal_url) + r"/ho-so/[^/?#]+$"))
    code = page.url.rsplit("/", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hồ sơ {code}")
    with live.portal_app.app_context(), portal_db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
    assert dossier.status == "submitted" and dossier.applicant_id == "001040056789"
    assert dossier.data["deceased_personal_id"] == "001068004321"
    assert dossier.data["deceased_full_name"] == "Hoàng Văn Minh"
