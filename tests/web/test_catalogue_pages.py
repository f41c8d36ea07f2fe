"""Public catalogue pages: search without diacritics, filters, a procedure's page."""

import pytest

from tests.support.html import get_page


@pytest.fixture
def client(portal_client):
    return portal_client


def test_catalogue_lists_every_procedure(client, portal_app):
    html = get_page(client, "/thu-tuc").get_data(as_text=True)
    count = len(portal_app.extensions["catalogue"].procedures)
    assert f"Tìm thấy {count} thủ tục" in html


@pytest.mark.parametrize("query", ["dang ky ket hon", "Đăng ký kết hôn", "KET HON"])
def test_search_without_diacritics(client, query):
    html = get_page(client, f"/thu-tuc?q={query}").get_data(as_text=True)
    assert "Đăng ký kết hôn" in html
    assert "Đăng ký khai tử" not in html


def test_search_keeps_the_query_in_the_box(client):
    html = get_page(client, "/thu-tuc?q=khai+sinh").get_data(as_text=True)
    assert 'value="khai sinh"' in html


def test_nothing_found_says_so(client):
    html = get_page(client, "/thu-tuc?q=xyzxyz").get_data(as_text=True)
    assert "Tìm thấy 0 thủ tục" in html


def test_filter_by_level(client):
    html = get_page(client, "/thu-tuc?cap=province").get_data(as_text=True)
    assert "Cấp tỉnh" in html and "Đăng ký kết hôn" not in html


@pytest.mark.parametrize("query", ["?cap=district", "?linh-vuc=<script>", "?q=" + "a" * 500])
def test_odd_filters_are_ignored_not_errors(client, query):
    get_page(client, "/thu-tuc" + query)


def test_procedure_page_has_the_public_sections(client):
    html = get_page(client, "/thu-tuc/1.001193").get_data(as_text=True)
    for words in (
        "Đăng ký khai sinh",
        "Lĩnh vực",
        "Cấp thực hiện",
        "Cơ quan thực hiện",
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Thành phần hồ sơ",
        "Căn cứ pháp lý",
        "Giấy khai sinh",  # the result (not a trích lục)
        "không cần nộp",  # papers the state already holds
        "Luật Hộ tịch",
    ):
        assert words in html, words


def test_province_procedure_shows_its_body_and_fees(client, portal_app):
    catalogue = portal_app.extensions["catalogue"]
    proc = next(p for p in catalogue.procedures.values() if p.level == "province" and p.fees.base)
    html = get_page(client, f"/thu-tuc/{proc.code}").get_data(as_text=True)
    assert catalogue.authority(proc).name in html
    assert "đồng" in html


def test_unknown_procedure_is_a_vietnamese_404(client):
    html = get_page(client, "/thu-tuc/9.999999", 404).get_data(as_text=True)
    assert "Không tìm thấy trang" in html


# What the data says to the team, never to citizens: the uncertainty of a figure lives in the
# files' comments, `confidence` and `internal_note` (REFERENCE-VN.md markers included).
INTERNAL_WORDING = (
    "chưa kiểm chứng", "chưa được kiểm chứng", "kiểm chứng với", "mức tham khảo",
    "mức đang dùng", "unverified", "secondary", "internal", "[?]", "[2nd]", "[law]",
    "[portal-2026]",
)  # fmt: skip
NOT_SHOWN = {"internal_note", "confidence"}


def _shown_strings(value, path: str = ""):
    """Every string of a procedure's data a page may show, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in NOT_SHOWN:
                yield from _shown_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for n, item in enumerate(value):
            yield from _shown_strings(item, f"{path}[{n}]")
    elif isinstance(value, str):
        yield path, value


def _internal(text: str) -> list[str]:
    folded = text.casefold()
    return [w for w in INTERNAL_WORDING if w.casefold() in folded]


def test_no_procedure_page_shows_internal_notes(client, portal_app):
    for code in sorted(portal_app.extensions["catalogue"].procedures):
        html = get_page(client, f"/thu-tuc/{code}").get_data(as_text=True)
        assert _internal(html) == [], code


def test_no_shown_text_of_a_procedure_carries_internal_notes(portal_app):
    """Notes, hints, labels, options, steps, conditions, names and result rows of every file
    (the filing pages show what the procedure page does not)."""
    found = {
        (code, where): _internal(text)
        for code, proc in portal_app.extensions["catalogue"].procedures.items()
        for where, text in _shown_strings(proc.model_dump(mode="json"))
        if _internal(text)
    }
    assert found == {}
