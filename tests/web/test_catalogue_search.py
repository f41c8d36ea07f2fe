"""The catalogue search page (GET /thu-tuc?q=…, the home page's search box) as people use
it: the issue's queries find their procedure; nothing found offers the closest names and the
popular procedures; odd input gets a Vietnamese message, never an error."""

import html
import re

import pytest

from tests.support.html import check_page


@pytest.fixture
def client(portal_client):
    return portal_client


def _raw(client, query: str) -> str:
    resp = client.get("/thu-tuc", query_string={"q": query})
    assert resp.status_code == 200, (query, resp.status_code)
    page = resp.get_data(as_text=True)
    check_page(page)
    return page


def _page(client, query: str) -> str:
    return html.unescape(_raw(client, query))


def _first(page: str) -> str:
    """The name of the first result (each result is an <li class="card">)."""
    found = re.search(r'<li class="card">\s*<h2><a href="[^"]+">([^<]+)</a>', page)
    assert found, "no result"
    return found[1]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("dang ki khai sinh", "Đăng ký khai sinh"),
        ("giay khai sinh", "Đăng ký khai sinh"),
        ("khaisinh", "Đăng ký khai sinh"),
        ("bhyt", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi"),
        ("xac nhan doc than", "Cấp Giấy xác nhận tình trạng hôn nhân"),
        ("can cuoc", "Cấp thẻ căn cước cho người từ đủ 14 tuổi trở lên"),
        ("1.000656", "Đăng ký khai tử"),
        ("khai\x00sinh\x1b", "Đăng ký khai sinh"),
    ],
)
def test_the_issue_queries_find_their_procedure(client, query, name):
    page = _page(client, query)
    assert "Tìm thấy 0 thủ tục" not in page
    assert _first(page) == name
    assert "Thủ tục được tìm nhiều" not in page


def test_a_passport_is_not_offered_and_popular_procedures_are(client):
    page = _page(client, "ho chieu")
    assert "Tìm thấy 0 thủ tục" in page
    assert "Cổng này chưa có thủ tục “Cấp hộ chiếu phổ thông”" in page
    assert "Thủ tục được tìm nhiều" in page and "Đăng ký khai sinh" in page


def test_did_you_mean(client):
    page = _page(client, "dang ky ket hn")
    assert "Tìm thấy 0 thủ tục" in page
    did_you_mean = page.split("Có phải bạn muốn tìm", 1)[1].split("</ul>", 1)[0]
    assert "Đăng ký kết hôn" in did_you_mean
    assert "Thủ tục được tìm nhiều" in page


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("a", "Hãy gõ ít nhất 2 chữ cái hoặc chữ số"),
        ("护照", "Hãy gõ tên thủ tục bằng tiếng Việt"),
        ("🙂🙂", "Hãy gõ tên thủ tục bằng tiếng Việt"),
        ("\x00\x01\x1b[2J", "Tìm thấy 0 thủ tục"),
        ("<script>alert(1)</script>", "Tìm thấy 0 thủ tục"),
        ("khai sinh " + "x" * 10_240, "Từ khóa quá dài: chỉ dùng 100 ký tự đầu"),
        ("passport", "Cổng này chưa có thủ tục “Cấp hộ chiếu phổ thông”"),
        ("' OR 1=1 --", "Tìm thấy 0 thủ tục"),
    ],
)
def test_odd_input_gets_a_vietnamese_message(client, query, says):
    assert says in _page(client, query)
    assert "<script>" not in _raw(client, query)


def test_empty_query_lists_every_procedure(client, portal_app):
    count = len(portal_app.extensions["catalogue"].procedures)
    assert f"Tìm thấy {count} thủ tục" in _page(client, "")
    assert f"Tìm thấy {count} thủ tục" in _page(client, "   ")


def test_the_index_is_built_once_per_app(client, portal_app):
    index = portal_app.extensions["catalogue_search"]
    _page(client, "khai sinh")
    _page(client, "ket hon")
    assert portal_app.extensions["catalogue_search"] is index
