"""Rules of filing without a web server: typed-value cleaning, prefill paths, the locked
hash, tamper detection and upload checks, table by table."""

from __future__ import annotations

import io

import pytest

from portal.services import uploads
from portal.services.filing import clean_value
from portal.services.prefill import Sources, locked_hash, resolve, tampered_fields
from procedures.schema import FormField

NUMBER = "Số bản phải là số nguyên từ 1 đến 1000."
DATE = "Số bản phải là ngày hợp lệ, ví dụ 25/12/2026."
CHOOSE = "Vui lòng chọn số bản trong danh sách."


def _field(**kw) -> FormField:
    return FormField(name="x", label="Số bản", **kw)


@pytest.mark.parametrize(
    ("field", "raw", "value", "error"),
    [
        (_field(), "  Hà Nội  ", "Hà Nội", None),
        (_field(), "", "", "Vui lòng nhập số bản."),
        (_field(required=False), "", "", None),
        (_field(max_length=3), "abcd", "abcd", "Số bản dài quá 3 ký tự."),
        (_field(type="date"), "11/02/2020", "2020-02-11", None),
        (_field(type="date"), "2020-02-11", "2020-02-11", None),
        (_field(type="date"), "31/02/2020", "31/02/2020", DATE),
        (_field(type="number"), "2", "2", None),
        (_field(type="number"), "0", "0", NUMBER),
        (_field(type="number"), "２", "2", None),
        (_field(type="number"), "007", "7", None),
        (_field(type="number"), "1_000", "1_000", NUMBER),
        (_field(type="number", max_value=10), "10", "10", None),
        (_field(type="number", max_value=10), "11", "11", "Số bản phải là số nguyên từ 1 đến 10."),
        (_field(type="number"), "-1", "-1", NUMBER),
        (_field(type="select", options=["A", "B"]), "C", "C", CHOOSE),
        (_field(type="select", options=["A", "B"]), "B", "B", None),
        (_field(type="checkbox"), "on", "có", None),
        (_field(type="checkbox"), "", "", None),
        (_field(type="personal_id"), "07909500123", "07909500123",
         "Số định danh cá nhân phải gồm đúng 12 chữ số."),
        (_field(type="personal_id"), "079095001234", "079095001234", None),
    ],
)  # fmt: skip
def test_clean_value(field, raw, value, error):
    assert clean_value(field, raw) == (value, error)


def _item(value):
    return {"value": value, "source": "CSDLQG về dân cư", "updated_at": "2026-11-01T08:00:00"}


APPLICANT = {
    "full_name": _item("Lê Thị Hoa"),
    "birth_date": _item("1996-03-08"),
    "permanent_residence": _item({"full": "42 Hai Bà Trưng, Phường Sài Gòn"}),
    "father": _item({"full_name": "Lê Văn Ba", "birth_date": None}),
    "temporary_residence": None,
    "meritorious_family": _item(True),
}
NOTICE = {"number": "GCS-1", "sex": "nu", "birth_date": "2026-11-15"}
DEATH = {
    "number": "GBT-79-2026-000871",
    "died_on": "2026-11-26",
    "place_of_death": "Bệnh viện Chợ Rẫy",
    "deceased": {"personal_id": "079049003311", "full_name": "Huỳnh Văn Sáu"},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("applicant.full_name", "Lê Thị Hoa"),
        ("applicant.birth_date", "08/03/1996"),
        ("applicant.permanent_residence.full", "42 Hai Bà Trưng, Phường Sài Gòn"),
        ("applicant.father.full_name", "Lê Văn Ba"),
        ("applicant.father.birth_date", ""),
        ("applicant.temporary_residence.full", ""),
        ("applicant.meritorious_family", "Có"),
        ("applicant.unknown_key", ""),
        ("birth_notice.sex", "Nữ"),
        ("birth_notice.birth_date", "15/11/2026"),
        ("death_notice.number", "GBT-79-2026-000871"),
        ("death_notice.died_on", "26/11/2026"),
        ("death_notice.deceased.personal_id", "079049003311"),
        ("death_notice.deceased.full_name", "Huỳnh Văn Sáu"),
        ("partner.full_name", ""),
        ("mother.full_name", ""),
    ],
)
def test_resolve(path, expected):
    assert resolve(path, Sources(APPLICANT, birth_notice=NOTICE, death_notice=DEATH)) == expected


def test_locked_hash_depends_on_every_value_and_the_secret():
    values = {"a": "Lê Thị Hoa", "b": "08/03/1996"}
    same = locked_hash(dict(reversed(list(values.items()))), "s")
    assert locked_hash(values, "s") == same
    assert locked_hash({**values, "b": "09/03/1996"}, "s") != same
    assert locked_hash(values, "other") != same


@pytest.mark.parametrize(
    ("posted", "tampered"),
    [
        ({}, []),
        ({"name": "Lê Thị Hoa"}, []),
        ({"name": "Lê Thị Hòa"}, ["name"]),
        ({"name": "Lê Thị Hoa", "id": "1"}, ["id"]),
        ({"other": "x"}, []),
    ],
)
def test_tampered_fields(posted, tampered):
    assert tampered_fields(posted, {"name": "Lê Thị Hoa", "id": "079"}) == tampered


PDF = b"%PDF-1.7\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 10
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("giay-to.pdf", PDF, "application/pdf"),
        ("GIAY-TO.PDF", PDF, "application/pdf"),
        ("anh.jpg", JPEG, "image/jpeg"),
        ("anh.jpeg", JPEG, "image/jpeg"),
        ("anh.png", PNG, "image/png"),
        ("C:\\Users\\an\\hợp đồng.pdf", PDF, "application/pdf"),
        ("a.pdf", PDF + b"x" * (uploads.MAX_BYTES - len(PDF)), "application/pdf"),  # exactly 5 MB
    ],
)
def test_accepted_uploads(name, data, content_type):
    checked = uploads.check(name, io.BytesIO(data))
    assert checked.content_type == content_type and "\\" not in checked.name


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("a.pdf", b"", "Tệp trống"),
        ("a.pdf", PDF + b"x" * uploads.MAX_BYTES, "lớn hơn 5 MB"),
        ("a.exe", b"MZ\x90\x00", "không đúng định dạng"),
        ("a.pdf", b"MZ\x90\x00", "không đúng định dạng"),
        ("a.png", JPEG, "không đúng định dạng"),
        ("a", PDF, "không đúng định dạng"),
        ("a.html", b"<html><script>", "không đúng định dạng"),
    ],
)
def test_refused_uploads(name, data, message):
    with pytest.raises(uploads.UploadError, match=message):
        uploads.check(name, io.BytesIO(data))


@pytest.mark.parametrize(("size", "label"), [(1, "1 KB"), (34_000, "33 KB"), (1_300_000, "1,2 MB")])
def test_size_label(size, label):
    assert uploads.size_label(size) == label
