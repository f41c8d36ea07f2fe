"""Result documents with their legal content (procedures/*.toml `[result]` sections): each
kind's PDF parsed and checked for what the law puts on it, the signer of the issuing body
and the QR code on the first page, numbers per office, book and year (also under
concurrent issues), the BHYT validity rule and the other named rules, and the schema's
refusals (SQLite or PostgreSQL)."""

from __future__ import annotations

import threading
import tomllib
from datetime import UTC, date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import Session, col, func, select

import procedures
from portal.models import Dossier, Office
from portal.models.results import ResultDocument
from portal.services import issuing, result_rules, results
from procedures.loader import load_catalogue
from procedures.result_schema import Result
from procedures.schema import Procedure
from tests.support.databases import emptied, module_database

NOW = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)  # 10:00 in Viet Nam
TODAY = "03/12/2026"
AN, LAN, HOA, KHOA = "079095001234", "079302034567", "052196007890", "079093004567"
CHILD_ID = "079326001234"
UBND, POLICE, PROVINCE_POLICE, BHXH = "79.26743", "79.26743.ca", "79.cong-an", "79.bhxh"
OTHER_UBND = "79.26737"
OFFICES = [
    (UBND, "UBND Phường Bến Thành", "ubnd_xa", 26743),
    (OTHER_UBND, "UBND Phường Sài Gòn", "ubnd_xa", 26737),
    (POLICE, "Công an Phường Bến Thành", "cong_an_xa", 26743),
    (PROVINCE_POLICE, "Công an Thành phố Hồ Chí Minh", "cong_an_tinh", None),
    (BHXH, "Bảo hiểm xã hội Thành phố Hồ Chí Minh", "bhxh", None),
]
SIGNER = ("079187090123", "Trương Thị Hạnh")


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with module_database(tmp_path_factory.mktemp("results")) as engine:
        yield engine


@pytest.fixture
def session(engine):
    with Session(emptied(engine)) as session:
        for code, name, kind, ward in OFFICES:
            session.add(Office(code=code, name=name, kind=kind, province_code=79, ward_code=ward))
        session.commit()
        yield session


@pytest.fixture
def keys(tmp_path):
    return tmp_path / "keys"


_serial = iter(range(1, 100_000))


def _dossier(session, procedure: str, office: str, data: dict, applicant: str = AN) -> Dossier:
    dossier = Dossier(
        code=f"{office}-261203-{next(_serial):04d}",
        procedure_code=procedure,
        procedure_version=1,
        applicant_id=applicant,
        draft_key=None,
        status="approved",
        office_code=office,
        submitted_at=NOW,
        data=data,
    )
    session.add(dossier)
    session.flush()
    # Filed and routed: no draft key (the default marks a draft, one per applicant).
    session.execute(update(Dossier).where(col(Dossier.id) == dossier.id).values(draft_key=None))
    session.commit()
    session.refresh(dossier)
    return dossier


def _issue(session, catalogue, keys, dossier, **kwargs) -> ResultDocument:
    doc = issuing.issue_main(
        session,
        dossier,
        catalogue.get(dossier.procedure_code),
        signer_id=SIGNER[0],
        signer_name=SIGNER[1],
        now=kwargs.pop("now", NOW),
        key_folder=keys,
        catalogue=catalogue,
        **kwargs,
    )
    session.commit()
    return doc


def _pages(doc: ResultDocument) -> tuple[list[str], PdfReader]:
    """The text of each page of the document's PDF (whitespace collapsed), and the reader."""
    url = results.verification_url("https://dichvucong.test", doc.verification_code)
    reader = PdfReader(BytesIO(results.result_pdf(doc, url)))
    return [" ".join(page.extract_text().split()) for page in reader.pages], reader


def _text(doc: ResultDocument) -> str:
    return " ".join(_pages(doc)[0])


def _assert_first_page_signed(doc: ResultDocument, title: str) -> None:
    """The signature block (place and date, title, name) and the QR code on page one."""
    pages, reader = _pages(doc)
    first = pages[0]
    for words in (title.upper(), "(Đã ký số)", doc.signer_name, doc.verification_code):
        assert words in first, (words, first)
    assert len(reader.pages[0].images) == 1  # the QR code
    assert all(len(page.images) == 0 for page in reader.pages[1:])


# --- the catalogue's specs ------------------------------------------------------------------

# Written from the law and the national records, not read from the TOML files: the register
# each kind of result is numbered in.
BOOKS = {
    "1.001193": "KS",
    "1.004884": "KS",
    "1.000689": "KS",
    "1.000894": "KH",
    "1.004746": "KH",
    "1.000656": "KT",
    "1.005461": "KT",
    "1.004873": "XNHN",
    "2.000635": "BSTL",
    "2.000815": "SCT-BS",
    "2.000884": "SCT-CK",
    "2.001035": "SCT-HDGD",
    "3.000333": "LLTP",
    "1.004222": "CT08",
    "1.004194": "CT08",
    "1.003197": "CT08",
    "1.014137": "BHYT",
}
TITLES = {
    "1.001193": "Giấy khai sinh",
    "1.004884": "Giấy khai sinh (đăng ký lại)",
    "1.000894": "Giấy chứng nhận kết hôn",
}


def test_every_result_has_content_a_book_and_reads_only_its_own_fields(catalogue):
    for code, proc in catalogue.procedures.items():
        spec = proc.result
        assert spec.sections, code
        assert spec.book, code
        spec.check_fields({f.name for f in proc.fields})  # raises on a missing field
    for code, book in BOOKS.items():
        assert catalogue.get(code).result.book == book, code
    for code, title in TITLES.items():
        assert catalogue.get(code).result.name == title, code
    assert "trích lục" not in catalogue.get("1.001193").result.name.casefold()


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ({"rows": {"A": "fild:x"}}, "expected one of"),
        ({"rows": {"A": "rule:guess:field:x"}}, "unknown rule"),
        ({"rows": {"A": "office:street"}}, "office has"),
        ({"rows": {"A": "issue:page"}}, "issue has"),
        ({"rows": {"A": "field:Not A Name"}}, "not a field"),
        ({"rows": {"A": "field:x || registry:"}}, "expected one of"),
        ({"rows": {"A": "Số {fild:x}"}}, "expected one of"),
        ({"rows": {"A": "field:x"}, "text": "y", "title": "T"}, "either rows or text"),
        ({"text": "y"}, "needs a title"),
        ({"rows": {"A": "field:x"}, "equals": ["1"]}, "equals needs when"),
        ({"rows": {"A": "field:{husband}_full_name"}}, "result.couple"),
        ({"rows": {"A": "judicial:criminal_record.statement"}}, "result.judicial"),
    ],
)
def test_a_malformed_spec_is_refused_naming_the_problem(section, problem):
    with pytest.raises(ValidationError, match=problem):
        Result.model_validate({"name": "X", "kind": "x", "sections": [section]})


def test_a_result_reading_a_field_the_form_lacks_stops_loading():
    path = next(Path(procedures.__file__).parent.glob("catalogue/1.000656-*.toml"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data["result"] = {"name": "X", "kind": "x", "sections": [{"rows": {"A": "field:nope"}}]}
    with pytest.raises(ValidationError, match=r"fields the form does not have: \['nope'\]"):
        Procedure.model_validate(data)


# --- Giấy khai sinh -------------------------------------------------------------------------

BIRTH = {
    "child_full_name": "Trần Bảo Ngọc",
    "child_birth_date": "2026-11-15",
    "child_sex": "Nữ",
    "child_ethnicity": "Kinh",
    "child_birth_place": "Bệnh viện Từ Dũ, Thành phố Hồ Chí Minh",
    "child_hometown": "Xã Tam Quan, tỉnh Gia Lai",
    "birth_notice_number": "CS-79-2026-000123",
    "mother_full_name": "Lê Thị Hoa",
    "mother_personal_id": HOA,
    "mother_birth_date": "1996-05-02",
    "mother_ethnicity": "Kinh",
    "mother_nationality": "Việt Nam",
    "mother_residence": "24 Trần Quang Khải, Phường Tân Định, Thành phố Hồ Chí Minh",
    "father_full_name": "Trần Minh Khoa",
    "father_personal_id": KHOA,
    "father_birth_date": "1993-08-20",
    "applicant_full_name": "Lê Thị Hoa",
    "applicant_personal_id": HOA,
}
ANSWER = {
    "personal_id": CHILD_ID,
    "full_name": "Trần Bảo Ngọc",
    "birth_date": "2026-11-15",
    "permanent_residence": True,
    "residence_address": "24 Trần Quang Khải, Phường Tân Định, Thành phố Hồ Chí Minh",
    "health_insurance": True,
    "health_insurance_number": "TE1790326001234",
}


def test_birth_certificate_states_the_child_id_register_place_date_and_parents(
    session, catalogue, keys
):
    dossier = _dossier(session, "1.001193", UBND, BIRTH, HOA)
    doc = _issue(session, catalogue, keys, dossier, registry_answer=ANSWER)
    assert (doc.number, doc.book, doc.kind) == ("1/2026/KS", "KS", "giay_khai_sinh")
    child = doc.content["Người được đăng ký khai sinh"]
    assert child["Số định danh cá nhân"] == CHILD_ID
    assert child["Ngày, tháng, năm sinh"] == "15/11/2026"
    assert child["Ghi bằng chữ"] == (
        "ngày mười lăm tháng mười một năm hai nghìn không trăm hai mươi sáu"
    )
    assert doc.content["Mẹ"]["Năm sinh"] == "1996"
    text = _text(doc)
    for words in (
        "GIẤY KHAI SINH",
        "Số đăng ký 1/2026/KS",
        "Sổ đăng ký Sổ đăng ký khai sinh năm 2026",
        f"Số định danh cá nhân {CHILD_ID}",
        "Trần Bảo Ngọc",
        "Quê quán Xã Tam Quan, tỉnh Gia Lai",
        "Mẹ Họ, chữ đệm và tên Lê Thị Hoa",
        "Cha Họ, chữ đệm và tên Trần Minh Khoa",
        "Nơi đăng ký khai sinh UBND Phường Bến Thành, Thành phố Hồ Chí Minh",
        f"Ngày, tháng, năm đăng ký {TODAY}",
        "Phường Bến Thành, ngày 03 tháng 12 năm 2026",
    ):
        assert words in text, words
    assert "TRÍCH LỤC" not in text
    _assert_first_page_signed(doc, "Chủ tịch Ủy ban nhân dân Phường Bến Thành")
    assert len(_pages(doc)[0]) == 1  # a Giấy khai sinh fits on one page


def test_the_birth_draft_has_no_number_nor_personal_id_yet(session, catalogue):
    dossier = _dossier(session, "1.001193", UBND, BIRTH, HOA)
    draft = issuing.main_content(catalogue.get("1.001193"), dossier)
    assert draft["Người được đăng ký khai sinh – Họ, chữ đệm và tên"] == "Trần Bảo Ngọc"
    assert "Số đăng ký" not in draft
    assert not any("định danh" in k and v == CHILD_ID for k, v in draft.items())
    assert all(isinstance(v, str) for v in draft.values())  # one level for the pages


def test_re_registered_birth_takes_the_same_register(session, catalogue, keys):
    first = _issue(session, catalogue, keys, _dossier(session, "1.001193", UBND, BIRTH, HOA))
    again = _dossier(
        session,
        "1.004884",
        UBND,
        {
            "applicant_full_name": "Nguyễn Văn An",
            "applicant_personal_id": AN,
            "applicant_birth_date": "1995-01-15",
            "applicant_sex": "Nam",
            "birth_place": "Bệnh viện Hùng Vương",
            "previous_registration_office": "UBND phường 7, quận 3",
        },
    )
    doc = _issue(session, catalogue, keys, again)
    assert (first.number, doc.number) == ("1/2026/KS", "2/2026/KS")
    text = _text(doc)
    assert "GIẤY KHAI SINH (ĐĂNG KÝ LẠI)" in text
    assert f"Số định danh cá nhân {AN}" in text
    assert "đã đăng ký khai sinh trước đây tại UBND phường 7, quận 3" in text


# --- Giấy chứng nhận kết hôn ----------------------------------------------------------------

AN_DATA = {
    "full_name": "Nguyễn Văn An",
    "personal_id": AN,
    "birth_date": "1995-01-15",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "12 Lý Tự Trọng, Phường Bến Thành, Thành phố Hồ Chí Minh",
    "marital_status": "Chưa kết hôn",
}
LAN_DATA = {
    "full_name": "Đỗ Thị Lan",
    "personal_id": LAN,
    "birth_date": "2002-06-09",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "residence": "5 Nguyễn Văn Linh, Xã Bình Chánh, Thành phố Hồ Chí Minh",
    "marital_status": "Chưa kết hôn",
}


def _marriage(first: dict, second: dict) -> dict:
    return {f"applicant_{k}": v for k, v in first.items()} | {
        f"partner_{k}": v for k, v in second.items()
    }


@pytest.mark.parametrize("filed_by", ["husband", "wife"])
def test_marriage_certificate_names_husband_and_wife_never_single(
    session, catalogue, keys, filed_by
):
    data = _marriage(AN_DATA, LAN_DATA) if filed_by == "husband" else _marriage(LAN_DATA, AN_DATA)
    dossier = _dossier(session, "1.000894", UBND, data, AN if filed_by == "husband" else LAN)
    doc = _issue(session, catalogue, keys, dossier)
    assert doc.content["Chồng"]["Họ, chữ đệm và tên"] == "Nguyễn Văn An"
    assert doc.content["Chồng"]["Số định danh cá nhân"] == AN
    assert doc.content["Vợ"]["Họ, chữ đệm và tên"] == "Đỗ Thị Lan"
    assert doc.content["Vợ"]["Ngày, tháng, năm sinh"] == "09/06/2002"
    text = _text(doc)
    for words in (
        "GIẤY CHỨNG NHẬN KẾT HÔN",
        "Chồng Họ, chữ đệm và tên Nguyễn Văn An",
        "Vợ Họ, chữ đệm và tên Đỗ Thị Lan",
        "Nơi cư trú 5 Nguyễn Văn Linh, Xã Bình Chánh",
        "Nơi đăng ký UBND Phường Bến Thành, Thành phố Hồ Chí Minh",
        f"Ngày, tháng, năm đăng ký {TODAY}",
        "Số đăng ký 1/2026/KH",
    ):
        assert words in text, words
    assert "Chưa kết hôn" not in text and "Tình trạng hôn nhân" not in text
    _assert_first_page_signed(doc, "Chủ tịch Ủy ban nhân dân Phường Bến Thành")


@pytest.mark.parametrize(
    ("data", "husband"),
    [
        ({"applicant_personal_id": AN, "partner_personal_id": LAN}, "applicant"),
        ({"applicant_personal_id": LAN, "partner_personal_id": AN}, "partner"),
        ({"applicant_sex": "Nữ", "partner_sex": "Nam"}, "partner"),
        ({"applicant_sex": "Nam", "partner_personal_id": LAN}, "applicant"),
        ({}, "applicant"),  # cannot tell: form order
    ],
)
def test_husband_and_wife_by_the_sex_field_else_the_personal_id(catalogue, data, husband):
    roles = issuing.couple_roles(catalogue.get("1.000894").result, data)
    wife = "partner" if husband == "applicant" else "applicant"
    assert roles == {"husband": husband, "wife": wife}


def test_the_public_page_shows_the_spouses_names_and_masked_ids_only(session, catalogue, keys):
    doc = _issue(
        session, catalogue, keys, _dossier(session, "1.000894", UBND, _marriage(AN_DATA, LAN_DATA))
    )
    public = dict(results.content_rows(doc, public=True))
    assert public == {
        "Chồng – Họ, chữ đệm và tên": "Nguyễn Văn An",
        "Chồng – Số định danh cá nhân": "079*******34",
        "Vợ – Họ, chữ đệm và tên": "Đỗ Thị Lan",
        "Vợ – Số định danh cá nhân": "079*******67",
    }
    assert "_signature" not in dict(results.content_rows(doc))


def test_a_nested_content_is_signed_whole(session, catalogue, keys):
    doc = _issue(
        session, catalogue, keys, _dossier(session, "1.000894", UBND, _marriage(AN_DATA, LAN_DATA))
    )
    assert results.verify(doc, keys)
    doc.content = {**doc.content, "Vợ": {**doc.content["Vợ"], "Họ, chữ đệm và tên": "Đỗ Thị Lân"}}
    assert not results.verify(doc, keys)
    doc.content = {**doc.content, "_signature": {"title": "Người khác", "place": "Hà Nội"}}
    assert not results.verify(doc, keys)


# --- trích lục khai tử, XNTTHN, bản sao trích lục ------------------------------------------------


def test_death_extract_states_the_deceased_the_death_and_the_declarant(session, catalogue, keys):
    data = {
        "applicant_full_name": "Huỳnh Thị Ngọc Hân",
        "applicant_personal_id": "079178055642",
        "relation_to_deceased": "Con",
        "deceased_personal_id": "079049003311",
        "deceased_full_name": "Huỳnh Văn Sáu",
        "deceased_birth_date": "1949-05-10",
        "deceased_sex": "Nam",
        "deceased_residence": "64 Nguyễn An Ninh, Phường Bến Thành, Thành phố Hồ Chí Minh",
        "death_date": "2026-11-26",
        "death_place": "Bệnh viện Chợ Rẫy",
        "death_cause": "Suy tim",
    }
    doc = _issue(session, catalogue, keys, _dossier(session, "1.000656", UBND, data))
    assert doc.number == "1/2026/KT"
    text = _text(doc)
    for words in (
        "TRÍCH LỤC KHAI TỬ",
        "Người đã chết Họ, chữ đệm và tên Huỳnh Văn Sáu",
        "Đã chết vào ngày 26/11/2026",
        "Nơi chết Bệnh viện Chợ Rẫy",
        "Người đi khai tử Họ, chữ đệm và tên Huỳnh Thị Ngọc Hân",
        "Quan hệ với người đã chết Con",
        "Sổ đăng ký Sổ đăng ký khai tử năm 2026",
        "Nơi đăng ký khai tử UBND Phường Bến Thành",
    ):
        assert words in text, words
    assert "Giờ, phút chết" not in text and "Giấy báo tử số" not in text  # none in the dossier


def test_death_extract_states_the_time_and_the_death_notice(session, catalogue, keys):
    data = {
        "applicant_full_name": "Huỳnh Thị Ngọc Hân",
        "applicant_personal_id": "079178055642",
        "relation_to_deceased": "Con",
        "deceased_personal_id": "079049003311",
        "deceased_full_name": "Huỳnh Văn Sáu",
        "death_date": "2026-11-26",
        "death_time": "22:15",
        "death_place": "Bệnh viện Chợ Rẫy",
        "death_notice_number": "GBT-79-2026-000871",
        "death_notice_issuer": "Bệnh viện Chợ Rẫy",
        "death_notice_issued_on": "2026-11-27",
    }
    doc = _issue(session, catalogue, keys, _dossier(session, "1.000656", UBND, data))
    text = _text(doc)
    for words in (
        "Đã chết vào ngày 26/11/2026",
        "Giờ, phút chết 22:15",
        "Giấy báo tử số GBT-79-2026-000871",
        "Nơi cấp giấy báo tử Bệnh viện Chợ Rẫy",
        "Ngày cấp giấy báo tử 27/11/2026",
    ):
        assert words in text, words


MARITAL = {
    "applicant_full_name": "Đỗ Thị Lan",
    "applicant_personal_id": LAN,
    "applicant_birth_date": "2002-06-09",
    "applicant_sex": "Nữ",
    "applicant_residence": "5 Nguyễn Văn Linh, Xã Bình Chánh, Thành phố Hồ Chí Minh",
    "marital_status": "Chưa kết hôn",
    "intended_spouse_full_name": "Kenji Sato",
    "intended_spouse_birth_date": "1994-02-01",
    "intended_spouse_nationality": "Nhật Bản",
    "intended_spouse_id_paper": "Hộ chiếu TR1234567",
    "marriage_registration_place": "Sở Tư pháp Thành phố Hồ Chí Minh",
}


def test_marital_status_for_marriage_names_the_intended_spouse_and_place(session, catalogue, keys):
    data = {**MARITAL, "purpose": "Đăng ký kết hôn"}
    doc = _issue(session, catalogue, keys, _dossier(session, "1.004873", UBND, data, LAN))
    assert doc.content["Mục đích sử dụng giấy xác nhận"] == "Đăng ký kết hôn"  # reuse reads it
    text = _text(doc)
    for words in (
        "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN",
        "Tình trạng hôn nhân Chưa kết hôn",
        "Giấy này được cấp để làm thủ tục đăng ký kết hôn với",
        "Họ, chữ đệm và tên Kenji Sato",
        "Quốc tịch Nhật Bản",
        "Nơi đăng ký kết hôn Sở Tư pháp Thành phố Hồ Chí Minh",
        f"Có giá trị 06 tháng kể từ ngày cấp ({TODAY})",
        "1/2026/XNHN",
    ):
        assert words in text, words


def test_marital_status_for_another_purpose_names_no_spouse(session, catalogue, keys):
    data = {**MARITAL, "purpose": "Vay vốn ngân hàng"}
    doc = _issue(session, catalogue, keys, _dossier(session, "1.004873", UBND, data, LAN))
    text = _text(doc)
    assert "Mục đích sử dụng giấy xác nhận Vay vốn ngân hàng" in text
    assert "Kenji Sato" not in text and "đăng ký kết hôn với" not in text


def test_civil_status_copy_states_the_record_and_the_database(session, catalogue, keys):
    data = {
        "applicant_full_name": "Lý Văn Tư",
        "applicant_personal_id": "079080078901",
        "record_type": "Trích lục kết hôn",
        "copies": "2",
    }
    doc = _issue(session, catalogue, keys, _dossier(session, "2.000635", UBND, data))
    assert doc.content["Số bản sao"] == "2"
    text = _text(doc)
    assert "Loại trích lục Trích lục kết hôn" in text
    assert "được cấp từ Cơ sở dữ liệu hộ tịch điện tử, số 1/2026/BSTL" in text


# --- chứng thực: the lời chứng ---------------------------------------------------------------

SIGNED_PERSON = {
    "applicant_full_name": "Bùi Thị Nga",
    "applicant_personal_id": "079165067890",
    "applicant_residence": "9 Lê Lai, Phường Bến Thành, Thành phố Hồ Chí Minh",
}
CERTIFIER = "Trương Thị Hạnh, Chủ tịch Ủy ban nhân dân Phường Bến Thành"


@pytest.mark.parametrize(
    ("code", "data", "words"),
    [
        (
            "2.000815",
            {"document_name": "Bằng tốt nghiệp đại học", "page_count": "1", "copies": "2"},
            [
                "Chứng thực bản sao đúng với bản chính. Số chứng thực: 1/2026/SCT-BS",
                "Sổ chứng thực bản sao từ bản chính năm 2026",
                "Tên giấy tờ Bằng tốt nghiệp đại học",
            ],
        ),
        (
            "2.000884",
            {"document_name": "Giấy ủy quyền", "document_count": "1"},
            [
                f"Ngày {TODAY} (ngày ba tháng mười hai năm hai nghìn không trăm hai mươi sáu)",
                f"Tôi, {CERTIFIER}, chứng thực: ông/bà Bùi Thị Nga",
                "đã ký vào Giấy ủy quyền này trước mặt tôi. Số chứng thực: 1/2026/SCT-CK",
            ],
        ),
        (
            "2.001035",
            {
                "transaction_kind": "Mua bán, tặng cho động sản",
                "asset_kind": "Động sản",
                "asset_description": "Xe máy Honda biển số 59-X1 123.45",
                "other_parties": "Nguyễn Văn An, 079095001234",
                "contract_pages": "3",
                "copies": "2",
            },
            [
                f"Tôi, {CERTIFIER}, chứng thực: Mua bán, tặng cho động sản được giao kết giữa "
                "ông/bà Bùi Thị Nga (số định danh cá nhân 079165067890) và Nguyễn Văn An",
                "đã ký vào hợp đồng, giao dịch trước mặt tôi",
                "gồm 3 trang. Số chứng thực: 1/2026/SCT-HDGD",
            ],
        ),
    ],
    ids=["ban-sao", "chu-ky", "hop-dong"],
)
def test_certification_carries_its_statement(session, catalogue, keys, code, data, words):
    doc = _issue(session, catalogue, keys, _dossier(session, code, UBND, SIGNED_PERSON | data))
    text = _text(doc)
    assert "Lời chứng" in text
    for part in words:
        assert part in text, part
    _assert_first_page_signed(doc, "Chủ tịch Ủy ban nhân dân Phường Bến Thành")


# --- Phiếu lý lịch tư pháp -----------------------------------------------------------------

VINH = "079079082468"
LLTP = {
    "applicant_full_name": "Trịnh Quang Vinh",
    "applicant_personal_id": VINH,
    "applicant_birth_date": "1979-03-21",
    "applicant_sex": "Nam",
    "birth_place": "Thành phố Hồ Chí Minh",
    "applicant_residence": "118 Trần Quang Khải, Phường Sài Gòn, Thành phố Hồ Chí Minh",
    "purpose": "Bổ sung hồ sơ xin việc",
    "copies": "1",
}
PERSON = {
    "full_name": "Trịnh Quang Vinh",
    "sex": "Nam",
    "birth_date": "1979-03-21",
    "nationality": "Việt Nam",
    "residence": "118 Trần Quang Khải, Phường Sài Gòn, Thành phố Hồ Chí Minh",
}
CONVICTION = {
    "offence": "Tội trốn thuế",
    "main_penalty": "Phạt tiền 300.000.000 đồng",
    "additional_penalty": "Cấm đảm nhiệm chức vụ quản lý doanh nghiệp trong thời hạn 02 năm",
}
CONVICTION_2 = CONVICTION | {
    "court": "Tòa án nhân dân Quận 1, Thành phố Hồ Chí Minh",
    "judgment_number": "45/2025/HS-ST",
    "judgment_date": "2025-03-14",
    "articles": "Điều 200 Bộ luật Hình sự",
    "civil_obligations": "Nộp lại 412.000.000 đồng",
    "court_fee": "200.000 đồng",
    "enforcement_status": "Đã nộp xong tiền phạt",
    "expunged": False,
    "expunged_on": None,
    "status": "Chưa được xóa án tích",
}
BANS = {
    "banned": True,
    "statement": "Bị cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã",
    "entries": [
        {
            "court": "Tòa án nhân dân Thành phố Hồ Chí Minh",
            "decision_number": "03/2024/QĐ-TBPS",
            "decision_date": "2024-09-20",
            "enterprise": "Công ty TNHH Quang Vinh",
            "statement": "Cấm đảm nhiệm chức vụ Giám đốc; không được thành lập, quản lý doanh "
            "nghiệp, hợp tác xã đến hết ngày 19/09/2027",
        }
    ],
}


def _statement(form: int, convictions: list, bans: dict | None, **person) -> dict:
    record = {
        "has_record": bool(convictions),
        "statement": "Có án tích" if convictions else "Không có án tích",
        "convictions": convictions,
    }
    return {
        "personal_id": VINH,
        "form": form,
        "as_of": "2026-12-03",
        "source": "CSDL lý lịch tư pháp (Bộ Công an)",
        "person": PERSON | person,
        "criminal_record": record,
        "bans": bans,
    }


class Judicial:
    """A judicial-record database that answers `statement` and notes what it was asked."""

    def __init__(self, statement: dict | None = None, error: Exception | None = None):
        self.statement, self.error = statement, error
        self.asked: list[tuple[str, int, bool]] = []

    def __call__(self, personal_id: str, form: int, bans: bool) -> dict:
        self.asked.append((personal_id, form, bans))
        if self.error is not None:
            raise self.error
        return self.statement or {}


def _lltp(session, catalogue, keys, data: dict, judicial: Judicial) -> list[ResultDocument]:
    dossier = _dossier(session, "3.000333", PROVINCE_POLICE, LLTP | data, VINH)
    _issue(session, catalogue, keys, dossier, sources=issuing.Sources(judicial))
    assert dossier.id is not None
    return results.of_dossier(session, dossier.id)


def test_criminal_record_form_1_without_record(session, catalogue, keys):
    judicial = Judicial(_statement(1, [], None))
    [doc] = _lltp(session, catalogue, keys, {"request_type": "Phiếu số 1"}, judicial)
    assert judicial.asked == [(VINH, 1, False)]
    text = _text(doc)
    for words in (
        "PHIẾU LÝ LỊCH TƯ PHÁP",
        "Loại phiếu Phiếu lý lịch tư pháp số 1",
        "Họ, chữ đệm và tên Trịnh Quang Vinh",
        "Nơi sinh Thành phố Hồ Chí Minh",
        "Tình trạng án tích Tình trạng án tích Không có án tích",
        "Mục đích sử dụng phiếu Bổ sung hồ sơ xin việc",
        "Thông tin được xác định đến ngày 03/12/2026",
        "1/2026/LLTP",
    ):
        assert words in text, words
    assert "Thông tin về gia đình" not in text  # a phiếu 1 does not name the family
    assert "cấm đảm nhiệm" not in text  # bans only when asked
    _assert_first_page_signed(doc, "Giám đốc Công an Thành phố Hồ Chí Minh")
    assert doc.office_name == "Công an Thành phố Hồ Chí Minh"


def test_criminal_record_form_1_with_record_and_the_bans_asked(session, catalogue, keys):
    judicial = Judicial(_statement(1, [CONVICTION], BANS))
    data = {"request_type": "Phiếu số 1", "ban_confirmation": "1"}
    [doc] = _lltp(session, catalogue, keys, data, judicial)
    assert judicial.asked == [(VINH, 1, True)]
    record = doc.content["Tình trạng án tích"]
    assert record["Tình trạng án tích"] == "Có án tích"
    assert record["Án tích thứ 1"] == (
        "Tội danh: Tội trốn thuế; Hình phạt chính: Phạt tiền 300.000.000 đồng; Hình phạt "
        "bổ sung: Cấm đảm nhiệm chức vụ quản lý doanh nghiệp trong thời hạn 02 năm"
    )
    text = _text(doc)
    assert "Thông tin về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp" in text
    assert "Quyết định số 03/2024/QĐ-TBPS ngày 20/09/2024" in text
    assert "đến hết ngày 19/09/2027" in text


def test_criminal_record_form_2_names_the_family_and_every_judgment(session, catalogue, keys):
    statement = _statement(2, [CONVICTION_2], BANS, father="Trịnh Văn Quang", mother="Lê Thị Mơ")
    judicial = Judicial(statement)
    [doc] = _lltp(session, catalogue, keys, {"request_type": "Phiếu số 2"}, judicial)
    assert judicial.asked == [(VINH, 2, True)]  # a phiếu 2 always states the bans
    text = _text(doc)
    for words in (
        "Loại phiếu Phiếu lý lịch tư pháp số 2",
        "Thông tin về gia đình",
        "Họ, chữ đệm và tên cha Trịnh Văn Quang",
        "Bản án số 45/2025/HS-ST ngày 14/03/2025 của Tòa án nhân dân Quận 1",
        "Điều khoản áp dụng: Điều 200 Bộ luật Hình sự",
        "Tình trạng thi hành án: Đã nộp xong tiền phạt; Chưa được xóa án tích",
        "Bị cấm đảm nhiệm chức vụ",
    ):
        assert words in text, words


def test_one_criminal_record_per_copy_each_with_its_number(session, catalogue, keys):
    judicial = Judicial(_statement(1, [], None))
    docs = _lltp(session, catalogue, keys, {"request_type": "Phiếu số 1", "copies": "3"}, judicial)
    assert [d.number for d in docs] == ["1/2026/LLTP", "2/2026/LLTP", "3/2026/LLTP"]
    assert len({d.verification_code for d in docs}) == 3
    assert len(judicial.asked) == 1  # one reading for all the copies
    statement = docs[0].content["Tình trạng án tích"]
    assert all(d.content["Tình trạng án tích"] == statement for d in docs)


@pytest.mark.parametrize(
    "sources",
    [None, issuing.Sources(), issuing.Sources(Judicial(error=ConnectionError("timeout")))],
    ids=["no-sources", "no-reader", "database-down"],
)
def test_no_criminal_record_is_issued_without_the_database(session, catalogue, keys, sources):
    dossier = _dossier(session, "3.000333", PROVINCE_POLICE, LLTP | {"request_type": "Phiếu số 1"})
    with pytest.raises(issuing.ResultUnavailable, match="CSDL lý lịch tư pháp"):
        _issue(session, catalogue, keys, dossier, sources=sources)
    session.rollback()
    assert dossier.id is not None
    assert results.of_dossier(session, dossier.id) == []


def test_a_long_record_keeps_signature_and_qr_on_the_first_page(session, catalogue, keys):
    many = [CONVICTION_2 | {"judgment_number": f"{n}/2020/HS-ST"} for n in range(1, 15)]
    judicial = Judicial(_statement(2, many, BANS))
    [doc] = _lltp(session, catalogue, keys, {"request_type": "Phiếu số 2"}, judicial)
    pages, reader = _pages(doc)
    assert len(pages) >= 2
    assert "nội dung tiếp theo ở trang sau" in pages[0]
    assert "Án tích thứ 14" in " ".join(pages[1:])
    assert f"Trang 1/{len(pages)}" in pages[0]
    _assert_first_page_signed(doc, "Giám đốc Công an Thành phố Hồ Chí Minh")


# --- residence notices (CT08) and the BHYT card --------------------------------------------------


def test_permanent_residence_notice_is_signed_by_the_commune_police(session, catalogue, keys):
    data = {
        "applicant_full_name": "Nguyễn Văn An",
        "applicant_personal_id": AN,
        "applicant_birth_date": "1995-01-15",
        "new_street": "12 Lê Lợi",
        "new_ward_code": "26743",
        "relation_to_head": "Là chủ hộ",
    }
    doc = _issue(session, catalogue, keys, _dossier(session, "1.004222", POLICE, data))
    assert doc.number == "1/2026/CT08"
    text = _text(doc)
    for words in (
        "CÔNG AN PHƯỜNG BẾN THÀNH",
        "Thủ tục Đăng ký thường trú",
        "Nơi đăng ký thường trú 12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh",
        f"Đã đăng ký thường trú; thông tin được cập nhật vào Cơ sở dữ liệu về cư trú ngày {TODAY}",
    ):
        assert words in text, words
    _assert_first_page_signed(doc, "Trưởng Công an Phường Bến Thành")
    assert "Chủ tịch" not in text


def test_every_residence_notice_of_a_commune_police_shares_the_ct08_book(session, catalogue, keys):
    removal = {
        "applicant_full_name": "Huỳnh Thị Ngọc Hân",
        "applicant_personal_id": "079178055642",
        "removed_full_name": "Huỳnh Văn Sáu",
        "removed_personal_id": "079049003311",
        "reason": "Đã chết, bị Tòa án tuyên bố mất tích hoặc đã chết",
        "event_date": "2026-11-26",
    }
    stay = {"applicant_full_name": "Nguyễn Văn An", "temp_street": "45 Nguyễn Trãi",
            "temp_ward_code": "26743", "duration_months": "12"}  # fmt: skip
    first = _issue(session, catalogue, keys, _dossier(session, "1.003197", POLICE, removal))
    second = _issue(session, catalogue, keys, _dossier(session, "1.004194", POLICE, stay))
    assert (first.number, second.number) == ("1/2026/CT08", "2/2026/CT08")
    text = _text(first)
    assert "Người bị xóa đăng ký thường trú Huỳnh Văn Sáu" in text
    assert "Ngày phát sinh sự việc 26/11/2026" in text
    assert "Thời hạn tạm trú 12 tháng kể từ ngày 03/12/2026" in _text(second)


def test_child_health_insurance_card_is_signed_by_bhxh(session, catalogue, keys):
    data = {
        "applicant_full_name": "Lê Thị Hoa",
        "applicant_personal_id": HOA,
        "child_personal_id": CHILD_ID,
        "child_full_name": "Trần Bảo Ngọc",
        "child_birth_date": "2026-11-15",
        "child_sex": "Nữ",
        "primary_care_facility": "Trạm Y tế Phường Bến Thành",
    }
    doc = _issue(session, catalogue, keys, _dossier(session, "1.014137", BHXH, data, HOA))
    assert doc.number == "1/2026/BHYT"
    card = doc.content
    assert card["Mã số thẻ"] == "TE179" + CHILD_ID[-10:]
    assert card["Giá trị sử dụng từ ngày"] == "15/11/2026"
    assert card["Giá trị sử dụng đến ngày"] == "15/11/2032"  # 72 months, after school opened
    text = _text(doc)
    assert "Nơi đăng ký khám bệnh, chữa bệnh ban đầu Trạm Y tế Phường Bến Thành" in text
    _assert_first_page_signed(doc, "Giám đốc Bảo hiểm xã hội Thành phố Hồ Chí Minh")


# --- numbering ------------------------------------------------------------------------------------


def test_each_book_of_an_office_has_its_own_counter(session, catalogue, keys):
    def issue(code, data, office=UBND, now=NOW):
        return _issue(session, catalogue, keys, _dossier(session, code, office, data), now=now)

    marriage = _marriage(AN_DATA, LAN_DATA)
    numbers = [
        issue("1.001193", BIRTH).number,
        issue("1.000894", marriage).number,
        issue("1.001193", BIRTH).number,
        issue("1.000894", marriage).number,
        issue("1.001193", BIRTH, OTHER_UBND).number,
        issue("1.001193", BIRTH, now=datetime(2026, 12, 31, 18, 0, tzinfo=UTC)).number,
    ]
    assert numbers == [
        "1/2026/KS", "1/2026/KH", "2/2026/KS", "2/2026/KH", "1/2026/KS", "1/2027/KS",
    ]  # fmt: skip
    books = session.exec(select(ResultDocument.book).order_by(col(ResultDocument.id))).all()
    assert books == ["KS", "KH", "KS", "KH", "KS", "KS"]


def test_concurrent_issues_in_one_book_get_distinct_numbers(engine, session, catalogue, keys):
    proc = catalogue.get("1.001193")
    ids = [_dossier(session, "1.001193", UBND, BIRTH, HOA).id for _ in range(6)]
    start = threading.Barrier(len(ids))
    numbers, errors = [], []

    def sign(dossier_id: int) -> None:
        try:
            with Session(engine) as own:
                dossier = own.get(Dossier, dossier_id)
                assert dossier is not None
                start.wait(timeout=10)
                doc = issuing.issue_main(
                    own, dossier, proc, signer_id=SIGNER[0], signer_name=SIGNER[1],
                    now=NOW, key_folder=keys,
                )  # fmt: skip
                own.commit()
                numbers.append(doc.number)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert sorted(numbers, key=lambda n: int(n.split("/")[0])) == [
        f"{n}/2026/KS" for n in range(1, 7)
    ]
    session.expire_all()
    assert session.exec(select(func.count()).select_from(ResultDocument)).one() == 6


# --- the named rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "until"),
    [
        (date(2020, 11, 15), date(2026, 11, 15)),  # 72 months after the school year opened
        (date(2020, 3, 10), date(2026, 9, 30)),  # 6 before the school year: to 30/09
        (date(2020, 1, 1), date(2026, 9, 30)),
        (date(2020, 9, 4), date(2026, 9, 30)),  # the day before the opening
        (date(2020, 9, 5), date(2026, 9, 5)),  # on the opening day: at school already
        (date(2020, 9, 30), date(2026, 9, 30)),
        (date(2020, 10, 1), date(2026, 10, 1)),
        (date(2020, 2, 29), date(2026, 9, 30)),  # 72 months end on 28/02/2026
        (date(2021, 12, 31), date(2027, 12, 31)),
        (date(2026, 11, 15), date(2032, 11, 15)),
    ],
)
def test_child_card_validity(birth, until):
    assert result_rules.card_valid_until(birth) == until
    assert result_rules.bhyt_valid_until(birth.isoformat()) == until.strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 2, 29), 72, date(2026, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 11, 15), 72, date(2032, 11, 15)),
    ],
)
def test_months_end_on_the_same_day_or_the_last_of_the_month(day, months, expected):
    assert result_rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (31, "ba mươi mốt"),
        (105, "một trăm linh năm"),
        (1995, "một nghìn chín trăm chín mươi lăm"),
        (2005, "hai nghìn không trăm linh năm"),
        (2010, "hai nghìn không trăm mười"),
        (2026, "hai nghìn không trăm hai mươi sáu"),
        (2100, "hai nghìn một trăm"),
    ],
)
def test_numbers_in_words(number, words):
    assert result_rules.number_in_words(number) == words


def test_dates_in_words_and_other_rules():
    assert result_rules.date_in_words("2026-04-01") == (
        "ngày một tháng tư năm hai nghìn không trăm hai mươi sáu"
    )
    assert result_rules.date_in_words("21/12/1995") == (
        "ngày hai mươi mốt tháng mười hai năm một nghìn chín trăm chín mươi lăm"
    )
    assert result_rules.date_in_words("không phải ngày") is None
    assert result_rules.year("1996-05-02") == "1996"
    assert result_rules.sex_of_id(AN) == "Nam" and result_rules.sex_of_id(LAN) == "Nữ"
    assert result_rules.ward_name("26743") == "Phường Bến Thành, Thành phố Hồ Chí Minh"
    assert result_rules.ward_name("Phường Sài Gòn") == "Phường Sài Gòn"
    assert result_rules.card_number(CHILD_ID, 79) == "TE1799326001234"


def test_the_schema_and_the_portal_know_the_same_rules():
    from procedures.result_schema import RULES

    assert set(RULES) == set(result_rules.RULES)
