"""Fees on the pages: every procedure page's fee sentences are the rule's, the submit stores the
computation's steps and the receipt (page and PDF) shows them.

Each fee sentence on a procedure page carries the case it states (channel, date, province,
VNeID level, the statutory rule the applicant meets, copies, pages) as data-* attributes;
the test builds that applicant itself, asks `decide_fee` and compares the amount with the one
shown. No amount in đồng may appear on a procedure page outside such a sentence, and no
internal note (confidence, "chưa kiểm chứng") is shown."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlmodel import select

from portal.db import db
from portal.models import Citizen, Dossier, Office
from portal.services import filing
from portal.services.fees import ApplicantFacts, decide_fee, format_dong
from portal.services.routing import RoutingDecision
from procedures import load_catalogue
from tests.factories import AN, sign_in
from tests.support.html import get_page

CATALOGUE = load_catalogue()
CODES = sorted(CATALOGUE.procedures)
AMOUNT = re.compile(r"\d{1,3}(?:\.\d{3})*\s*(?:đồng|đ)\b")


class _FeePage(HTMLParser):
    """The page's fee sentences (elements with data-fee-amount: attributes and text), the
    text outside them, and the text of the fee notes under the table (#phi-le-phi)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[dict[str, str], str]] = []
        self.outside: list[str] = []
        self.fee_section: list[str] = []
        self._line: dict[str, str] | None = None
        self._text: list[str] = []
        self._depth = 0
        self._section_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if self._section_depth:
            self._section_depth += 1
        elif attrs.get("id") == "phi-le-phi":
            self._section_depth = 1
        if self._line is not None:
            self._depth += 1
        elif "data-fee-amount" in attrs:
            self._line, self._text, self._depth = attrs, [], 1

    def handle_endtag(self, tag):
        if self._section_depth:
            self._section_depth -= 1
        if self._line is not None:
            self._depth -= 1
            if self._depth == 0:
                self.lines.append((self._line, "".join(self._text).strip()))
                self._line = None

    def handle_data(self, data):
        if self._section_depth:
            self.fee_section.append(data)
        (self._text if self._line is not None else self.outside).append(data)


def _years_before(on: date, years: int) -> date:
    return date(on.year - years, on.month, min(on.day, 28))


def _applicant(attrs: dict[str, str]) -> ApplicantFacts:
    """The applicant the sentence speaks of, built here from its attributes."""
    on = date.fromisoformat(attrs["data-on"])
    rule = attrs.get("data-rule")
    level = int(attrs["data-level"]) if attrs.get("data-level") else None
    facts: dict = {"province_code": int(attrs["data-province"]), "vneid_level": level}
    flags = ("meritorious_family", "poor_household", "disability")
    ages = {"child": 10, "elderly": 70, "id_card_age_renewal": 25}
    if rule in flags:
        facts[rule] = True
    elif rule in ages:
        facts["birth_date"] = _years_before(on, ages[rule])
    elif rule == "on_time_birth":
        facts["birth_date_of_child"] = on
    elif rule == "on_time_death":
        facts["death_date"] = on
    elif rule:
        facts["declared"] = frozenset({rule})
    return ApplicantFacts(**facts)


def _page(client, code: str) -> _FeePage:
    html = get_page(client, f"/thu-tuc/{code}").get_data(as_text=True)
    page = _FeePage()
    page.feed(html)
    return page


@pytest.mark.parametrize("code", CODES)
def test_every_fee_sentence_is_the_rules(portal_client, code):
    proc = CATALOGUE.get(code)
    page = _page(portal_client, code)
    assert page.lines, f"{code}: no computed fee sentence"
    for attrs, text in page.lines:
        decision = decide_fee(
            proc,
            CATALOGUE.policies,
            _applicant(attrs),
            online=attrs["data-online"] == "1",
            on=date.fromisoformat(attrs["data-on"]),
            quantity=int(attrs["data-quantity"]),
            pages=int(attrs["data-pages"]),
        )
        assert int(attrs["data-fee-amount"]) == decision.amount, (code, text, decision)
        assert format_dong(decision.amount) in text, (code, text)
        assert AMOUNT.findall(text) == [format_dong(decision.amount)], (code, text)


@pytest.mark.parametrize("code", CODES)
def test_no_hand_written_amount_and_no_internal_note(portal_client, code):
    proc = CATALOGUE.get(code)
    page = _page(portal_client, code)
    outside = " ".join(page.outside)
    assert not AMOUNT.findall(outside), (code, AMOUNT.findall(outside))
    section = " ".join(page.fee_section + [text for _, text in page.lines])
    for internal in ("chưa kiểm chứng", "unverified", "secondary", "[?]", "[2nd]"):
        assert internal not in section, (code, internal)
    notes = [proc.fees.internal_note] + [p.internal_note for p in CATALOGUE.policies]
    for note in filter(None, notes):
        assert note not in " ".join(page.outside + page.fee_section), (code, note)


@pytest.mark.parametrize("code", CODES)
def test_every_benefit_and_policy_of_the_procedure_is_stated(portal_client, code):
    proc = CATALOGUE.get(code)
    page = _page(portal_client, code)
    rules = {a["data-rule"] for a, _ in page.lines if a.get("data-rule")}
    assert rules == {r.rule for r in proc.fees.reductions}, code
    today = max(date.fromisoformat(a["data-on"]) for a, _ in page.lines)
    provinces = {int(a["data-province"]) for a, _ in page.lines}
    levels = {a.get("data-level") for a, _ in page.lines}
    for policy in CATALOGUE.policies:
        if code not in policy.procedures or (policy.valid_to and policy.valid_to < today):
            continue
        if policy.scope == "province":
            assert policy.province in provinces, (code, policy.province)
        else:
            assert str(policy.min_vneid_level) in levels, (code, policy.source)


def _amounts(page: _FeePage, **where: str) -> set[int]:
    return {
        int(a["data-fee-amount"])
        for a, _ in page.lines
        if all(a.get(k) == v for k, v in where.items())
    }


@pytest.mark.parametrize(
    ("code", "online", "counter"),
    [
        ("1.004222", 10_000, 20_000),
        ("1.004194", 7_000, 15_000),
        ("2.000635", 8_000, 8_000),
        ("3.000333", 200_000, 200_000),
        ("2.000884", 10_000, 10_000),
        ("1.000894", 0, 0),
    ],
)
def test_the_headline_amounts(portal_client, code, online, counter):
    page = _page(portal_client, code)
    plain = {"data-province": "0", "data-quantity": "1", "data-pages": "1"}
    assert online in _amounts(page, **plain, **{"data-online": "1"})
    assert _amounts(page, **plain, **{"data-online": "0"}) == {counter}


def test_the_certified_copy_page_shows_the_cap_and_the_second_rate(portal_client):
    page = _page(portal_client, "2.000815")
    texts = {t for _, t in page.lines}
    assert "Bản sao 3 trang: 5.000 đồng/bản" in texts
    assert "Bản sao từ 198 trang: 200.000 đồng/bản (mức tối đa)" in texts


def test_the_judicial_record_page_shows_the_surcharge_and_the_reduction(portal_client):
    page = _page(portal_client, "3.000333")
    texts = " ".join(t for _, t in page.lines)
    assert "3 Phiếu trong một lần yêu cầu: 205.000 đồng" in texts
    assert "Giảm 50 %: người có công với cách mạng, thân nhân liệt sĩ" in texts
    assert "100.000 đồng" in texts


# --- the submit stores the steps, the receipt shows them -----------------------------------------

CODE = "79.26743-261123-0007"
STEPS_FACTS = ApplicantFacts(province_code=79, vneid_level=2)


def _steps_decision():
    return decide_fee(
        CATALOGUE.get("1.004194"),
        CATALOGUE.policies,
        STEPS_FACTS,
        online=True,
        on=date(2026, 11, 23),
    )


def test_submit_stores_the_fee_steps(portal_app):
    proc = CATALOGUE.get("1.004194")
    decision = _steps_decision()
    with portal_app.app_context(), db.new_session() as session:
        if session.get(Citizen, AN) is None:
            session.add(Citizen(personal_id=AN, full_name="Nguyễn Văn An", level=2))
        if session.get(Office, "79.26743.ca") is None:
            session.add(
                Office(code="79.26743.ca", name="Công an Phường Bến Thành", kind="cong_an_xa",
                       province_code=79)
            )  # fmt: skip
        draft = Dossier(procedure_code=proc.code, procedure_version=1, applicant_id=AN, data={})
        session.add(draft)
        session.commit()
        submission = filing.Submission(
            routing=RoutingDecision("79.26743.ca", "Công an Phường Bến Thành", "Nơi tạm trú"),
            fee=decision,
            locked={"applicant_full_name": "Nguyễn Văn An"},
            locked_hash="h",
            working_days=3,
            due=date(2026, 11, 26),
        )
        dossier = filing.submit(
            session,
            draft,
            submission,
            procedure=proc,
            expected_hash="h",
            now=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        )
        session.refresh(dossier)
        assert dossier.fee_amount == decision.amount == 0
        assert dossier.fee_rule == "national:TT 117/2026/TT-BTC"
        assert dossier.fee_steps == decision.steps_json()
        assert [s["amount"] for s in dossier.fee_steps] == [7_000, -7_000, 0]


@pytest.fixture
def owner_with_steps(portal_app, portal_client):
    decision = _steps_decision()
    with portal_app.app_context(), db.new_session() as session:
        if session.get(Office, "79.26743.ca") is None:
            session.add(
                Office(code="79.26743.ca", name="Công an Phường Bến Thành", kind="cong_an_xa",
                       province_code=79)
            )  # fmt: skip
        session.add(
            Dossier(
                code=CODE,
                procedure_code="1.004194",
                procedure_version=1,
                applicant_id=AN,
                draft_key=None,
                status="received",
                received_at=datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
                submitted_at=datetime(2026, 11, 23, 2, 5, tzinfo=UTC),
                office_code="79.26743.ca",
                routing_reason="Nơi tạm trú mới",
                data={"applicant_full_name": "Nguyễn Văn An", "applicant_personal_id": AN},
                fee_amount=decision.amount,
                fee_rule=decision.rule,
                fee_reason=decision.reason,
                fee_steps=decision.steps_json(),
                due_date=date(2026, 11, 26),
            )
        )
        session.commit()
    sign_in(portal_app, portal_client)
    return portal_client


EXPECTED_STEPS = [
    "Lệ phí đăng ký tạm trú trực tuyến",
    "7.000 đồng",
    "Thông tư 75/2022/TT-BTC, sửa đổi bởi Thông tư 71/2025/TT-BTC",
    "Miễn theo TT 117/2026/TT-BTC (tài khoản VNeID mức 2, nộp trực tuyến, 15/08/2026–28/02/2027)",
    "−7.000 đồng",
    "Phải nộp",
]


def test_the_receipt_page_shows_the_steps(owner_with_steps):
    html = get_page(owner_with_steps, f"/ho-so/{CODE}/phieu-tiep-nhan").get_data(as_text=True)
    assert "Cách tính phí, lệ phí" in html
    for words in EXPECTED_STEPS:
        assert words in html, words


def test_the_receipt_pdf_shows_the_steps(owner_with_steps):
    resp = owner_with_steps.get(f"/ho-so/{CODE}/phieu-tiep-nhan.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(resp.data)).pages)
    flat = " ".join(text.split())
    assert "Cách tính phí, lệ phí" in flat
    for words in ("Lệ phí đăng ký tạm trú trực tuyến", "7.000 đồng", "−7.000 đồng", "Phải nộp"):
        assert words in flat, words


def test_a_receipt_without_steps_has_no_fee_table(portal_app, owner_with_steps):
    with portal_app.app_context(), db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == CODE)).one()
        dossier.fee_steps = None
        session.add(dossier)
        session.commit()
    html = get_page(owner_with_steps, f"/ho-so/{CODE}/phieu-tiep-nhan").get_data(as_text=True)
    assert "Cách tính phí, lệ phí" not in html
