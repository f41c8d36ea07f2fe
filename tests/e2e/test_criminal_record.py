"""Phiếu lý lịch tư pháp (3.000333) at the Công an tỉnh, in Chromium: a citizen with a
criminal record and one without file online, the officer of Công an Thành phố Hồ Chí Minh
approves, and each reads the statement the judicial-record database gives on the phiếu.

Who is who (seeds/personas.toml): Trịnh Quang Vinh has a conviction not yet expunged and a
bankruptcy ban; Trần Minh Khoa has a clean record; both live in Thành phố Hồ Chí Minh, so
the Công an of the city is the competent body; Nguyễn Thị Thanh Hương staffs it. The flows
only read the registry, so they share the session's live apps.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.pages import (
    CitizenDossier,
    DataStorePage,
    DossierPage,
    FilingStep,
    FilingSummary,
    enter,
)
from tests.support.e2e import (
    CRIMINAL_RECORD,
    CRIMINAL_RECORD_NAME,
    RETURNED,
    clerk_opens,
    expect_submitted,
    expect_told,
    pdf_text,
)

pytestmark = [pytest.mark.e2e]

POLICE = "Công an Thành phố Hồ Chí Minh"
OFFICER = "Nguyễn Thị Thanh Hương"
TITLE = "Phiếu lý lịch tư pháp (bản điện tử)"
SIGNER = "GIÁM ĐỐC CÔNG AN THÀNH PHỐ HỒ CHÍ MINH"
BANS = re.compile(r"^Yêu cầu xác nhận về việc cấm đảm nhiệm chức vụ")


def file_criminal_record(page: Page, url: str, form: str, copies: str, *, bans: bool) -> str:
    """File 3.000333 through the online form: identity and family from the registry, the
    phiếu asked on its page, every other page as it comes (a receiving point left as
    proposed); the summary names the Công an of the city."""
    step = FilingStep(page, url).open(CRIMINAL_RECORD)
    expect(step.progress).to_contain_text("Bước 1/")
    total = int(step.progress.inner_text().rsplit("/", 1)[1])
    for number in range(1, total):
        step.expect_shown(CRIMINAL_RECORD_NAME, number, total)
        if step.field("Nơi sinh").count():
            enter(step.field("Nơi sinh"), "Thành phố Hồ Chí Minh")
        if step.field("Loại phiếu yêu cầu cấp").count():
            enter(step.field("Loại phiếu yêu cầu cấp"), form)
            enter(step.field("Mục đích sử dụng phiếu"), "Bổ sung hồ sơ xin việc")
            enter(step.field("Số bản phiếu"), copies)
            if bans:
                step.main.get_by_role("checkbox", name=BANS).check()
        step.next()
    summary = FilingSummary(page, url).expect_shown(CRIMINAL_RECORD_NAME)
    expect(summary.problems).to_have_count(0)
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text(POLICE)
    summary.submit()
    return expect_submitted(DossierPage(page, url), CRIMINAL_RECORD_NAME, POLICE)


def approve(officer: Page, url: str, code: str) -> None:
    """The officer of the Công an tỉnh receives, processes, approves (the phiếu is signed
    from the judicial-record database) and returns the dossier."""
    clerk = clerk_opens(officer, url, code)
    expect(clerk.item("Thủ tục")).to_have_text(CRIMINAL_RECORD_NAME)
    clerk.act("Tiếp nhận").act("Bắt đầu xử lý").act("Phê duyệt và ký kết quả")
    expect(clerk.results).to_contain_text(f"người ký {OFFICER}")
    clerk.act("Trả kết quả")
    expect(clerk.item("Trạng thái")).to_have_text(RETURNED)


def phieu_texts(page: Page, url: str, code: str, copies: int) -> list[str]:
    """The citizen's returned phiếu: one per copy, each its own number, every one in the
    data store; the text of each PDF."""
    dossier = CitizenDossier(page, url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(RETURNED)
    expect(dossier.result_titles).to_have_text([TITLE] * copies)
    numbers = dossier.result_items("Số văn bản").all_inner_texts()
    assert len(set(numbers)) == copies and all(n.endswith("/LLTP") for n in numbers), numbers
    texts = []
    for index in range(copies):
        pdf = dossier.download_result(index)
        texts.append(pdf_text(Path(pdf.path()).read_bytes()))
    store = DataStorePage(page, url).open()
    expect(store.rows_of(code)).to_have_count(copies)
    return texts


def test_a_citizen_with_a_record_reads_it_on_each_copy(browser_of, portal_url):
    vinh = browser_of("Trịnh Quang Vinh")
    code = file_criminal_record(vinh, portal_url, "Phiếu số 1", "2", bans=True)
    approve(browser_of(OFFICER), portal_url, code)
    expect_told(vinh, portal_url, code, RETURNED, f"Hồ sơ {code}: {RETURNED}.")

    texts = phieu_texts(vinh, portal_url, code, 2)
    for text in texts:
        for words in (
            "PHIẾU LÝ LỊCH TƯ PHÁP",
            "Phiếu lý lịch tư pháp số 1",
            "Trịnh Quang Vinh",
            "Tình trạng án tích Có án tích",
            "Tội danh: Tội trốn thuế",
            "Hình phạt chính: Phạt tiền 300.000.000 đồng",
            "Bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã",
            "Quyết định số 03/2024/QĐ-TBPS",
            SIGNER,
            OFFICER,
        ):
            assert words in text, (words, text)
        assert "Không có án tích" not in text
    assert texts[0] != texts[1]  # each copy its own number and verification code


def test_a_citizen_without_a_record_reads_no_record(browser_of, portal_url):
    khoa = browser_of("Trần Minh Khoa")
    code = file_criminal_record(khoa, portal_url, "Phiếu số 1", "1", bans=False)
    approve(browser_of(OFFICER), portal_url, code)

    [text] = phieu_texts(khoa, portal_url, code, 1)
    for words in ("Trần Minh Khoa", "Tình trạng án tích Không có án tích", SIGNER, OFFICER):
        assert words in text, (words, text)
    for words in ("Có án tích", "Tội danh", "cấm đảm nhiệm", "Trịnh Quang Vinh"):
        assert words not in text, (words, text)
