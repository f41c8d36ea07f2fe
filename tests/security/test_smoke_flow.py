from tests.support import flows

AN = "079095001234"


def test_persona_login_reaches_dashboard(live, idp_control):
    result = flows.login(live.portal_url, live.idp_url, AN)
    assert result.response.status_code == 302, result.response.text[:2000]
    assert result.response.headers["Location"] == "/ca-nhan"
    page = result.browser.get(live.portal_url + "/ca-nhan")
    assert "Nguyễn Văn An" in page.text
    assert "Phường Bến Thành" in page.text
