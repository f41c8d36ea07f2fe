"""What the browser tests share: the procedures they file and how the portal names them,
the checks every journey makes of a page (axe-core rules, a 360 px phone screen) and of a
dossier just filed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from portal.services.deadlines import due_date
from tests.e2e.pages import DossierPage

# --- procedures --------------------------------------------------------------------------

MARRIAGE, BIRTH, CRIMINAL_RECORD = "1.000894", "1.001193", "1.001078"
MARITAL_STATUS, CIVIL_STATUS_COPY = "1.004873", "2.000635"
MARRIAGE_NAME = "Đăng ký kết hôn"
BIRTH_NAME = "Đăng ký khai sinh"
CRIMINAL_RECORD_NAME = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
MARITAL_STATUS_NAME = "Cấp Giấy xác nhận tình trạng hôn nhân"
CIVIL_STATUS_COPY_NAME = "Cấp bản sao trích lục hộ tịch"

SUBMITTED = "Mới nộp, chờ tiếp nhận"
PARTNER_ID = "Số định danh cá nhân của người kết hôn cùng"

# --- page checks -------------------------------------------------------------------------

PHONE = {"width": 360, "height": 740}
# The first few elements that stick out past `limit` px (what makes a phone scroll sideways).
WIDER_THAN_VIEWPORT = """(limit) => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > limit)
    .slice(0, 5)
    .map(e => `<${e.tagName.toLowerCase()}> «${e.textContent.trim().slice(0, 40)}»`
              + ` right=${Math.round(e.getBoundingClientRect().right)}px`)"""
axe = Axe()


def describe_violations(violations: list[dict]) -> str:
    """axe's violations, one block per rule with every offending element."""
    lines = [f"{len(violations)} accessibility violation(s):"]
    for v in violations:
        lines.append(f"\n[{v.get('impact')}] {v['id']}: {v['help']}\n  {v['helpUrl']}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"  - {target}\n      {node['html'].strip()[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, name: str) -> None:
    violations = axe.run(page).response["violations"]
    if violations:
        report = describe_violations(violations)
        print(f"{name} ({page.url}):\n{report}")
        pytest.fail(f"{name}: {report}", pytrace=False)


# --- a dossier just filed ------------------------------------------------------------------


def expected_due(working_days: int) -> re.Pattern:
    """The due date (dd/mm/yyyy) of a dossier filed about now, allowing for the minute or
    two a test takes (in case it runs across the 15:00 cut-off)."""
    now = datetime.now(UTC)
    days = sorted({due_date(now + timedelta(minutes=m), working_days) for m in (-1, 0, 2)})
    return re.compile("|".join(re.escape(d.strftime("%d/%m/%Y")) for d in days))


def expect_submitted(dossier: DossierPage, procedure: str, office: str) -> str:
    """The receipt of a dossier just filed; returns its code."""
    code = dossier.expect_shown()
    expect(dossier.item("Thủ tục")).to_have_text(procedure)
    expect(dossier.item("Trạng thái")).to_have_text(SUBMITTED)
    expect(dossier.item("Cơ quan giải quyết")).to_contain_text(office)
    expect(dossier.timeline).to_have_count(1)
    expect(dossier.timeline.first).to_contain_text("Nộp hồ sơ trực tuyến")
    expect(dossier.timeline.first).to_contain_text(re.compile(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}"))
    expect(dossier.withdraw_button).to_be_visible()
    return code
