"""Rating a returned dossier on the national service index's criteria (QĐ 766/QĐ-TTg):
every question a radio group, validated on the server, only by the applicant, only after
the result, once (Flask test client)."""

from __future__ import annotations

import re

import pytest

from portal.models import DossierParty
from portal.models.ratings import Rating
from tests.factories import BINH, add_dossiers, add_rows, load, sign_in, stored
from tests.support.filing import csrf_token
from tests.support.html import check_page, get_page


def _questions(app):
    return app.extensions["service_index"].questions


def _best(app) -> dict[str, str]:
    """Every question answered with its best answer."""
    return {q.key: max(q.answers, key=lambda a: a.points or -1).key for q in _questions(app)}


def _returned(app) -> str:
    (code,) = add_dossiers(app, {"status": "returned"})
    return code


def _page(client, code: str) -> str:
    return get_page(client, f"/ho-so/{code}").get_data(as_text=True)


def _post(client, code: str, answers: dict[str, str], comment: str = "") -> object:
    token = csrf_token(client.get(f"/ho-so/{code}").get_data(as_text=True))
    assert token
    data = {"csrf_token": token, **answers, "comment": comment}
    return client.post(f"/ho-so/{code}/danh-gia", data=data)


def test_every_criterion_is_a_radio_group_with_a_legend(portal_app, portal_client):
    code = _returned(portal_app)
    sign_in(portal_app, portal_client)
    html = _page(portal_client, code)
    form = html[html.index('id="danh-gia"') :]
    assert form.count("<fieldset") == len(_questions(portal_app)) >= 5
    for q in _questions(portal_app):
        assert f'<legend class="field__label">{q.text}</legend>' in form
        for a in q.answers:
            assert f'id="{q.key}-{a.key}" name="{q.key}" value="{a.key}"' in form
            assert f'<label for="{q.key}-{a.key}">{a.label}</label>' in form
    assert 'name="csrf_token"' in form


def test_the_applicant_rates_once_and_the_score_is_derived(portal_app, portal_client):
    code = _returned(portal_app)
    sign_in(portal_app, portal_client)
    answers = _best(portal_app)
    resp = _post(portal_client, code, answers, "Nhanh")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#danh-gia")
    (rating,) = stored(portal_app, Rating)
    assert rating.dossier_id == load(portal_app, code).id
    assert (rating.answers, rating.score, rating.comment) == (answers, 5, "Nhanh")
    html = _page(portal_client, code)
    assert "Bạn đã đánh giá hồ sơ này: <strong>5 – Rất hài lòng</strong>" in html
    question = _questions(portal_app)[0]
    assert question.text in html and question.answer(answers[question.key]).label in html

    again = _post(portal_client, code, dict.fromkeys(answers, "tre_han"))  # a second submit
    assert again.status_code == 409
    assert "Bạn đã đánh giá hồ sơ này" in again.get_data(as_text=True)
    assert [r.score for r in stored(portal_app, Rating)] == [5]


def test_worst_answers_give_one_and_an_uncounted_answer_is_left_out(portal_app, portal_client):
    code = _returned(portal_app)
    sign_in(portal_app, portal_client)
    answers = {}
    for q in _questions(portal_app):
        uncounted = [a for a in q.answers if a.points is None]
        answers[q.key] = (uncounted or [min(q.answers, key=lambda a: a.points or 0)])[0].key
    assert _post(portal_client, code, answers).status_code == 302
    (rating,) = stored(portal_app, Rating)
    assert rating.score == 1 and rating.answers == answers


@pytest.mark.parametrize("bad", ["missing", "unknown", "other_question"])
def test_a_missing_or_unknown_answer_is_named_next_to_its_question(portal_app, portal_client, bad):
    code = _returned(portal_app)
    sign_in(portal_app, portal_client)
    answers = _best(portal_app)
    first, second = _questions(portal_app)[:2]
    if bad == "missing":
        del answers[first.key]
    elif bad == "unknown":
        answers[first.key] = "rat_tuyet"
    else:  # an answer key of another question
        answers[first.key] = second.answers[0].key
    resp = _post(portal_client, code, answers, "Giữ ý kiến")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    check_page(html)
    message = "Vui lòng chọn một câu trả lời." if bad == "missing" else "không có trong danh sách"
    error = re.search(rf'<p class="field__error" id="{first.key}-error">(.*?)</p>', html)
    assert error and message in error[1]
    assert f'aria-describedby="{first.key}-error"' in html
    assert html.count('class="field__error"') == 1  # the other questions are fine
    chosen = answers[second.key]
    kept = f'id="{second.key}-{chosen}" name="{second.key}" value="{chosen}" required checked'
    assert kept in html and "Giữ ý kiến" in html  # the choices and the comment are kept
    assert stored(portal_app, Rating) == []


def test_a_party_who_did_not_file_cannot_rate(portal_app, portal_client):
    code = _returned(portal_app)
    dossier_id = load(portal_app, code).id
    add_rows(
        portal_app,
        DossierParty(dossier_id=dossier_id, personal_id=BINH, role="spouse", consent="informed"),
    )
    sign_in(portal_app, portal_client, personal_id=BINH)
    assert "Đánh giá mức độ hài lòng" not in _page(portal_client, code)  # no form for them
    resp = _post(portal_client, code, _best(portal_app))
    assert resp.status_code == 409
    assert "Chỉ người nộp hồ sơ mới đánh giá được." in resp.get_data(as_text=True)
    assert stored(portal_app, Rating) == []


def test_another_citizen_gets_404(portal_app, portal_client):
    code = _returned(portal_app)
    (theirs,) = add_dossiers(portal_app, {"status": "returned", "applicant_id": BINH})
    sign_in(portal_app, portal_client, personal_id=BINH)
    token = csrf_token(portal_client.get(f"/ho-so/{theirs}").get_data(as_text=True))
    resp = portal_client.post(
        f"/ho-so/{code}/danh-gia", data={"csrf_token": token, **_best(portal_app)}
    )
    assert resp.status_code == 404
    assert stored(portal_app, Rating) == []


@pytest.mark.parametrize("status", ["processing", "approved", "rejected"])
def test_before_the_result_there_is_no_rating(portal_app, portal_client, status):
    (code,) = add_dossiers(portal_app, {"status": status})
    sign_in(portal_app, portal_client)
    assert "Đánh giá mức độ hài lòng" not in _page(portal_client, code)
    resp = _post(portal_client, code, {})  # not even the answers are looked at
    assert resp.status_code == 409
    assert "Chỉ đánh giá được khi hồ sơ đã trả kết quả." in resp.get_data(as_text=True)
    assert stored(portal_app, Rating) == []


def test_the_rating_needs_the_csrf_token(portal_app, portal_client):
    code = _returned(portal_app)
    sign_in(portal_app, portal_client)
    resp = portal_client.post(f"/ho-so/{code}/danh-gia", data=_best(portal_app))
    assert resp.status_code == 400
    assert stored(portal_app, Rating) == []
