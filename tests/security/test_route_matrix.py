"""Authorisation, row by row: every private route of the portal, for every role.

A citizen sees only their own dossiers and results; a clerk only their office's; a commune
clerk cannot act on a province dossier nor on another commune's; a logged-out visitor sees
nothing private. A foreign dossier, file or result is a 404, exactly as if it did not exist.

Every route of the url_map is either PUBLIC or has at least one ROW here: a new private
route cannot be added without saying who may use it (one line below). POSTs carry a valid
CSRF token, so what is tested is authorisation, not CSRF.
"""

from __future__ import annotations

import re

import pytest

from portal.services import registry
from tests.support import matrix
from tests.support.apps import dispose, make_portal
from tests.support.html import check_page
from tests.support.matrix import (
    NOT_FOUND,
    OK,
    ROLE,
    ROLES,
    UNAUTHORIZED,
    Expect,
    Row,
    office_only,
    outcomes,
    owner_only,
    redirect,
    staff_only,
)

PUBLIC = {
    "/",
    "/.well-known/jwks.json",
    "/api/v1/openapi.json",
    "/api/v1/procedures",
    "/api/v1/procedures/<code>",
    "/api/v1/stats",
    "/auth/callback",
    "/da-dang-xuat",
    "/dang-nhap",
    "/dang-xuat",
    "/healthz",
    "/static/<path:filename>",
    "/favicon.svg",
    "/su-kien/<key>",  # a life event's procedures (home page)
    "/thong-ke",
    "/thu-tuc",
    "/thu-tuc/<code>",
    "/tra-cuu-ket-qua",
    "/tra-cuu-ket-qua/<code>",  # anyone holding the verification code may check the result
    "/tra-cuu-ho-so",  # anyone holding the dossier code and the applicant's last four digits
    "/api/thanh-toan/ipn",  # the payment gateway's notification: its signature authorises it
}

# fmt: off
# What each role gets; the builders are in tests/support/matrix.py.
MINE = owner_only(OK)  # A's own: to anyone else it does not exist
MINE_DONE = owner_only(redirect("/ho-so/{code}", writes=True))
RATED = owner_only(redirect("/ho-so/{code}#danh-gia", writes=True))
READERS = outcomes(NOT_FOUND, citizen_a=OK, clerk_x=OK)  # the applicant and their office
TO_STAFF_PAGE = redirect("/can-bo/ho-so/{code}")
NOTICES_READ = outcomes(redirect("/ca-nhan"), citizen_a=redirect("/ca-nhan", writes=True))
STEP = outcomes(redirect("/nop-ho-so/{code}/"))
SUMMARY = outcomes(redirect("/nop-ho-so/{code}/xem-lai"))
CLERKS = ("clerk_x", "clerk_y", "province", "police", "centre")
STAFF = staff_only(**dict.fromkeys(CLERKS, OK))
STAFF_DONE = redirect("/can-bo/ho-so/{code}", writes=True)
REFUSED_ON_PAGE = Expect(400)  # the office's own page, with whose turn it is
QUEUE, RETURNS = "/can-bo?tab=cho-tiep-nhan", "/can-bo?tab=cho-tra"


def bulk(to: str, writer: str) -> dict:
    """A bulk action: every clerk is sent back to the queue; only `writer`'s office acts."""
    return staff_only(**{c: redirect(to, writes=c == writer) for c in CLERKS})


BULK_X, BULK_PROVINCE = bulk(QUEUE, "clerk_x"), bulk(QUEUE, "province")
BULK_CENTRE, RETURN_X = bulk(QUEUE, "centre"), bulk(RETURNS, "clerk_x")
# A dossier sent through the centre: both offices read it; the centre receives, the Công
# an processes, each refused the other's turn on the page; anyone else: it does not exist.
FORWARDED_READERS = outcomes(NOT_FOUND, police=OK, centre=OK)

# One row per (route, target): a new private route is one more line here.
ROWS = [
    # the signed-in person's own pages: everyone has their own
    Row("GET", "/ca-nhan", outcomes(OK), "none"),
    Row("GET", "/ca-nhan/kho-du-lieu", outcomes(OK), "none"),
    Row("GET", "/ca-nhan/lien-he", outcomes(OK), "none"),  # their own contact points
    Row("POST", "/ca-nhan/lien-he", outcomes(Expect(400)), "none"),  # no step named: refused
    Row("POST", "/thong-bao/da-doc", NOTICES_READ, "fresh_notice"),
    # feedback: everyone sends their own; one is read by its sender and its office's staff
    Row("GET", "/phan-anh", outcomes(OK), "none"),
    Row("POST", "/phan-anh", outcomes(Expect(400)), "none"),  # nothing typed: refused
    Row("GET", "/phan-anh/<code>", MINE, "feedback"),
    Row("GET", "/can-bo/phan-anh", STAFF, "none"),
    Row("GET", "/can-bo/phan-anh/<code>", office_only("clerk_x", OK), "feedback"),
    Row("POST", "/can-bo/phan-anh/<code>", office_only("clerk_x", REFUSED_ON_PAGE), "feedback"),
    Row("GET", "/api/v1/ho-so", outcomes(OK, UNAUTHORIZED), "none"),
    # a dossier: its applicant only; staff of its office are sent to their page
    Row("GET", "/ho-so/<code>", MINE | {"clerk_x": TO_STAFF_PAGE}),
    Row("GET", "/ho-so/<code>", MINE | {"province": TO_STAFF_PAGE}, "province"),
    Row("GET", "/api/v1/ho-so/<code>", owner_only(OK, UNAUTHORIZED)),
    Row("GET", "/ho-so/<code>/ket-qua.pdf", MINE),
    Row("GET", "/ho-so/<code>/ket-qua/<document>.pdf", MINE),
    Row("GET", "/ho-so/<code>/ket-qua/<document>.pdf", outcomes(NOT_FOUND), "crossed"),
    Row("GET", "/ho-so/<code>/phieu-tiep-nhan", MINE),
    Row("GET", "/ho-so/<code>/phieu-tiep-nhan.pdf", MINE),
    Row("GET", "/ho-so/<code>/van-ban/<int:event_id>.pdf", READERS),
    Row("GET", "/ho-so/<code>/van-ban/<int:event_id>.pdf", outcomes(NOT_FOUND), "crossed"),
    Row("GET", "/ho-so/<code>/rut", MINE, "submitted"),
    Row("POST", "/ho-so/<code>/rut", MINE_DONE, "fresh_submitted"),
    Row("GET", "/ho-so/<code>/bo-sung", outcomes(redirect("/ho-so/{code}#bo-sung"))),
    Row("POST", "/ho-so/<code>/bo-sung", MINE_DONE, "fresh_supplement"),
    Row("POST", "/ho-so/<code>/danh-gia", RATED, "fresh_returned"),
    # a party's answers: the applicant's dossier awaits none of them, so the answer is
    # refused on the page; anyone else is told the dossier does not exist
    Row("POST", "/ho-so/<code>/xac-nhan", owner_only(Expect(400))),
    Row("POST", "/ho-so/<code>/du-thao", owner_only(Expect(400))),
    Row("POST", "/ho-so/<code>/lich-hen", owner_only(Expect(400))),
    # online payment: the applicant pays; the receipt is theirs and their office's
    Row("POST", "/ho-so/<code>/thanh-toan", owner_only(redirect("/ho-so/{code}#thanh-toan")),
        "fresh_awaiting_payment"),
    Row("GET", "/ho-so/<code>/thanh-toan/<int:attempt>", MINE, "paid"),
    Row("GET", "/thanh-toan/ket-qua", outcomes(NOT_FOUND), "none"),  # no order named
    Row("GET", "/ho-so/<code>/bien-lai-dien-tu", MINE, "paid"),
    Row("GET", "/ho-so/<code>/bien-lai-dien-tu.pdf", MINE, "paid"),
    Row("GET", "/can-bo/ho-so/<code>/bien-lai-dien-tu", office_only("clerk_x", OK), "paid"),
    Row("GET", "/can-bo/ho-so/<code>/bien-lai-dien-tu.pdf", office_only("clerk_x", OK), "paid"),
    Row("GET", "/tep/<token>", MINE),
    Row("GET", "/tep/<token>", outcomes(NOT_FOUND, citizen_b=OK), "neighbour"),
    # filing: everyone works on their own draft
    Row("GET", "/nop-ho-so/<code>", outcomes(redirect("/nop-ho-so/{code}/{step}")), "procedure"),
    Row("GET", "/nop-ho-so/<code>/<step>", outcomes(OK), "procedure"),
    Row("POST", "/nop-ho-so/<code>/<step>", STEP, "procedure"),
    Row("POST", "/nop-ho-so/<code>/nop", SUMMARY, "procedure"),
    Row("GET", "/ho-so-nhap/<int:draft_id>/xoa", MINE, "draft"),  # A's draft, asked first
    Row("POST", "/ho-so-nhap/<int:draft_id>/xoa",
        owner_only(redirect("/ca-nhan#ho-so-cua-toi", writes=True)), "fresh_draft"),
    # the back office: staff only, and only their own office's dossiers
    Row("GET", "/can-bo", STAFF, "none"),
    Row("POST", "/can-bo/tiep-nhan-hang-loat", BULK_X, "fresh_submitted"),
    Row("POST", "/can-bo/tiep-nhan-hang-loat", BULK_PROVINCE, "fresh_province"),
    Row("POST", "/can-bo/tra-ket-qua-hang-loat", RETURN_X, "fresh_approved"),
    Row("GET", "/can-bo/ho-so/<code>", office_only("clerk_x", OK)),
    Row("GET", "/can-bo/ho-so/<code>", office_only("province", OK), "province"),
    Row("GET", "/can-bo/ho-so/<code>", FORWARDED_READERS, "forwarded"),
    Row("GET", "/ho-so/<code>", MINE | {"police": TO_STAFF_PAGE, "centre": TO_STAFF_PAGE},
        "forwarded"),
    Row("POST", "/can-bo/tiep-nhan-hang-loat", BULK_CENTRE, "fresh_forwarded"),
    Row("POST", "/can-bo/ho-so/<code>/<action>",
        outcomes(NOT_FOUND, centre=STAFF_DONE, police=REFUSED_ON_PAGE), "fresh_forwarded"),
    Row("POST", "/can-bo/ho-so/<code>/<action>",
        outcomes(NOT_FOUND, police=STAFF_DONE, centre=REFUSED_ON_PAGE),
        "fresh_forwarded_received"),
    Row("POST", "/can-bo/ho-so/<code>/<action>", office_only("clerk_x", STAFF_DONE),
        "fresh_submitted"),
    Row("POST", "/can-bo/ho-so/<code>/<action>", office_only("province", STAFF_DONE),
        "fresh_province"),
    Row("POST", "/can-bo/ho-so/<code>/ghi-lai-csdl", office_only("clerk_x", TO_STAFF_PAGE)),
    # the unsigned result before approving: a dossier not ready to approve goes back to its page
    Row("GET", "/can-bo/ho-so/<code>/duyet-ky", office_only("clerk_x", TO_STAFF_PAGE)),
    Row("GET", "/can-bo/tep/<token>", office_only("clerk_x", OK)),
]
# fmt: on


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_portal(
        tmp_path_factory.mktemp("matrix"),
        issuer="http://127.0.0.1:9",
        portal_url="http://portal.test",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "my_record", matrix.own_record)
        yield matrix.build_world(app)
    dispose(app)


def _routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_route_is_public_or_has_a_row(world):
    routes = _routes(world.app)
    covered = {(row.method, row.rule) for row in ROWS}
    missing = sorted(r for r in routes if r[1] not in PUBLIC and r not in covered)
    assert not missing, f"private routes without an authorisation row: {missing}"
    assert covered <= routes, f"rows for routes that no longer exist: {sorted(covered - routes)}"
    assert PUBLIC <= {rule for _, rule in routes}, "PUBLIC lists a route that no longer exists"


@pytest.mark.parametrize(
    ("row", "role"),
    [pytest.param(row, role, id=row.id_for(role.name)) for row in ROWS for role in ROLES],
)
def test_route_as_role(world, row, role):
    values = world.target(row.target)
    expected = row.expect[role.name]
    client, token = matrix.client_for(world.app, role)
    before = world.snapshot()
    resp = matrix.send(client, row, values, token)
    body = resp.get_data().decode(errors="replace")  # PDFs too
    assert resp.status_code != 500, body[:500]
    assert resp.status_code == expected.status, (resp.status_code, resp.location, body[:300])
    if expected.location:
        assert resp.location.startswith(expected.location.format(**values)), resp.location
    if not expected.writes:
        assert world.snapshot() == before, "a request that may not write changed the world"
    if resp.status_code in (403, 404) and resp.mimetype == "text/html":
        check_page(body)
    if not resp.location:
        hidden = world.hidden(role, row, values, expected.refused)
        leaked = {s for s in hidden if re.search(rf"(?<![\w]){re.escape(s)}(?![\w])", body)}
        # whole values only: "…-0002" is not shown by "…-00021", another dossier's code
        assert not leaked, f"{role.name} was shown {leaked}"


CODE_ROWS = {  # each route that finds a citizen's dossier by its code, with its first row
    (row.method, row.rule): row
    for row in reversed(ROWS)
    if "<code>" in row.rule and "/can-bo/" not in row.rule and row.expect["citizen_b"] == NOT_FOUND
}


CSRF_VALUE = re.compile(r'(?<=name="csrf_token" value=")[^"]+')


@pytest.mark.parametrize("row", CODE_ROWS.values(), ids=lambda r: f"{r.method} {r.rule}")
def test_a_nearby_code_of_another_citizen_is_not_found(world, row):
    """Dossier codes are sequential, so guessable: B's dossier has the number after A's.
    A asking for it gets the very answer an unknown code gets (no existence oracle)."""
    client, token = matrix.client_for(world.app, ROLE["citizen_a"])
    answers = []
    for code in (world.target("neighbour")["code"], matrix.UNKNOWN_CODE):
        values = world.target(row.target) | {"code": code}
        before = world.snapshot()
        resp = matrix.send(client, row, values, token)
        assert resp.status_code == 404, (code, resp.status_code)
        assert world.snapshot() == before
        answers.append(CSRF_VALUE.sub("", resp.get_data(as_text=True)))  # timestamped
    assert answers[0] == answers[1]


def test_the_neighbour_is_a_real_dossier_its_owner_sees(world):
    client, _ = matrix.client_for(world.app, ROLE["citizen_b"])
    assert client.get(f"/ho-so/{world.target('neighbour')['code']}").status_code == 200


def test_file_tokens_and_verification_codes_are_not_guessable(world):
    tokens, codes = world.file_tokens, world.verification_codes
    assert len(set(tokens)) == len(tokens) and len(set(codes)) == len(codes)
    for token in tokens:  # secrets.token_hex(16): 128 random bits
        assert re.fullmatch(r"[0-9a-f]{32}", token), token
    for code in codes:  # secrets.token_urlsafe(15): 120 random bits
        assert re.fullmatch(r"[A-Za-z0-9_-]{20,}", code), code
    owner, _ = matrix.client_for(world.app, ROLE["citizen_a"])
    mine = world.target("commune")["token"]
    near = mine[:-1] + ("0" if mine[-1] != "0" else "1")
    assert owner.get(f"/tep/{mine}").status_code == 200
    assert owner.get(f"/tep/{near}").status_code == 404


@pytest.mark.parametrize("rule", sorted(r for r in PUBLIC if "<" not in r))
def test_public_pages_open_without_login(world, rule):
    client, token = matrix.client_for(world.app, ROLE["logged_out"])
    if rule == "/dang-xuat":
        resp = client.post(rule, data={"csrf_token": token})
    else:
        resp = client.get(rule)
    assert resp.status_code != 500
    assert not (resp.location or "").startswith(matrix.LOGIN_PATH)
