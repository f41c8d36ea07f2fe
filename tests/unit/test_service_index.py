"""The national service index (QĐ 766/QĐ-TTg): its data file refused at load when the
points do not add up or a measure is unknown, one rating's satisfaction from its answers,
and each group's points from generated dossiers per office, province and body, on SQLite or
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from portal.models import Dossier, DossierEvent, Office
from portal.models.payments import Payment
from portal.models.ratings import Rating
from portal.models.results import ResultDocument
from portal.models.reuse import ReusedDocument
from portal.services import stats
from portal.services.ratings import overall_score, satisfaction_share
from procedures import load_catalogue
from procedures.loader import CatalogueError
from procedures.service_index import HERE, load_service_index
from tests.support.databases import portal_engine

INDEX = load_service_index()
SOURCE = (HERE / "service_index.toml").read_text(encoding="utf-8")
# the progress group with its one indicator: both at 22 make the groups add up to 102
PROGRESS = SOURCE[SOURCE.index("points = 20\n") : SOURCE.index('measure = "on_time"')]


def test_the_six_groups_and_their_points():
    assert [(g.key, g.points) for g in INDEX.groups] == [
        ("cong_khai_minh_bach", 18),
        ("tien_do_giai_quyet", 20),
        ("dich_vu_truc_tuyen", 12),
        ("thanh_toan_truc_tuyen", 10),
        ("muc_do_hai_long", 18),
        ("so_hoa_ho_so", 22),
    ]


# --- the data file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (PROGRESS, PROGRESS.replace("points = 20", "points = 22"), "add up to 102, not 100"),
        # an indicator's points no longer add up to its group's
        ("points = 20\n  measure = \"on_time\"", "points = 19\n  measure = \"on_time\"",
         "not the group's 20"),
        ('measure = "on_time"', 'measure = "speed"', "measure"),  # a measure nobody computes
        ('measure = "documents_reused"', 'measure = "on_time"', "measures used more than once"),
        ('key = "so_co_quan"', 'key = "thoi_gian"', "question keys used more than once"),
        ('key = "so_co_quan"', 'key = "comment"', "rating form uses itself"),
        ('key = "hai"\n  label = "Hai nơi"', 'key = "mot"\n  label = "Hai nơi"', "answer keys"),
        ("how = \"Hồ sơ trả kết quả", "weight = 3\n  how = \"Hồ sơ trả kết quả", "Extra inputs"),
        ("points = 0\n", "points = -1\n", "greater than or equal to 0"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_at_load(tmp_path, old, new, message):
    assert old in SOURCE, old
    path = tmp_path / "service_index.toml"
    path.write_text(SOURCE.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as refused:
        load_service_index(path)
    assert str(refused.value).startswith("service_index.toml: ")
    assert message in str(refused.value)


def test_a_question_whose_answers_give_no_points_is_refused(tmp_path):
    start = SOURCE.index('key = "tong_the"')
    body = SOURCE[start:].replace("points = 2", "points = 0").replace("points = 1", "points = 0")
    path = tmp_path / "service_index.toml"
    path.write_text(SOURCE[:start] + body, encoding="utf-8")
    with pytest.raises(CatalogueError, match="no answer gives points"):
        load_service_index(path)


# --- one rating ------------------------------------------------------------------------------


def _answers(**chosen: str) -> dict[str, str]:
    """Every question at its best answer, except those named."""
    best = {q.key: q.answers[0].key for q in INDEX.questions}
    return best | chosen


@pytest.mark.parametrize(
    ("answers", "score", "share", "overall"),
    [
        (_answers(), None, 1.0, 5),
        (_answers(tiep_thu="khong_gui"), None, 1.0, 5),  # not counted: 12 / 12
        (_answers(thoi_gian="tre_han", so_lan_lien_he="nhieu_lan"), None, 10 / 14, 4),
        (_answers(thoi_gian="dung_han", thai_do="binh_thuong", tong_the="binh_thuong"),
         None, 11 / 14, 4),
        ({q.key: q.answers[-1].key for q in INDEX.questions}, None, 0.0, 1),  # tiep_thu: 0 / 12
        (None, 1, 0.0, None),  # rated before the criteria were asked: (score - 1) / 4
        (None, 4, 0.75, None),
        ({"gone": "x", "thoi_gian": "khong_ro"}, 3, 0.5, None),  # nothing counts any more
    ],
)  # fmt: skip
def test_satisfaction_of_one_rating(answers, score, share, overall):
    assert satisfaction_share(INDEX, answers, score or 3) == pytest.approx(share)
    if overall is not None:
        assert overall_score(INDEX, answers) == overall


# --- the groups from generated dossiers ---------------------------------------------------------

XA, CA, HN = "79.26743", "79.26743.ca", "01.00004"
FULL, PARTIAL = "1.004194", "1.000894"
DAY = date(2026, 12, 7)  # a Monday
_serial = iter(range(1, 1_000_000))


@pytest.fixture
def session(tmp_path):
    with portal_engine(tmp_path) as engine, Session(engine) as session:
        session.add_all(
            [
                Office(code=XA, name="UBND Phường Bến Thành", kind="ubnd_xa", province_code=79),
                Office(code=CA, name="Công an Phường Bến Thành", kind="cong_an_xa",
                       province_code=79),
                Office(code=HN, name="UBND Phường Ba Đình", kind="ubnd_xa", province_code=1),
            ]
        )  # fmt: skip
        session.commit()
        yield session


def _utc(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC) - timedelta(hours=7)


def dossier(
    session,
    *,
    office=XA,
    procedure=PARTIAL,
    returned: int | None = None,  # days after DAY; None: still processing
    due: int = 5,
    fee: int = 0,
    paid: str | None = None,  # the payment's status
    received_event: bool = False,
    result: bool = False,
    reused: bool = False,
    rating: dict | None = None,
    score: int = 3,
    rated: bool = False,
) -> Dossier:
    n = next(_serial)
    row = Dossier(
        code=f"{office}-IDX-{n:05d}",
        procedure_code=procedure,
        procedure_version=1,
        applicant_id=f"{n:012d}",
        draft_key=None,
        status="processing" if returned is None else "returned",
        office_code=office,
        fee_amount=fee,
        submitted_at=_utc(DAY),
        received_at=_utc(DAY),
        due_date=DAY + timedelta(days=due),
        original_due_date=DAY + timedelta(days=due),
        returned_at=None if returned is None else _utc(DAY + timedelta(days=returned)),
        decided_at=None if returned is None else _utc(DAY + timedelta(days=returned)),
    )
    session.add(row)
    session.flush()
    if received_event:
        session.add(
            DossierEvent(dossier_id=row.id, actor_id="079187090123", actor_role="reception",
                         from_status="submitted", to_status="received", action="receive")
        )  # fmt: skip
    if paid:
        session.add(
            Payment(dossier_id=row.id, attempt=1, order_id=f"{row.code}-1", amount=fee,
                    description="Lệ phí", status=paid)
        )  # fmt: skip
    document = None
    if result or reused:
        document = ResultDocument(
            dossier_id=row.id, number=f"{n}/2026", kind="k", title="Kết quả", office_code=office,
            office_name="UBND", signer_id="079187090123", signer_name="Hạnh",
            issued_at=_utc(DAY), verification_code=f"V{n:08d}", signature="s", key_id="k",
        )  # fmt: skip
        session.add(document)
        session.flush()
    if reused:  # its document, for the test, is one the same dossier reuses
        assert document is not None
        session.add(ReusedDocument(dossier_id=row.id, component=0, result_id=document.id))
    if rating is not None or rated:
        session.add(
            Rating(dossier_id=row.id, score=score, answers=rating, created_at=_utc(DAY, 12))
        )
    session.commit()
    return row


def index_of(session, by_body=None, **filters) -> stats.ServiceIndexReport:
    f = stats.StatsFilter(**filters)
    report = stats.compute(session, f, [FULL])
    return stats.service_index(session, report, INDEX, by_body or {})


def points(scores: stats.IndexScores) -> dict[str, float | None]:
    return {g.key: None if g.points is None else round(g.points, 4) for g in scores.groups}


def _publicity(session):
    dossier(session, received_event=True)
    dossier(session)  # no reception step on its timeline: not tracked
    return {"ubnd_xa": (4, 3)}  # the body's procedures: 4, of which 3 complete


def _progress(session):
    dossier(session, returned=2, due=5)  # before
    dossier(session, returned=5, due=5)  # on the day
    dossier(session, returned=4, due=5)
    dossier(session, returned=6, due=5)  # late


def _online(session):
    dossier(session, procedure=FULL)
    for _ in range(3):
        dossier(session)


def _payment(session):
    dossier(session, fee=8000, paid="paid")
    dossier(session, fee=8000, paid="refunded")  # paid online, refunded at reception later
    dossier(session, fee=8000, paid="pending")
    dossier(session, fee=0)  # no fee: not in the measure


def _satisfaction(session):
    dossier(session, returned=1, rating={q.key: q.answers[0].key for q in INDEX.questions})
    dossier(session, returned=1, score=3, rated=True)  # an old score-only rating: 0.5


def _digitisation(session):
    dossier(session, returned=1, result=True)
    dossier(session, returned=1, reused=True)  # an electronic result too, and a reuse
    dossier(session, returned=1)
    dossier(session, returned=1)


# group → (data builder, expected points of that group)
CASES = {
    "cong_khai_minh_bach": (_publicity, 18 * (9 * 0.75 + 9 * 0.5) / 18),
    "tien_do_giai_quyet": (_progress, 20 * 0.75),
    "dich_vu_truc_tuyen": (_online, 12 * 0.25),
    "thanh_toan_truc_tuyen": (_payment, 10 * 2 / 3),
    "muc_do_hai_long": (_satisfaction, 18 * 0.75),
    "so_hoa_ho_so": (_digitisation, 22 * (11 * 0.5 + 11 * 0.25) / 22),
}


@pytest.mark.parametrize("group", list(CASES))
def test_each_group_from_the_portals_data(session, group):
    build, expected = CASES[group]
    by_body = build(session)
    got = points(index_of(session, by_body).total)
    assert got[group] == pytest.approx(expected, abs=1e-4)


def test_a_group_without_data_is_none_and_the_total_is_over_the_rest(session):
    dossier(session, returned=2, due=5, received_event=True)  # before the due date, no fee
    index = index_of(session, {"ubnd_xa": (2, 2)})
    got = points(index.total)
    assert got["thanh_toan_truc_tuyen"] is None  # no fee dossier
    assert got["muc_do_hai_long"] is None  # no rating
    # publicity 18, progress 20, online 0 of 12, digitisation 0 of 22 (no result, no reuse)
    assert got["cong_khai_minh_bach"] == 18 and got["tien_do_giai_quyet"] == 20
    assert index.total.total == pytest.approx(100 * 38 / (18 + 20 + 12 + 22))


def test_nothing_in_scope_gives_no_scores(session):
    index = index_of(session)
    assert index.offices == [] and index.provinces == [] and index.bodies == []
    assert index.total.total is None
    assert set(points(index.total).values()) == {None}


def test_offices_roll_up_to_provinces_and_bodies(session):
    dossier(session, office=XA, returned=2)  # on time
    dossier(session, office=CA, returned=9)  # late
    dossier(session, office=HN, returned=2, procedure=FULL)
    index = index_of(session, {"ubnd_xa": (2, 1), "cong_an_xa": (1, 1)})
    by_office = {o.code: o for o in index.offices}
    assert {c: o.body for c, o in by_office.items()} == {
        XA: "ubnd_xa", CA: "cong_an_xa", HN: "ubnd_xa"
    }  # fmt: skip
    progress = "tien_do_giai_quyet"
    assert points(by_office[XA].scores)[progress] == 20
    assert points(by_office[CA].scores)[progress] == 0
    provinces = {code: points(s) for code, s in index.provinces}
    assert provinces[79][progress] == 10 and provinces[1][progress] == 20
    bodies = dict(index.bodies)
    assert points(bodies["ubnd_xa"])[progress] == 20
    assert points(bodies["cong_an_xa"])[progress] == 0
    # publicity counts procedure × office pairs: ubnd_xa 2 offices × (1 of 2), cong_an_xa 1/1
    assert bodies["ubnd_xa"].counts.procedures == 4
    assert index.total.counts.procedures_complete == 1 + 1 + 1
    # the province filter keeps its offices only
    only_hn = index_of(session, province_code=1)
    assert [o.code for o in only_hn.offices] == [HN]
    assert [code for code, _ in only_hn.provinces] == [1]


def test_catalogue_completeness_reads_the_confidence_marks():
    catalogue = load_catalogue()
    by_body = stats.procedures_by_body(catalogue.procedures.values())
    assert sum(total for total, _ in by_body.values()) == len(catalogue.procedures)
    assert all(0 <= complete <= total for total, complete in by_body.values())
