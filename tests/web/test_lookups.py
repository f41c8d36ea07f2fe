"""Naming another person reveals nothing before entitlement (issue 10, item 3).

The registry's match check answers yes or no and is audited as such; the marriage form never
shows the partner's registry data before consent; a death is declared online by a relative
the registry proves, wherever they live, and refused to anyone else without a word about the
person behind the number. The first part talks to the provider through its test client, the
rest files over real HTTP with both apps live (the portal reads the registry over HTTP).
"""

from __future__ import annotations

import re
import uuid

import pytest
from sqlmodel import select

from identity_mock.db import db as idp_db
from identity_mock.models import PopulationAudit
from portal.db import db as portal_db
from portal.models import Dossier
from tests.support import oauth
from tests.support.apps import running_apps
from tests.support.filing import Filer, dossier_code, signed_in_filers

AN, LAN, THO, MINH, BE = (
    "079095001234", "079302034567", "001040056789", "001068004321", "079181000777",
)  # fmt: skip
LAN_TYPED = {
    "partner_personal_id": LAN,
    "partner_full_name": "Đỗ Thị Lan",
    "partner_birth_date": "15/01/2002",
}
LAN_PRIVATE = ("Ấp 3, đường Bình Chánh", "27637")  # her registry address (An lives elsewhere)
WITHHELD = (  # her registry fields, which show no value before she consents
    "Dân tộc của người kết hôn cùng",
    "Quốc tịch của người kết hôn cùng",
    "Nơi cư trú của người kết hôn cùng",
    "Tình trạng hôn nhân của người kết hôn cùng",
)
WRONG_NAME = "không khớp với số định danh cá nhân đã nhập"
MINH_HOME = "15 Tôn Đức Thắng"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _audits(app, **where) -> list[PopulationAudit]:
    with app.app_context(), idp_db.new_session() as session:
        query = select(PopulationAudit)
        for name, value in where.items():
            query = query.where(getattr(PopulationAudit, name) == value)
        return list(session.exec(query).all())


# --- the registry's match check ------------------------------------------------------------


@pytest.fixture(scope="module")
def lookup_token(idp_app, rp) -> str:
    return oauth.client_credentials_token(idp_app.test_client(), rp=rp)


def _match(client, token: str, **body):
    return client.post("/api/population/match", json=body, headers=oauth.bearer(token))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"full_name": "Đỗ Thị Lan", "birth_date": "2002-01-15"}, True),
        ({"full_name": "  đỗ   THỊ lan "}, True),
        ({"full_name": "Đỗ Thị Lân"}, False),
        ({"full_name": "Do Thi Lan"}, False),
        ({"full_name": "Đỗ Thị Lan", "birth_date": "2002-01-16"}, False),
        ({"full_name": "Đỗ Thị Lan", "personal_id": "079302099999"}, False),  # nobody
    ],
    ids=["right", "case-and-spaces", "diacritic", "no-diacritics", "birth-date", "unknown"],
)
def test_match_answers_only_yes_or_no_and_is_audited(idp_app, lookup_token, body, expected):
    purpose = "Kiểm thử đối chiếu " + uuid.uuid4().hex[:8]
    sent = {"personal_id": LAN, "purpose": purpose, "actor": AN, **body}
    resp = _match(idp_app.test_client(), lookup_token, **sent)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.get_json() == {"match": expected}  # nothing else: no name, no record
    (row,) = _audits(idp_app, purpose=purpose)
    assert (row.endpoint, row.outcome) == ("match", "match" if expected else "no_match")
    assert (row.subject_id, row.actor_id) == (sent["personal_id"], AN)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"personal_id": LAN, "full_name": "Đỗ Thị Lan"}, "purpose"),
        ({"personal_id": "0793", "full_name": "Đỗ Thị Lan", "purpose": "x"}, "personal_id"),
        ({"personal_id": LAN, "purpose": "x"}, "full_name"),
        ({"personal_id": LAN, "full_name": "A", "birth_date": "15/01/2002", "purpose": "x"}, "x"),
    ],
    ids=["no-purpose", "bad-number", "no-name", "bad-date"],
)
def test_match_refuses_an_incomplete_question(idp_app, lookup_token, body, field):
    resp = _match(idp_app.test_client(), lookup_token, **body)
    assert resp.status_code == 400 and resp.get_json()["error"] == "invalid_request"
    assert "match" not in resp.get_json()


def test_match_checks_stop_after_five_wrong_answers(idp_app, lookup_token):
    """A name is not found by trying: after five wrong answers about one person for one
    actor, every check about that person is refused for a day, the right name included."""
    client = idp_app.test_client()
    actor, other = "079187" + uuid.uuid4().hex[:6], "079188" + uuid.uuid4().hex[:6]
    question = {"personal_id": LAN, "purpose": "Kiểm thử giới hạn", "actor": actor}
    for wrong in ("Đỗ Thị Lân", "Đỗ Thị Lam", "Đỗ Thị Lang", "Đỗ Thị Lành", "Đỗ Thị Làn"):
        assert _match(client, lookup_token, **question, full_name=wrong).get_json() == {
            "match": False
        }
    capped = _match(client, lookup_token, **question, full_name="Đỗ Thị Lan")
    assert capped.status_code == 429 and "match" not in capped.get_json()
    assert capped.get_json()["error"] == "too_many_attempts"
    outcomes = [r.outcome for r in _audits(idp_app, actor_id=actor, endpoint="match")]
    assert sorted(outcomes) == ["no_match"] * 5 + ["refused"]
    someone_else = _match(
        client, lookup_token, **{**question, "actor": other}, full_name="Đỗ Thị Lan"
    )
    assert someone_else.get_json() == {"match": True}


def test_match_needs_a_system_token(idp_app, rp):
    client = idp_app.test_client()
    _, tokens = oauth.login_tokens(client, rp=rp, scope="openid population.lookup")
    resp = _match(client, tokens["access_token"], personal_id=LAN, full_name="Đỗ Thị Lan")
    assert resp.status_code == 403
    assert _match(client, "khong-ton-tai", personal_id=LAN).status_code == 401


# --- filing over HTTP ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with running_apps(tmp_path_factory.mktemp("lookups")) as apps:
        yield apps


@pytest.fixture(scope="module")
def filers(live):
    return signed_in_filers(live)


def _error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field}"
    return found[1]


def _draft(live, personal_id: str, code: str) -> Dossier:
    with live.portal_app.app_context(), portal_db.new_session() as session:
        return session.exec(
            select(Dossier).where(
                Dossier.applicant_id == personal_id,
                Dossier.procedure_code == code,
                Dossier.status == "draft",
            )
        ).one()


def test_marriage_shows_only_what_the_applicant_typed(live, filers):
    an = filers(AN)
    an.start("1.000894")
    assert an.post_step("1.000894", "ben-kia", LAN_TYPED).status_code == 302
    page = an.get("/nop-ho-so/1.000894/thong-tin-ben-kia")
    assert page.status_code == 200
    for typed in (LAN, "Đỗ Thị Lan", "15/01/2002"):
        assert typed in page.text, typed
    assert "sẽ được lấy từ CSDLQG về dân cư sau khi người đó xác nhận" in page.text
    for private in LAN_PRIVATE:
        assert private not in page.text, private
    assert "locked-value" not in page.text  # no registry value of hers on the page
    review = an.review("1.000894")
    for label in WITHHELD:
        shown = re.search(rf"<dt>{label}</dt><dd>\s*(.*?)</dd>", review.text, re.S)
        assert shown, label
        assert shown[1].startswith(
            '<span class="muted">Lấy từ CSDLQG về dân cư sau khi người kia'
        ), shown[1]
    for private in LAN_PRIVATE:
        assert private not in review.text, private
    # The portal read her record server-side for the checks, and audited the match first.
    rows = _audits(live.idp_app, actor_id=AN, subject_id=LAN)
    assert {"match", "people"} <= {r.endpoint for r in rows}
    matches = [r for r in rows if r.endpoint == "match"]
    assert all(r.outcome == "match" and "Đăng ký kết hôn" in r.purpose for r in matches)


def test_wrong_partner_name_is_explained_and_kept(live, filers):
    an = filers(AN)
    an.start("1.000894")
    before = len(_audits(live.idp_app, actor_id=AN, endpoint="people"))
    typed = {**LAN_TYPED, "partner_full_name": "Đỗ Thị Lân"}
    resp = an.post_step("1.000894", "ben-kia", typed)
    assert resp.status_code == 400
    assert WRONG_NAME in _error(resp.text, "partner_full_name")
    assert 'value="Đỗ Thị Lân"' in resp.text and f'value="{LAN}"' in resp.text
    for private in ("Đỗ Thị Lan", *LAN_PRIVATE):  # not even the right spelling
        assert private not in resp.text, private
    assert _draft(live, AN, "1.000894").data["partner_full_name"] == "Đỗ Thị Lân"
    assert len(_audits(live.idp_app, actor_id=AN, endpoint="people")) == before  # no read
    (row,) = [
        r
        for r in _audits(live.idp_app, actor_id=AN, subject_id=LAN, endpoint="match")
        if r.outcome == "no_match"
    ]
    assert row.purpose == "Đối chiếu người được nêu trong hồ sơ: Đăng ký kết hôn"
    review = an.review("1.000894")  # the summary refuses too, without her data
    assert WRONG_NAME in review.text and 'name="locked_hash"' not in review.text


def test_partner_refusal_does_not_reveal_her_marital_status(live):
    """Tư is married, so he is refused in detail; Lan married to someone else is refused in
    general terms: she did not consent to her data being shown."""
    tu = Filer.login(live, "079080078901")
    tu.start("1.000894")
    typed = {"partner_personal_id": "079181000777", "partner_full_name": "Nguyễn Thị Bé",
             "partner_birth_date": "09/09/1981"}  # fmt: skip
    assert tu.post_step("1.000894", "ben-kia", typed).status_code == 302
    review = tu.review("1.000894")
    assert "Ông Lý Văn Tư đang có tình trạng hôn nhân «Đã kết hôn»" in review.text  # his own
    assert "người kết hôn cùng chưa đáp ứng điều kiện đăng ký kết hôn" in review.text
    assert "Bà Nguyễn Thị Bé đang có" not in review.text
    assert "Nơi cư trú của người kết hôn cùng</dt><dd>Ấp 1" not in review.text


def _death_steps(name: str, personal_id: str) -> dict[str, dict]:
    return {
        "nguoi-khai": {"relation_to_deceased": "Cha"},
        "nguoi-chet": {"deceased_personal_id": personal_id, "deceased_stated_full_name": name},
    }


def test_a_relative_in_another_household_files_a_death(live, filers):
    tho = filers(THO)
    tho.fill("1.000656", _death_steps("hoàng văn minh", MINH))
    page = tho.get("/nop-ho-so/1.000656/thong-tin-nguoi-chet")
    assert page.status_code == 200
    assert "Hoàng Văn Minh" in page.text and MINH_HOME in page.text  # proven: his son
    step = tho.post_step(
        "1.000656", "su-kien", {"death_date": "20/11/2026", "death_place": "Bệnh viện Bạch Mai"}
    )
    assert step.status_code == 302
    paper = {"upload_1": ("giay-bao-tu.pdf", PDF)}
    assert tho.post_step("1.000656", "tep-dinh-kem", files=paper).status_code == 302
    review = tho.review("1.000656")
    assert "không cùng hộ" not in review.text and "Chưa nộp được" not in review.text
    code = dossier_code(tho.submit("1.000656"))
    assert code, review.text[:2000]
    with live.portal_app.app_context(), portal_db.new_session() as session:
        dossier = session.exec(select(Dossier).where(Dossier.code == code)).one()
    assert dossier.data["deceased_full_name"] == "Hoàng Văn Minh"  # the registry's spelling
    assert MINH_HOME in dossier.data["deceased_residence"]


def test_a_non_relative_is_refused_without_a_word_about_the_person(live, filers):
    tho = filers(THO)
    tho.start("1.000656")
    tho.post_step("1.000656", "nguoi-khai", {"relation_to_deceased": "Người thân thích khác"})
    resp = tho.post_step(
        "1.000656",
        "nguoi-chet",
        {"deceased_personal_id": BE, "deceased_stated_full_name": "Nguyễn Thị Bé"},
    )
    assert resp.status_code == 400
    message = _error(resp.text, "deceased_personal_id")
    assert "bạn không phải là vợ, chồng, cha, mẹ, con, anh, chị, em ruột, ông, bà" in message
    assert "UBND cấp xã" in message
    page = tho.get("/nop-ho-so/1.000656/thong-tin-nguoi-chet")
    assert "Ấp 1, đường Láng Le" not in page.text and "09/09/1981" not in page.text
    assert "locked-value" not in page.text
    review = tho.review("1.000656")
    assert "bạn không phải là vợ, chồng" in review.text
    assert "Ấp 1, đường Láng Le" not in review.text


def test_a_wrong_name_for_the_deceased_is_refused_before_any_read(live, filers):
    tho = filers(THO)
    tho.start("1.000656")
    before = len(_audits(live.idp_app, actor_id=THO, subject_id=MINH, endpoint="people"))
    resp = tho.post_step(
        "1.000656",
        "nguoi-chet",
        {"deceased_personal_id": MINH, "deceased_stated_full_name": "Hoàng Văn Mính"},
    )
    assert resp.status_code == 400
    assert WRONG_NAME in _error(resp.text, "deceased_stated_full_name")
    assert MINH_HOME not in resp.text
    after = _audits(live.idp_app, actor_id=THO, subject_id=MINH, endpoint="people")
    assert len(after) == before


def test_a_childs_data_is_shown_to_the_parent_only(live, filers):
    """1.014137: the child's registry data is shown to a parent the registry proves; anyone
    else who knows the number and the name is refused, and sees nothing of the child."""
    child = {"child_personal_id": "001212045678", "child_stated_full_name": "Phạm Gia Huy"}
    bao = filers("038088012345")  # Huy's father
    bao.start("1.014137")
    assert bao.post_step("1.014137", "tre", child).status_code == 302
    page = bao.get("/nop-ho-so/1.014137/thong-tin-tre")
    assert "20/08/2012" in page.text and "8 Kim Mã" in page.text
    stranger = filers(AN)
    stranger.start("1.014137")
    resp = stranger.post_step("1.014137", "tre", child)
    assert resp.status_code == 400
    assert "không phải là con của bạn" in _error(resp.text, "child_personal_id")
    shown = stranger.get("/nop-ho-so/1.014137/thong-tin-tre")
    assert "20/08/2012" not in shown.text and "8 Kim Mã" not in shown.text


def test_guessing_a_name_is_stopped_with_a_message(live, filers):
    hanh = filers("079187090123")
    hanh.start("1.000894")
    typed = {**LAN_TYPED, "partner_birth_date": "01/01/2002"}  # a wrong birth date
    for _ in range(5):
        resp = hanh.post_step("1.000894", "ben-kia", typed)
        assert WRONG_NAME in _error(resp.text, "partner_full_name")
    resp = hanh.post_step("1.000894", "ben-kia", LAN_TYPED)  # right, but too late
    assert resp.status_code == 400
    assert "quá nhiều lần" in _error(resp.text, "partner_full_name")
    assert 'value="Đỗ Thị Lan"' in resp.text  # what was typed is kept
