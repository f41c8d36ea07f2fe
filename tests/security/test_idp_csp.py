"""The provider's pages may submit forms only to itself and to the registered portal."""

from __future__ import annotations


def test_form_action_names_the_portal_only(idp_client):
    csp = idp_client.get("/dang-nhap").headers["Content-Security-Policy"]
    [directive] = [d.strip() for d in csp.split(";") if d.strip().startswith("form-action")]
    assert directive == "form-action 'self' http://portal.test"
    assert "frame-ancestors 'none'" in csp and "base-uri 'none'" in csp
