"""The bodies that handle dossiers (issue 11), in Chromium: permanent residence belongs to the
Công an of the new address's ward, whatever the citizen's own commune; a one-stop centre the
citizen chooses (phi địa giới) receives the dossier for that Công an, which processes it.

Who works where (seeds/personas.toml): Lê Minh Tuấn is the Công an Phường Bến Thành (one
person, every role), Đinh Thị Mỹ Linh receives at the TTPVHCC Phường Bến Thành (reception
only), Trương Thị Hạnh is the UBND Phường Bến Thành. Đỗ Thị Lan lives in Xã Bình Chánh and
moves to Phường Bến Thành. Each test writes to the registry: its own pair of live apps.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    APPROVE_AND_WRITE,
    CitizenDossier,
    ClerkDossier,
    ClerkQueue,
    FilingStep,
)
from tests.support.apps import running_apps
from tests.support.e2e import (
    HANH,
    PDF,
    PROCESSING,
    RECEIVED,
    RETURNED,
    Filing,
    assert_no_axe_violations,
    clerk_opens,
    file_online,
    upload,
)

pytestmark = [pytest.mark.e2e]

RESIDENCE, RESIDENCE_NAME = "1.004222", "Đăng ký thường trú"
LAN, POLICE_CLERK, CENTRE_CLERK = "Đỗ Thị Lan", "Lê Minh Tuấn", "Đinh Thị Mỹ Linh"
POLICE = "Công an Phường Bến Thành"
CENTRE = "Trung tâm Phục vụ hành chính công Phường Bến Thành"
# The Công an writes the residence to the registry, then signs the CT08 notice.
APPROVE = APPROVE_AND_WRITE


def moving_in(receiving: str | None = None) -> Filing:
    """Lan registers her permanent residence at a flat in Phường Bến Thành (typed by name);
    on the last page she may choose where the dossier is received."""
    return Filing(
        RESIDENCE,
        RESIDENCE_NAME,
        [
            {},
            {
                "Số nhà, đường, thôn, tổ dân phố nơi đăng ký thường trú": "Căn hộ 12.05, 9 Lê Lợi",
                "Xã/phường nơi đăng ký": "Phường Bến Thành",
            },
            {"Quan hệ với chủ hộ": "Là chủ hộ"},
            {"Giấy tờ chứng minh chỗ ở hợp pháp": upload("hop-dong-mua-can-ho.pdf", PDF)},
            {"Nơi tiếp nhận hồ sơ": receiving} if receiving else {},
        ],
        office=POLICE,
    )


@pytest.fixture
def live(tmp_path):
    """Both apps for this test alone (overrides the session-wide pair of tests/conftest.py)."""
    with running_apps(tmp_path) as apps:
        yield apps


def expect_not_at(page: Page, url: str, code: str) -> None:
    """An office the dossier does not concern: not in its queue, and the page is a 404."""
    queue = ClerkQueue(page, url).open()
    expect(queue.row(code)).to_have_count(0)
    response = page.goto(f"{url}/can-bo/ho-so/{code}")
    assert response is not None and response.status == 404


def expect_receipt_form(page: Page, url: str, code: str, receiver: str) -> None:
    """The citizen's receipt: the Công an's own form CT04, issued by whoever received."""
    page.goto(f"{url}/ho-so/{code}/phieu-tiep-nhan")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Theo Mẫu CT04, Thông tư 66/2023/TT-BCA")
    expect(page.get_by_role("heading", level=2, name=receiver)).to_be_visible()


def test_permanent_residence_is_handled_by_the_police_of_the_new_ward(live, browser_of, portal_url):
    lan = browser_of(LAN)
    step = FilingStep(lan, portal_url).open(RESIDENCE)
    step.goto(f"/nop-ho-so/{RESIDENCE}/noi-o-moi")
    step.field("Xã/phường nơi đăng ký").fill("Phường Không Có")
    step.field("Số nhà, đường, thôn, tổ dân phố nơi đăng ký thường trú").fill("9 Lê Lợi")
    step.next()
    expect(step.field("Xã/phường nơi đăng ký")).to_have_accessible_description(
        re.compile("Không tìm thấy xã, phường “Phường Không Có”")
    )

    code = file_online(lan, portal_url, moving_in())
    assert code.startswith("79.26743.ca-"), code

    expect_not_at(browser_of(HANH), portal_url, code)  # the UBND of the ward: not theirs

    police = clerk_opens(browser_of(POLICE_CLERK), portal_url, code)
    expect(police.item("Cơ quan giải quyết")).to_contain_text(POLICE)
    expect(police.item("Cơ quan giải quyết")).to_contain_text("Xã/phường nơi đăng ký")
    police.act("Tiếp nhận")
    expect(police.confirmation).to_contain_text("(CT04)")
    expect(police.item("Trạng thái")).to_have_text(RECEIVED)
    police.act("Bắt đầu xử lý")
    expect(police.item("Trạng thái")).to_have_text(PROCESSING)
    police.act(APPROVE)
    expect(police.confirmation).to_contain_text(
        f"Đã ghi vào CSDLQG về dân cư: {LAN} (079302034567) đăng ký thường trú tại Căn hộ 12.05"
    )
    police.act("Trả kết quả")
    expect(police.item("Trạng thái")).to_have_text(RETURNED)
    expect(police.results).to_contain_text(f"người ký {POLICE_CLERK}")  # the Công an signs

    expect_receipt_form(lan, portal_url, code, POLICE)
    dossier = CitizenDossier(lan, portal_url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(RETURNED)
    expect(dossier.result_titles).to_have_count(1)


def test_a_centre_the_citizen_chose_receives_for_the_police(live, browser_of, portal_url):
    lan = browser_of(LAN)
    step = FilingStep(lan, portal_url)
    filing = moving_in(receiving="Phường Bến Thành")
    # the last page before the summary, opened before the address is given: it says what
    # decides the body; the centres she may choose are there already
    step.open(RESIDENCE)
    step.goto(f"/nop-ho-so/{RESIDENCE}/noi-nop")
    expect(step.main.get_by_role("alert")).to_contain_text("Xã/phường nơi đăng ký")
    expect(step.receiving_choice).to_have_accessible_description(
        re.compile("không phụ thuộc địa giới hành chính")
    )
    expect(step.office_choice).to_have_count(0)  # nothing to choose: the law decides
    assert_no_axe_violations(lan, "filing, where to file")

    code = file_online(lan, portal_url, filing)
    assert code.startswith("79.26743.ca-"), code

    police_page = browser_of(POLICE_CLERK)
    expect(ClerkQueue(police_page, portal_url).open().row(code)).to_have_count(0)
    waiting = ClerkDossier(police_page, portal_url).open(code)
    expect(waiting.main).to_contain_text(f"Hồ sơ do {CENTRE} tiếp nhận")
    expect(waiting.action("Tiếp nhận")).to_have_count(0)  # not the Công an's turn yet

    centre = clerk_opens(browser_of(CENTRE_CLERK), portal_url, code)
    expect(centre.item("Nơi tiếp nhận hồ sơ")).to_contain_text(CENTRE)
    centre.act("Tiếp nhận")
    expect(centre.confirmation).to_contain_text("(CT04)")
    expect(centre.action("Bắt đầu xử lý")).to_have_count(0)  # the centre only receives
    assert_no_axe_violations(centre.page, "one-stop centre, received dossier")

    police = clerk_opens(police_page, portal_url, code, tab="Đang xử lý")
    police.act("Bắt đầu xử lý").act(APPROVE).act("Trả kết quả")
    expect(police.item("Trạng thái")).to_have_text(RETURNED)

    expect_receipt_form(lan, portal_url, code, CENTRE)
