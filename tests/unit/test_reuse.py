"""Reusing a result from the citizen's data store (services/reuse.py): which document a
data-store component reuses, and why another one cannot be (SQLite or PostgreSQL).

The showcase is the chứng thực of a contract on land or a house (2.001035): a single owner
proves their marital status with a Giấy xác nhận tình trạng hôn nhân issued for "Mua bán nhà
đất", valid 6 months. A domestic marriage no longer asks for one (the registry is queried)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from portal.models import Dossier, ResultDocument
from portal.services import results, reuse, uploads
from procedures import load_catalogue
from procedures.schema import Component
from tests import factories

AN, BINH, OFFICE = factories.AN, factories.BINH, factories.COMMUNE
KIND = "xac_nhan_tinh_trang_hon_nhan"
PURPOSE = "Mục đích sử dụng giấy xác nhận"
FOR_PROPERTY = "Mua bán nhà đất"  # an option of 1.004873's purpose field
FOR_MARRIAGE = "Đăng ký kết hôn"
CATALOGUE = load_catalogue()
CONTRACT = CATALOGUE.get("2.001035")  # chứng thực hợp đồng, giao dịch
COMPONENT = next(c for c in CONTRACT.components if c.source == "data_store")
INDEX = CONTRACT.components.index(COMPONENT)
TODAY = date(2026, 11, 20)
VN = timedelta(hours=7)


@pytest.fixture
def session(tmp_path):
    """A portal database that knows the commune's office and An (tests/factories.py)."""
    with factories.office_session(tmp_path) as session:
        yield session


@pytest.fixture
def keys(tmp_path):
    return tmp_path / "instance" / results.KEY_FOLDER_NAME


def _issue(session, keys, *, owner=AN, kind=KIND, issued=date(2026, 10, 1), hour=9,
           purpose=FOR_PROPERTY, tamper=False) -> ResultDocument:  # fmt: skip
    """A confirmation issued on a dossier of `owner`, at `hour` o'clock Vietnam time."""
    dossier = _dossier(session, owner, "1.004873", "approved")
    doc = results.issue(
        session,
        dossier,
        kind=kind,
        title="Giấy xác nhận tình trạng hôn nhân (bản điện tử)",
        content={"Họ, chữ đệm và tên": "Nguyễn Văn An", PURPOSE: purpose},
        office_code=OFFICE,
        signer_id="079080001111",
        signer_name="Trần Văn Chủ tịch",
        now=datetime.combine(issued, time(hour)).replace(tzinfo=UTC) - VN,
        key_folder=keys,
    )
    if tamper:  # someone changes the stored purpose so it can be reused for a sale
        doc.content = {**doc.content, PURPOSE: FOR_PROPERTY}
    session.commit()
    return doc


def _dossier(session, owner: str, code: str, status: str) -> Dossier:
    dossier = Dossier(procedure_code=code, procedure_version=1, applicant_id=owner,
                      status=status, office_code=OFFICE)  # fmt: skip
    session.add(dossier)
    session.flush()
    dossier.draft_key = None  # filed: a None given to the constructor would insert "draft"
    session.flush()
    return dossier


def _resolve(session, keys, today=TODAY) -> reuse.Reuse:
    session.expire_all()  # as the database gives documents back (naive UTC)
    (found,) = reuse.resolve(session, CONTRACT, AN, key_folder=keys, today=today)
    return found


# --- which document is reused ---------------------------------------------------------------

# case → (documents issued, oldest first, as _issue arguments; the one reused, by position,
# or None; what the citizen is told when none is)
CASES = {
    "no document": ([], None, None),
    "another kind": ([{"kind": "trich_luc_khai_sinh"}], None, None),
    "another citizen's": ([{"owner": BINH}], None, None),
    "usable": ([{}], 0, None),
    "last valid day": ([{"issued": date(2026, 5, 20)}], 0, None),
    "expired": (
        [{"issued": date(2026, 5, 19)}],
        None,
        "đã hết hạn sử dụng (chỉ có giá trị đến hết ngày 19/11/2026)",
    ),
    # 20/05 01:00 in Vietnam is still 19/05 in UTC: the day of issue is Vietnam's.
    "issued early morning": ([{"issued": date(2026, 5, 20), "hour": 1}], 0, None),
    # One issued to marry cannot serve a sale: it is valid only for the purpose written.
    "issued for a marriage": (
        [{"purpose": FOR_MARRIAGE}],
        None,
        f"văn bản ghi «{PURPOSE}: {FOR_MARRIAGE}», hồ sơ này cần «{FOR_PROPERTY}»",
    ),
    "other purpose": (
        [{"purpose": "Vay vốn ngân hàng"}],
        None,
        f"văn bản ghi «{PURPOSE}: Vay vốn ngân hàng», hồ sơ này cần «{FOR_PROPERTY}»",
    ),
    "tampered": (
        [{"purpose": "Vay vốn ngân hàng", "tamper": True}],
        None,
        reuse.BROKEN_SIGNATURE,
    ),
    "newest of several": ([{"issued": date(2026, 9, 1)}, {"issued": date(2026, 10, 1)}], 1, None),
    "newest tampered, older one reused": (
        [
            {"issued": date(2026, 9, 1)},
            {"issued": date(2026, 10, 1), "purpose": "Khác", "tamper": True},
        ],
        0,
        None,
    ),
    "newest for another purpose, older one reused": (
        [{"issued": date(2026, 9, 1)}, {"issued": date(2026, 10, 1), "purpose": "Khác"}],
        0,
        None,
    ),
}


@pytest.mark.parametrize(("issued", "reused", "reason"), CASES.values(), ids=CASES.keys())
def test_the_newest_usable_document_of_the_kind_is_reused(session, keys, issued, reused, reason):
    docs = [_issue(session, keys, **args) for args in issued]
    found = _resolve(session, keys)
    assert (found.index, found.component) == (INDEX, COMPONENT)
    if reused is None:
        assert found.document is None
        assert reuse.unmet([found]) == {INDEX: found}
        assert found.reason == reason
        assert (found.refusal != "") == (reason is not None)
    else:
        assert found.document.id == docs[reused].id
        assert reuse.unmet([found]) == {}
        assert found.valid_until == reuse.add_months(reuse.issued_on(found.document), 6)


def test_refusal_names_the_newest_document_and_why(session, keys):
    doc = _issue(session, keys, issued=date(2026, 1, 15))
    found = _resolve(session, keys)
    assert found.refused.id == doc.id
    assert found.refusal == (
        f"Giấy xác nhận tình trạng hôn nhân (bản điện tử) số {doc.number}, cấp ngày 15/01/2026, "
        "không dùng lại được: đã hết hạn sử dụng (chỉ có giá trị đến hết ngày 15/07/2026)."
    )


def test_reused_document_is_described_with_number_date_and_office(session, keys):
    doc = _issue(session, keys, issued=date(2026, 10, 1))
    found = _resolve(session, keys)
    assert found.description == (
        f"Giấy xác nhận tình trạng hôn nhân (bản điện tử) số {doc.number}, cấp ngày 01/10/2026, "
        "bởi UBND Phường Bến Thành"
    )
    assert found.valid_until == date(2027, 4, 1)


def test_a_procedure_without_data_store_components_resolves_nothing(session, keys):
    _issue(session, keys)
    assert reuse.resolve(session, CATALOGUE.get("2.000635"), AN, key_folder=keys, today=TODAY) == []


def test_the_fingerprint_changes_with_the_document_reused(session, keys):
    nothing = reuse.fingerprint([_resolve(session, keys)])
    _issue(session, keys, issued=date(2026, 9, 1))
    first = reuse.fingerprint([_resolve(session, keys)])
    _issue(session, keys, issued=date(2026, 10, 1))
    second = reuse.fingerprint([_resolve(session, keys)])
    assert len({tuple(f.items()) for f in (nothing, first, second)}) == 3
    assert reuse.fingerprint([]) == {}


# --- recording at submit ----------------------------------------------------------------------


def test_recorded_reuse_is_read_back_and_its_signature_checked_again(session, keys):
    doc = _issue(session, keys)
    filed = _dossier(session, AN, CONTRACT.code, "submitted")
    reuse.record(session, filed.id, [_resolve(session, keys)], datetime(2026, 11, 20, tzinfo=UTC))
    session.commit()
    (index, kept), *others = reuse.recorded(session, filed.id).items()
    assert not others and index == INDEX
    assert kept.document.id == doc.id and kept.valid_until == date(2027, 4, 1)
    assert kept.signature_ok is None  # not asked to check
    assert reuse.recorded(session, filed.id, keys)[INDEX].signature_ok is True
    session.execute(
        ResultDocument.__table__.update()
        .where(ResultDocument.id == doc.id)
        .values(number="999/2026/XNTTHN")
    )
    session.commit()
    session.expire_all()
    assert reuse.recorded(session, filed.id, keys)[INDEX].signature_ok is False


def test_nothing_is_recorded_when_nothing_was_reused(session, keys):
    reuse.record(session, 1, [_resolve(session, keys)], datetime(2026, 11, 20, tzinfo=UTC))
    assert reuse.recorded(session, 1) == {}


# --- rules as data --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 15), 6, date(2026, 7, 15)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 7, 31), 12, date(2027, 7, 31)),
    ],
)
def test_months_are_counted_to_the_same_day(day, months, expected):
    assert reuse.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"source": "data_store"}, "needs kind"),
        ({"source": "upload", "kind": KIND}, "for data_store components"),
        ({"source": "population", "valid_months": 6}, "for data_store components"),
        ({"source": "form", "must_state": {PURPOSE: FOR_PROPERTY}}, "for data_store components"),
        ({"source": "data_store", "kind": KIND, "valid_months": 0}, "greater than or equal to 1"),
    ],
    ids=["no-kind", "kind-on-upload", "validity-elsewhere", "must-state-elsewhere", "zero"],
)
def test_reuse_settings_are_validated(settings, message):
    with pytest.raises(ValidationError, match=message):
        Component(name="Giấy tờ", **settings)


def test_a_contract_reuses_a_six_month_confirmation_issued_for_property():
    assert (COMPONENT.kind, COMPONENT.valid_months) == (KIND, 6)
    assert COMPONENT.must_state == {PURPOSE: FOR_PROPERTY}
    assert reuse.producers(CATALOGUE.procedures.values())[KIND].code == "1.004873"


def test_a_marriage_reuses_no_confirmation_any_more():
    marriage = CATALOGUE.get("1.000894")
    assert [c for c in marriage.components if c.source == "data_store"] == []


def test_must_state_names_a_field_and_option_of_the_issuing_procedure():
    producers = reuse.producers(CATALOGUE.procedures.values())
    for proc in CATALOGUE.procedures.values():
        for c in proc.components:
            if not c.must_state:
                continue
            fields = {f.label: f for f in producers[c.kind].fields}
            for label, value in c.must_state.items():
                assert label in fields, (proc.code, label)
                assert not fields[label].options or value in fields[label].options


def test_an_unmet_data_store_component_becomes_an_upload():
    papers = [(i, c) for i, c in enumerate(CONTRACT.components) if c.source == "upload"]
    assert [c.name for _, c in papers] == [
        "Dự thảo hợp đồng, giao dịch",
        "Giấy tờ chứng minh quyền sở hữu, quyền sử dụng tài sản (Giấy chứng nhận quyền sử "
        "dụng đất, quyền sở hữu nhà ở, giấy đăng ký tài sản)",
    ]
    assert uploads.upload_components(CONTRACT) == papers
    assert uploads.upload_components(CONTRACT, {INDEX}) == [*papers, (INDEX, COMPONENT)]
    assert uploads.missing(CONTRACT, {}, {INDEX}) == [c for _, c in papers] + [COMPONENT]
    assert uploads.missing(CONTRACT, {}) == [c for _, c in papers]
    other = CATALOGUE.get("1.004194")  # an upload component stays one, whatever `unmet` says
    assert uploads.upload_components(other, {0}) == uploads.upload_components(other)
