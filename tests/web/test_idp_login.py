"""The provider's sign-in page: form, messages, lockout, CSRF, and production mode."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.support import oauth
from tests.support.oauth import AN, PASSCODE

# Each test that types a passcode uses its own persona: lockout counters are per account.
WRONG_ONCE = "001190023456"
LOCKED_OUT = "079302034567"
RIGHT_PASSCODE = "038088012345"


@pytest.fixture(scope="module")
def production_provider(tmp_path_factory):
    app = oauth.build_provider(
        tmp_path_factory.mktemp("idp-prod"), ENV_NAME="production", SECRET_KEY="x"
    )
    yield app
    oauth.discard_provider(app)


@pytest.fixture
def production_client(production_provider):
    """A browser on a provider in production mode (no personas, no test endpoints)."""
    return production_provider.test_client()


class Inputs(HTMLParser):
    """Collect <input> attributes by name, and the text of every <label>."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: dict[str, dict] = {}
        self.labels: list[str] = []
        self._in_label = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs[attrs["name"]] = attrs
        self._in_label = tag == "label" or self._in_label

    def handle_endtag(self, tag):
        if tag == "label":
            self._in_label = False

    def handle_data(self, data):
        if self._in_label and data.strip():
            self.labels.append(data.strip())


def parse(html: str) -> Inputs:
    parser = Inputs()
    parser.feed(html)
    return parser


def post_login(client, *, personal_id: str, passcode: str):
    return oauth.sign_in(client, personal_id=personal_id, passcode=passcode)


def test_login_page_has_the_form(idp_client):
    resp = idp_client.get("/dang-nhap")
    assert resp.status_code == 200
    page = parse(resp.get_data(as_text=True))
    assert {"personal_id", "passcode", "csrf_token"} <= page.inputs.keys()
    assert page.inputs["passcode"]["type"] == "password"
    assert "Số định danh cá nhân" in page.labels
    assert any(label.startswith("Mật mã") for label in page.labels)


def test_persona_picker_in_test_mode(idp_client):
    html = idp_client.get("/dang-nhap").get_data(as_text=True)
    assert "Tài khoản mẫu" in html
    assert f'name="persona" value="{AN}"' in html
    assert "persona-csrf_token" in oauth.csrf_tokens(html)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12345", "12 chữ số"),
        ("abcdefghijkl", "12 chữ số"),
        ("0790950012345", "12 chữ số"),
        ("003095001234", "mã tỉnh"),
        ("", "Vui lòng nhập số định danh cá nhân"),
    ],
    ids=["short", "letters", "thirteen", "bad-province", "empty"],
)
def test_malformed_id_is_refused_and_kept(idp_client, typed, message):
    resp = post_login(idp_client, personal_id=typed, passcode=PASSCODE)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    assert parse(html).inputs["personal_id"].get("value", "") == typed


def test_typed_id_is_escaped(idp_client):
    typed = '"><script>alert(1)</script>'
    resp = post_login(idp_client, personal_id=typed, passcode=PASSCODE)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert parse(html).inputs["personal_id"]["value"] == typed


def test_passcode_must_be_six_digits(idp_client):
    resp = post_login(idp_client, personal_id=AN, passcode="12ab")
    assert resp.status_code == 400
    assert "Mật mã gồm đúng 6 chữ số." in resp.get_data(as_text=True)


def test_unknown_person_gets_the_generic_message(idp_client):
    resp = post_login(idp_client, personal_id="079095999999", passcode=PASSCODE)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Số định danh cá nhân hoặc mật mã không đúng." in html
    assert "Bạn còn 4 lần thử." in html  # as for a known ID: the answer tells nothing


def test_wrong_passcode_tells_remaining_attempts(idp_client):
    resp = post_login(idp_client, personal_id=WRONG_ONCE, passcode="000000")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Bạn còn 4 lần thử." in html
    assert parse(html).inputs["personal_id"]["value"] == WRONG_ONCE
    assert "Location" not in resp.headers


def test_five_wrong_passcodes_lock_the_account(idp_client):
    for left in (4, 3, 2, 1):
        resp = post_login(idp_client, personal_id=LOCKED_OUT, passcode="000000")
        assert f"Bạn còn {left} lần thử." in resp.get_data(as_text=True)
    resp = post_login(idp_client, personal_id=LOCKED_OUT, passcode="000000")
    assert resp.status_code == 400
    assert "Tài khoản bị tạm khóa 15 phút." in resp.get_data(as_text=True)

    resp = post_login(idp_client, personal_id=LOCKED_OUT, passcode=PASSCODE)
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert "Tài khoản đang tạm khóa" in resp.get_data(as_text=True)
    assert idp_client.get("/da-dang-nhap").status_code == 302


def test_right_passcode_signs_in(idp_client):
    resp = post_login(idp_client, personal_id=RIGHT_PASSCODE, passcode=PASSCODE)
    assert resp.status_code == 302
    assert urlsplit(resp.headers["Location"]).path == "/da-dang-nhap"
    page = idp_client.get("/da-dang-nhap")
    assert page.status_code == 200
    assert "Phạm Quốc Bảo" in page.get_data(as_text=True)


def test_post_without_csrf_is_a_400_page(idp_client):
    resp = idp_client.post("/dang-nhap", data={"personal_id": AN, "passcode": PASSCODE})
    assert resp.status_code == 400
    assert "Location" not in resp.headers
    assert "Vui lòng tải lại trang" in resp.get_data(as_text=True)
    assert idp_client.get("/da-dang-nhap").status_code == 302


def test_persona_post_without_csrf_is_refused(idp_client):
    resp = idp_client.post("/dang-nhap", data={"persona": AN})
    assert resp.status_code == 400
    assert idp_client.get("/da-dang-nhap").status_code == 302


# --- production mode -----------------------------------------------------------------------


def test_production_has_no_persona_picker(production_client):
    resp = production_client.get("/dang-nhap")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'name="persona"' not in html
    assert "Tài khoản mẫu" not in html
    assert 'name="personal_id"' in html


def test_production_refuses_persona_sign_in(production_client):
    html = production_client.get("/dang-nhap").get_data(as_text=True)
    token = oauth.csrf_tokens(html)["csrf_token"]
    resp = production_client.post("/dang-nhap", data={"persona-csrf_token": token, "persona": AN})
    assert resp.status_code == 400
    assert production_client.get("/da-dang-nhap").status_code == 302


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/test/calls"),
        ("DELETE", "/test/calls"),
        ("GET", "/test/switches"),
        ("PUT", "/test/switches"),
    ],
)
def test_production_has_no_test_endpoints(production_client, method, path):
    resp = production_client.open(path, method=method, json={"active": []})
    assert resp.status_code == 404
