"""What the browser tests share: the procedures they file and how the portal names them,
the checks every journey makes of a page (axe-core rules, a 360 px phone screen) and of a
dossier just filed, and the steps of a journey (filing online, being told, collecting the
result, reading a letter)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from common.tz import today
from portal.services.deadlines import due_date
from tests.e2e.pages import (
    CitizenDossier,
    ClerkDossier,
    ClerkQueue,
    Dashboard,
    DataStorePage,
    DossierPage,
    FilingStep,
    FilingSummary,
    Notifications,
    enter,
    fetch,
)

# --- procedures --------------------------------------------------------------------------

MARRIAGE, BIRTH, CRIMINAL_RECORD = "1.000894", "1.001193", "3.000333"
MARITAL_STATUS, CIVIL_STATUS_COPY = "1.004873", "2.000635"
MARRIAGE_NAME = "Đăng ký kết hôn"
BIRTH_NAME = "Đăng ký khai sinh"
CRIMINAL_RECORD_NAME = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
MARITAL_STATUS_NAME = "Cấp Giấy xác nhận tình trạng hôn nhân"
CIVIL_STATUS_COPY_NAME = "Cấp bản sao trích lục hộ tịch"

CERTIFIED_COPY = "2.000815"
CERTIFIED_COPY_NAME = "Chứng thực bản sao từ bản chính giấy tờ, văn bản"

SUBMITTED = "Mới nộp, chờ tiếp nhận"
AWAITING_PAYMENT = "Chờ thanh toán phí, lệ phí"
AWAITING_PARTIES = "Chờ các bên liên quan xác nhận"
RECEIVED, PROCESSING, RETURNED = "Đã tiếp nhận", "Đang xử lý", "Đã trả kết quả"
NEEDS_MORE, APPROVED = "Cần bổ sung", "Đã duyệt, chờ trả kết quả"
AWAITING_DRAFT, AWAITING_APPEARANCE = "Chờ xác nhận dự thảo kết quả", "Chờ có mặt tại cơ quan"
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


def expected_due(days: int, *, calendar: bool = False) -> re.Pattern:
    """The due date (dd/mm/yyyy) of a dossier filed about now, `days` working days (or
    calendar days: the LLTP's 10) away, allowing for the minute or two a test takes (in case
    it runs across the 15:00 cut-off)."""
    now = datetime.now(UTC)
    found = {due_date(now + timedelta(minutes=m), days, calendar=calendar) for m in (-1, 0, 2)}
    return re.compile("|".join(re.escape(d.strftime("%d/%m/%Y")) for d in sorted(found)))


# TT 117/2026/TT-BTC: a VNeID level-2 account filing online pays nothing for residence,
# trích lục copies, LLTP and căn cước from 15/08/2026 to 28/02/2027. The suite runs on the
# clock: while it runs, every persona (level 2) files those for 0 đồng.
TT117 = (
    "Miễn theo TT 117/2026/TT-BTC (tài khoản VNeID mức 2, nộp trực tuyến, 15/08/2026–28/02/2027)"
)


def in_tt117() -> bool:
    """Whether today is within TT 117/2026/TT-BTC's exemption."""
    return date(2026, 8, 15) <= today() <= date(2027, 2, 28)


def expect_level2_online_fee(fee: Locator, amount: str, reason: str) -> None:
    """The fee of a procedure TT 117/2026 covers, filed online by a level-2 account: nothing
    while the circular runs, else `amount` (e.g. "200.000 đồng") for `reason`."""
    if in_tt117():
        expect(fee).to_contain_text("0 đồng")
        expect(fee).to_contain_text(TT117)
    else:
        expect(fee).to_contain_text(amount)
        expect(fee).to_contain_text(reason)


def expect_submitted(
    dossier: DossierPage, procedure: str, office: str, status: str = SUBMITTED
) -> str:
    """The acknowledgement of a dossier just filed (`status`: it waits for the office, or
    for the other parties' confirmation); returns its code."""
    code = dossier.expect_shown()
    expect(dossier.item("Thủ tục")).to_have_text(procedure)
    expect(dossier.item("Trạng thái")).to_have_text(status)
    expect(dossier.item("Cơ quan giải quyết")).to_contain_text(office)
    expect(dossier.timeline).to_have_count(1)
    expect(dossier.timeline.first).to_contain_text("Nộp hồ sơ trực tuyến")
    expect(dossier.timeline.first).to_contain_text(re.compile(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}"))
    expect(dossier.withdraw_button).to_be_visible()
    return code


# --- who works where, and what citizens upload ----------------------------------------------

# The staff personas (seeds/personas.toml), each at the body the law makes competent: the
# UBND xã where a party or parent resides (hộ tịch), the Công an xã of the address (cư trú),
# the Công an tỉnh (LLTP), BHXH (BHYT).
HANH = "Trương Thị Hạnh"  # UBND Phường Bến Thành
TAM = "Võ Thanh Tâm"  # UBND Phường Tân Định
LOC = "Châu Văn Lộc"  # UBND Xã Bình Chánh
TUAN = "Lê Minh Tuấn"  # Công an Phường Bến Thành
THINH = "Phan Đức Thịnh"  # Công an Phường Tân Định
HUONG = "Nguyễn Thị Thanh Hương"  # Công an Thành phố Hồ Chí Minh
DUC = "Phạm Văn Đức"  # Bảo hiểm xã hội Thành phố Hồ Chí Minh
BEN_THANH, BEN_THANH_OFFICE = "Phường Bến Thành", "UBND Phường Bến Thành"
TAN_DINH_OFFICE, BINH_CHANH_OFFICE = "UBND Phường Tân Định", "UBND Xã Bình Chánh"
BEN_THANH_POLICE, TAN_DINH_POLICE = "Công an Phường Bến Thành", "Công an Phường Tân Định"
CITY_POLICE = "Công an Thành phố Hồ Chí Minh"
CITY_BHXH = "Bảo hiểm xã hội Thành phố Hồ Chí Minh"
OFFICE_CHOICE = "Cơ quan giải quyết"  # where the law leaves the citizen a choice
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # what the upload check reads: the signature
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def upload(name: str, content: bytes) -> dict:
    """A file the citizen attaches (PDF or PNG, by its first bytes)."""
    kind = "application/pdf" if content.startswith(b"%PDF-") else "image/png"
    return {"name": name, "mimeType": kind, "buffer": content}


# --- the steps of a journey ------------------------------------------------------------------


@dataclass(frozen=True)
class Filing:
    """A procedure filed online: its code and name, what the citizen types, chooses or
    attaches on each page (label -> value), and the office the summary names."""

    code: str
    name: str
    steps: list[dict]
    office: str = BEN_THANH_OFFICE
    status: str = SUBMITTED  # after submission (AWAITING_PARTIES: another party confirms)
    # A fee above 0 đồng (status AWAITING_PAYMENT): file_online pays it through the gateway
    # unless False (a test of the payment itself).
    pay: bool = True


CHILD = "Trần Bảo Ngọc"
# A parent of the child of the hospital's birth notice files; both parents live in Phường Tân
# Định, whose UBND registers the birth (Luật Hộ tịch 2014, điều 13: nơi cư trú của cha hoặc
# mẹ); its own desk receives (the receiving point left as proposed).
BIRTH_FILING = Filing(
    BIRTH,
    BIRTH_NAME,
    [
        {
            "Họ, chữ đệm và tên của trẻ": CHILD,
            "Dân tộc của trẻ": "Kinh",
            "Quê quán của trẻ": "Xã Tam Quan, tỉnh Gia Lai",
        },
        {},
        {},  # nơi nộp
    ],
    office=TAN_DINH_OFFICE,
)

# Bùi Thị Nga attaches a scan of her diploma.
CERTIFIED_COPY_FILING = Filing(
    CERTIFIED_COPY,
    CERTIFIED_COPY_NAME,
    [
        {},
        {
            "Tên giấy tờ cần chứng thực": "Bằng tốt nghiệp đại học",
            "Số trang của bản chính": "1",
            "Số bản sao cần chứng thực": "2",
        },
        {"Bản chính giấy tờ cần chứng thực (ảnh/bản quét)": upload("bang-tot-nghiep.png", PNG)},
        {OFFICE_CHOICE: BEN_THANH},
    ],
    # TT 226/2016/TT-BTC, not among TT 117/2026's exemptions: 2.000 đồng a page, 2 copies
    status=AWAITING_PAYMENT,
)


def file_online(page: Page, url: str, filing: Filing) -> str:
    """File through the online form, page by page; the summary names the office; submit.
    Returns the new dossier's code."""
    step = FilingStep(page, url).open(filing.code)
    for number, entries in enumerate(filing.steps, 1):
        step.expect_shown(filing.name, number, len(filing.steps) + 1)
        for label, value in entries.items():
            enter(step.field(label), value)
        step.next()
    summary = FilingSummary(page, url).expect_shown(filing.name)
    expect(summary.problems).to_have_count(0)
    expect(summary.handling_item("Cơ quan giải quyết")).to_contain_text(filing.office)
    summary.submit()
    code = expect_submitted(DossierPage(page, url), filing.name, filing.office, filing.status)
    if filing.status == AWAITING_PAYMENT and filing.pay:
        pay_online(page)
        expect(page.get_by_role("heading", name="Đã thanh toán thành công")).to_be_visible()
        page.get_by_role("link", name="Quay lại hồ sơ").click()
        expect(DossierPage(page, url).item("Trạng thái")).to_have_text(SUBMITTED)
    return code


def pay_online(page: Page, outcome: str = "Thanh toán", method: str = "Thẻ ngân hàng") -> None:
    """From the dossier page awaiting payment: its button to the national payment gateway,
    the gateway's page (a method, then the `outcome` button: "Thanh toán", "Hủy giao dịch",
    "Giả lập giao dịch thất bại"), back on the portal's payment page."""
    page.get_by_role("button", name=re.compile(r"^Thanh toán (trực tuyến|lại)")).click()
    expect(page.get_by_role("heading", name="Thanh toán phí, lệ phí", exact=True)).to_be_visible()
    if outcome != "Hủy giao dịch":
        page.get_by_role("radio", name=method, exact=True).check()
    page.get_by_role("button", name=outcome, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thanh toán phí, lệ phí hồ sơ")


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def expect_told(page: Page, url: str, code: str, status: str, *notice: str) -> CitizenDossier:
    """The citizen's newest notification about `code` says each of `notice`; it leads to
    the dossier page, which shows `status`."""
    Dashboard(page, url).open()
    latest = Notifications(page).about(code).first
    for text in notice:
        expect(latest).to_contain_text(text)
    latest.get_by_role("link", name=f"Xem hồ sơ {code}").click()
    dossier = CitizenDossier(page, url)
    dossier.expect_shown()
    expect(dossier.item("Trạng thái")).to_have_text(status)
    return dossier


def pdf_text(body: bytes) -> str:
    """The text of a PDF (which it must be), its lines joined by spaces."""
    assert body.startswith(b"%PDF-"), body[:20]
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages)


def letter_text(page: Page, link: Locator) -> str:
    """Open a letter (Mẫu 02, 03, 04: a PDF shown in the browser); its text."""
    response = fetch(page, link)
    assert response.status == 200, response.status
    assert response.headers["content-type"] == "application/pdf"
    return pdf_text(response.body())


def collect_result(page: Page, url: str, code: str, titles: list[str], score: int) -> str:
    """The citizen gets the returned result: its documents on the dossier page, the first
    as a PDF, each in the personal data store; then rates the service. The PDF's text."""
    dossier = CitizenDossier(page, url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(RETURNED)
    expect(dossier.result_titles).to_have_text(titles)
    result = dossier.download_result()
    assert result.suggested_filename.startswith(f"ket-qua-{code}"), result.suggested_filename
    text = pdf_text(Path(result.path()).read_bytes())

    store = DataStorePage(page, url).open()
    expect(store.rows_of(code)).to_have_count(len(titles))
    for title in titles:
        expect(store.rows_of(code).filter(has_text=title)).to_have_count(1)

    dossier.open(code)
    # the best answer everywhere gives 5; the second on three of the seven criteria, 4
    choices = {5: (), 4: (1, 1, 1)}[score]
    dossier.rate(choices, "Cán bộ hướng dẫn rõ ràng, không phải đi lại.")
    expect(dossier.confirmation).to_have_text("Cảm ơn bạn đã đánh giá mức độ hài lòng.")
    expect(dossier.rating).to_contain_text(f"Bạn đã đánh giá hồ sơ này: {score} – ")
    return text


SEND_DRAFT = "Gửi dự thảo để các bên xác nhận"


def confirm_the_draft(page: Page, url: str, code: str, *shown: str) -> CitizenDossier:
    """The applicant or a party reads the draft result sent for confirmation (it shows each
    of `shown`) and confirms it."""
    dossier = CitizenDossier(page, url).open(code)
    expect(dossier.item("Trạng thái")).to_have_text(AWAITING_DRAFT)
    for text in shown:
        expect(dossier.draft).to_contain_text(text)
    dossier.confirm_draft()
    expect(dossier.confirmation).to_have_text(f"Bạn đã xác nhận dự thảo kết quả hồ sơ {code}.")
    return dossier


def clerk_opens(page: Page, url: str, code: str, tab: str = "Chờ tiếp nhận") -> ClerkDossier:
    """The clerk finds dossier `code` on a tab of the office's queue and opens it."""
    queue = ClerkQueue(page, url).open()
    if tab != "Chờ tiếp nhận":  # the default tab
        queue.show(tab)
    return queue.open_dossier(code)
