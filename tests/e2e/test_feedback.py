"""Feedback (phản ánh, kiến nghị) in a browser: Diệp writes about her dossier from the footer
link, UBND Phường Bến Thành's clerk finds it in the office's feedback page and answers it,
Diệp is notified and reads the answer. axe-core and a 360 px phone on the pages she uses."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import DATA, add_dossiers
from tests.support.e2e import HANH, PHONE, WIDER_THAN_VIEWPORT, assert_no_axe_violations

pytestmark = [pytest.mark.e2e]

DIEP, DIEP_ID = "Nguyễn Ngọc Diệp", "392301045612"  # lives in Phường Bến Thành
TEXT = "Hồ sơ của tôi đã quá 3 ngày mà chưa thấy cán bộ liên hệ."
ANSWER = "Cán bộ đã kiểm tra; hồ sơ được trả kết quả trong ngày mai. Xin lỗi chị vì sự chậm trễ."


def _fits_a_phone(page: Page, name: str) -> None:
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    wider = page.evaluate(WIDER_THAN_VIEWPORT, PHONE["width"])
    assert width <= PHONE["width"], f"{name}: {width}px wide; wider: {wider}"
    if size:
        page.set_viewport_size(size)


def test_a_citizen_writes_about_her_dossier_and_reads_the_office_answer(browser_of, live):
    (dossier,) = add_dossiers(
        live.portal_app,
        {"applicant_id": DIEP_ID, "status": "processing",
         "data": DATA | {"applicant_full_name": DIEP, "applicant_personal_id": DIEP_ID}},
    )  # fmt: skip
    diep = browser_of(DIEP)
    diep.get_by_role("link", name="Phản ánh, kiến nghị").click()
    expect(diep.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị")
    assert_no_axe_violations(diep, "feedback form")
    diep.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()  # nothing chosen yet
    expect(diep.get_by_role("alert")).to_contain_text("Vui lòng chọn loại phản ánh, kiến nghị.")
    _fits_a_phone(diep, "feedback form with errors")
    diep.get_by_label(re.compile("^Phản ánh về hành vi chậm trễ")).check()
    diep.get_by_label("Hồ sơ liên quan").select_option(dossier)
    diep.get_by_label("Nội dung", exact=True).fill(TEXT)
    diep.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    heading = diep.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Phản ánh, kiến nghị PA-79\.26743-\d{6}-\d{4}$"))
    code = heading.inner_text().removeprefix("Phản ánh, kiến nghị ")
    expect(diep.get_by_role("status")).to_contain_text(f"Đã gửi phản ánh, kiến nghị {code}.")
    expect(diep.get_by_role("region", name="Trả lời của cơ quan")).to_contain_text(
        "Cơ quan chưa trả lời."
    )
    assert_no_axe_violations(diep, "feedback sent")
    _fits_a_phone(diep, "feedback sent")

    clerk = browser_of(HANH)
    clerk.get_by_role("link", name="Xử lý hồ sơ").click()
    clerk.get_by_role("link", name="Phản ánh, kiến nghị gửi cơ quan").click()
    row = clerk.get_by_role("row").filter(has_text=code)
    expect(row).to_contain_text("Trong hạn")
    expect(row.get_by_role("link", name=dossier)).to_be_visible()
    row.get_by_role("link", name=code).click()
    expect(clerk.get_by_role("region", name="Nội dung", exact=True)).to_contain_text(TEXT)
    clerk.get_by_label("Nội dung trả lời").fill(ANSWER)
    clerk.get_by_role("button", name="Gửi trả lời").click()
    expect(clerk.get_by_role("status")).to_contain_text(f"Đã trả lời phản ánh, kiến nghị {code}")
    clerk.get_by_role("link", name="Đã trả lời").click()
    expect(clerk.get_by_role("row").filter(has_text=code)).to_contain_text("Đã trả lời")

    diep.get_by_role("link", name="Trang cá nhân").click()
    notices = diep.get_by_role("region", name=re.compile("^Thông báo"))
    notice = notices.get_by_role("listitem").filter(has_text=f"{code} đã được trả lời")
    notice.get_by_role("link", name="Xem chi tiết").click()
    expect(diep.get_by_role("region", name="Trả lời của cơ quan")).to_contain_text(ANSWER)
