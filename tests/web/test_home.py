"""The front door (issue 13): the home page's search box, popular procedures, life events,
lookups and footer; a life event's page; the favicon; the dashboard's first sections; the
life-events file refused at start-up when it names a procedure not in the catalogue."""

from __future__ import annotations

import re
import tomllib
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask
from pydantic import ValidationError

from portal.db import db
from portal.models import utcnow
from portal.public import views as public_views
from portal.services import popular
from procedures.life_events import PATH, load_life_events, parse
from procedures.loader import CatalogueError
from tests.factories import MARITAL, add_dossiers, sign_in
from tests.support.html import get_page, page_text

EVENTS = {
    "co-con-nho": "Có con nhỏ",
    "ket-hon": "Kết hôn",
    "nguoi-than-qua-doi": "Người thân qua đời",
    "chuyen-noi-o": "Chuyển nơi ở",
    "lam-can-cuoc": "Làm căn cước",
}
COPY = "2.000815"  # chứng thực bản sao từ bản chính
CURATED = tomllib.loads(PATH.read_text(encoding="utf-8"))["popular"]


def _section(html: str, heading_id: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, heading_id
    return found[0]


def _popular_links(html: str) -> list[str]:
    return re.findall(r'href="/thu-tuc/([^"]+)"', _section(html, "pho-bien"))


def test_home_has_a_labelled_search_box_that_searches_the_catalogue(portal_client):
    html = get_page(portal_client, "/").get_data(as_text=True)
    form = re.search(
        r'<form method="get" action="/thu-tuc"[^>]*role="search".*?</form>', html, re.S
    )
    assert form, "a GET form to /thu-tuc"
    assert '<label class="field__label" for="home-q">Tìm thủ tục</label>' in form[0]
    assert re.search(r'<input[^>]*id="home-q" name="q"', form[0])
    assert "Đăng nhập bằng VNeID" in html  # the call to action stays
    found = get_page(portal_client, "/thu-tuc?q=khai+sinh").get_data(as_text=True)
    assert "Đăng ký khai sinh" in found


def test_popular_falls_back_to_the_curated_list_when_little_was_filed(portal_client):
    html = get_page(portal_client, "/").get_data(as_text=True)
    assert _popular_links(html) == CURATED[: popular.SHOWN]


def test_popular_ranks_the_last_90_days_filings_then_tops_up_from_the_curated_list(portal_app):
    old = utcnow() - timedelta(days=100)
    add_dossiers(
        portal_app,
        *[{"procedure_code": MARITAL} for _ in range(4)],
        *[{"procedure_code": COPY} for _ in range(3)],
        *[{"procedure_code": "3.000333", "submitted_at": old} for _ in range(5)],  # too old
        *[{"procedure_code": "1.004194"} for _ in range(2)],  # too few to rank
    )
    with portal_app.app_context():
        codes = popular.popular_codes(
            db.session, portal_app.extensions["catalogue"].procedures, CURATED
        )
    rest = [c for c in CURATED if c not in (MARITAL, COPY)]
    assert codes == [MARITAL, COPY, *rest][: popular.SHOWN]
    html = get_page(portal_app.test_client(), "/").get_data(as_text=True)
    assert _popular_links(html) == codes
    assert "Cấp Giấy xác nhận tình trạng hôn nhân" in _section(html, "pho-bien")


def test_popular_is_computed_once_per_few_minutes_per_process(portal_app):
    client = portal_app.test_client()
    first = _popular_links(get_page(client, "/").get_data(as_text=True))
    add_dossiers(portal_app, *[{"procedure_code": COPY} for _ in range(3)])
    assert _popular_links(get_page(client, "/").get_data(as_text=True)) == first  # cached


@pytest.mark.parametrize(
    ("elapsed", "computations"), [(timedelta(0), 1), (timedelta(minutes=4), 1), (popular.TTL, 2)]
)
def test_popular_cache_keeps_a_list_for_its_ttl(elapsed, computations):
    start = utcnow()
    now = [start]
    cache = popular.PopularCache(clock=lambda: now[0])
    calls = []

    def compute() -> list[str]:
        calls.append(1)
        return [MARITAL]

    assert cache.get(compute) == [MARITAL]
    now[0] = start + elapsed
    assert cache.get(compute) == [MARITAL]
    assert len(calls) == computations


def test_home_lists_five_life_events_whose_pages_list_their_procedures(portal_app):
    client = portal_app.test_client()
    html = get_page(client, "/").get_data(as_text=True)
    events = _section(html, "su-kien")
    links = dict(re.findall(r'<a href="/su-kien/([^"]+)">([^<]+)</a>', events))
    assert links == EVENTS
    life_events = portal_app.extensions["life_events"]
    for key, title in EVENTS.items():
        page = get_page(client, f"/su-kien/{key}").get_data(as_text=True)
        assert f"<h1>{title}</h1>" in page
        codes = re.findall(r'<h2><a href="/thu-tuc/([^"]+)">', page)
        event = life_events.get(key)
        assert codes == [p.code for p in event.procedures]
        assert all(p.why in page_text(page) for p in event.procedures)
        for code in codes:
            get_page(client, f"/thu-tuc/{code}")


def test_a_life_event_page_says_why_each_procedure(portal_client):
    text = page_text(get_page(portal_client, "/su-kien/nguoi-than-qua-doi").get_data(as_text=True))
    assert "Đăng ký khai tử" in text and "trong 15 ngày" in text
    assert "Hưởng trợ cấp mai táng" in text


def test_an_unknown_life_event_is_a_vietnamese_404(portal_client):
    html = get_page(portal_client, "/su-kien/khong-co", 404).get_data(as_text=True)
    assert "Không tìm thấy trang" in html


def test_home_links_to_tracking_verification_statistics_and_feedback(portal_client):
    section = _section(get_page(portal_client, "/").get_data(as_text=True), "tra-cuu")
    for path in ("/tra-cuu-ho-so", "/tra-cuu-ket-qua", "/thong-ke", "/phan-anh"):
        assert f'href="{path}"' in section, path


@pytest.mark.parametrize("path", ["/", "/thu-tuc", "/su-kien/ket-hon"])
def test_the_footer_gives_the_hotline_and_the_operating_body(portal_client, path):
    html = get_page(portal_client, path).get_data(as_text=True)
    footer = html[html.index("<footer") :]
    assert "Tổng đài hỗ trợ: 18001096" in footer
    assert "Văn phòng Chính phủ" in footer


def test_the_favicon_is_linked_and_served_with_a_long_cache(portal_client):
    html = get_page(portal_client, "/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in html
    resp = portal_client.get("/favicon.svg")
    assert resp.status_code == 200
    assert resp.mimetype == "image/svg+xml"
    assert resp.get_data(as_text=True).startswith("<svg")
    assert resp.cache_control.max_age == public_views.FAVICON_MAX_AGE >= 7 * 24 * 3600
    assert resp.cache_control.public and not resp.cache_control.no_store


def test_the_favicon_is_cached_for_a_signed_in_citizen_too(portal_app):
    client = portal_app.test_client()
    sign_in(portal_app, client)
    resp = client.get("/favicon.svg")
    assert resp.cache_control.public and not resp.cache_control.no_store


def test_the_dashboard_starts_with_suggestions_and_my_dossiers_on_a_phone(portal_app):
    client = portal_app.test_client()
    sign_in(portal_app, client)
    html = get_page(client, "/ca-nhan").get_data(as_text=True)
    sections = html[html.index('<div class="dashboard-sections">') :]
    assert sections.index('id="goi-y"') < sections.index('id="ho-so-cua-toi"')
    assert "Chưa có gợi ý nào" in _section(html, "goi-y")
    css = _css(client)
    narrow = css[css.index("@media (max-width: 39.99rem)") :]
    assert '[aria-labelledby="goi-y"] { order: -2; }' in narrow
    assert '[aria-labelledby="ho-so-cua-toi"] { order: -1; }' in narrow


def _css(client) -> str:
    resp = client.get("/static/site.css")
    assert resp.status_code == 200
    text = resp.get_data(as_text=True)
    resp.close()
    return text


# --- the life-events file ---------------------------------------------------------------


def _data() -> dict:
    return tomllib.loads(PATH.read_text(encoding="utf-8"))


def _codes() -> set[str]:
    from procedures import load_catalogue

    return set(load_catalogue().procedures)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d["events"][0]["procedures"][0].update(code="9.999999"),
            "unknown procedure code '9.999999'",
        ),
        (lambda d: d["popular"].append("9.999998"), "unknown procedure code '9.999998'"),
        (lambda d: d["events"][1].update(key=d["events"][0]["key"]), "listed twice"),
        (lambda d: d["events"][0].update(procedures=[]), "at least 1 item"),
        (lambda d: d["events"][0]["procedures"][0].update(why=""), "at least 1 character"),
        (lambda d: d["events"][0].update(key="Có con"), "should match pattern"),
    ],
)
def test_the_life_events_file_is_refused_when_malformed(change, problem):
    data = _data()
    change(data)
    with pytest.raises(ValidationError, match=re.escape(problem)):
        parse(data, _codes())


def test_an_unknown_code_names_the_file_and_the_place(tmp_path):
    bad = tmp_path / "life_events.toml"
    bad.write_text(
        PATH.read_text(encoding="utf-8").replace('"1.014063"', '"1.099999"'), encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as refused:
        load_life_events(_codes(), bad)
    assert str(refused.value).startswith("life_events.toml: events.4.procedures.1.code")
    assert "1.099999" in str(refused.value)


def test_start_up_refuses_a_life_event_naming_a_procedure_not_in_the_catalogue():
    app = Flask("portal-without-marriage")
    codes = _codes() - {"1.000894"}
    app.extensions["catalogue"] = SimpleNamespace(procedures=dict.fromkeys(codes))
    with pytest.raises(CatalogueError, match=re.escape("unknown procedure code '1.000894'")):
        app.register_blueprint(public_views.bp)
