"""A draft in Chromium: left at step 2, resumed from "Hồ sơ của tôi" at step 2, the step
before reached by its link, then deleted after the confirmation page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import Dashboard, FilingStep
from tests.support.e2e import CIVIL_STATUS_COPY, CIVIL_STATUS_COPY_NAME

pytestmark = [pytest.mark.e2e]


def test_leave_at_step_2_resume_there_go_back_and_delete(page: Page, persona_login, portal_url):
    persona_login(page, "Phan Thị Quỳnh")  # files this procedure nowhere else in the suite
    step = FilingStep(page, portal_url).open(CIVIL_STATUS_COPY)
    expect(page).to_have_url(re.compile(r"/nguoi-yeu-cau$"))
    expect(step.main.get_by_role("link", name="← Quay lại bước trước")).to_have_count(0)
    step.continue_button.click()
    expect(page).to_have_url(re.compile(r"/yeu-cau$"))

    dashboard = Dashboard(page, portal_url).open()  # the citizen leaves, then comes back
    row = dashboard.my_dossiers.draft_row(CIVIL_STATUS_COPY_NAME)
    row.get_by_role("link", name="Tiếp tục hồ sơ nháp").click()
    expect(page).to_have_url(re.compile(rf"/nop-ho-so/{re.escape(CIVIL_STATUS_COPY)}/yeu-cau$"))

    step.main.get_by_role("link", name="← Quay lại bước trước").click()
    expect(page).to_have_url(re.compile(r"/nguoi-yeu-cau$"))

    step.main.get_by_role("link", name="Xóa hồ sơ nháp", exact=True).click()
    expect(step.heading).to_have_text("Xóa hồ sơ nháp?")
    step.main.get_by_role("button", name="Xác nhận xóa hồ sơ nháp").click()
    dashboard.expect_loaded("Phan Thị Quỳnh")
    expect(
        dashboard.main.get_by_text(f"Đã xóa hồ sơ nháp: {CIVIL_STATUS_COPY_NAME}.")
    ).to_be_visible()
    expect(dashboard.my_dossiers.draft_row(CIVIL_STATUS_COPY_NAME)).to_have_count(0)
