"""The rules of the citizen's channels, as data: the feedback's due date on the working-day
calendar (weekends, the 15:00 cut-off, Tết 2026), the postal charge by zone, the postal item
number's check digit, and the data files' validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from common import divisions
from portal.models import Dossier, Office
from portal.services import delivery, feedback
from procedures.channels import delivery_rules, feedback_rules
from procedures.loader import CatalogueError, _parse

VN = timedelta(hours=7)


def _local(*args: int) -> datetime:
    """A Vietnam wall-clock moment as the aware UTC the portal stores."""
    return datetime(*args, tzinfo=UTC) - VN


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (_local(2026, 12, 7, 9, 0), date(2026, 12, 21)),  # a Monday: 10 working days on
        (_local(2026, 12, 4, 15, 0), date(2026, 12, 18)),  # Friday 15:00 still counts that day
        (_local(2026, 12, 4, 15, 1), date(2026, 12, 21)),  # after 15:00: from Monday
        (_local(2026, 12, 5, 10, 0), date(2026, 12, 21)),  # a Saturday: from Monday
        (_local(2026, 12, 6, 23, 59), date(2026, 12, 21)),  # a Sunday night
        (_local(2026, 2, 12, 10, 0), date(2026, 3, 5)),  # Tết 16–20/02/2026 is not counted
        (_local(2026, 2, 17, 8, 0), date(2026, 3, 9)),  # sent during Tết: from 23/02
        (_local(2026, 8, 21, 9, 0), date(2026, 9, 8)),  # Sat 22/08 worked; 31/08–02/09 off
    ],
)
def test_feedback_is_due_ten_working_days_after_the_day_received(received, due):
    assert feedback_rules().answer_working_days == 10
    assert feedback.due_date(received) == due


@pytest.mark.parametrize(
    ("received", "by"),
    [
        (_local(2026, 12, 7, 9, 0), date(2026, 12, 10)),
        (_local(2026, 12, 5, 10, 0), date(2026, 12, 10)),  # a Saturday: from Monday
        (_local(2026, 2, 12, 10, 0), date(2026, 2, 24)),  # 13/02, then 23 and 24/02 after Tết
    ],
)
def test_feedback_is_classified_within_three_working_days(received, by):
    item = feedback.Feedback(
        code="PA-x", personal_id="1", office_code="x", category="hanh_vi", content="c",
        due_date=date(2026, 12, 21), created_at=received,
    )  # fmt: skip
    assert feedback.classify_by(item) == by


def test_overdue_only_after_the_due_day_and_only_while_open():
    item = feedback.Feedback(
        code="PA-x", personal_id="1", office_code="x", category="hanh_vi", content="c",
        due_date=date(2026, 12, 21),
    )  # fmt: skip
    assert not feedback.is_overdue(item, date(2026, 12, 21))
    assert feedback.is_overdue(item, date(2026, 12, 22))
    item.status = "answered"
    assert not feedback.is_overdue(item, date(2026, 12, 22))


def test_answered_on_time_compares_the_local_answer_day_with_the_due_date():
    item = feedback.Feedback(
        code="PA-x", personal_id="1", office_code="x", category="hanh_vi", content="c",
        due_date=date(2026, 12, 21),
    )  # fmt: skip
    item.answered_at = _local(2026, 12, 21, 23, 30)  # 16:30 UTC, still the 21st in Vietnam
    assert feedback.answered_on_time(item)
    item.answered_at = _local(2026, 12, 22, 0, 30)
    assert not feedback.answered_on_time(item)


BEN_THANH = divisions.wards()[26743]
OFFICE = Office(code="79.26743", name="UBND Phường Bến Thành", kind="ubnd_xa", province_code=79,
                ward_code=26743)  # fmt: skip
OTHER_HCMC = next(w for w in divisions.wards_of(79) if w.code != 26743)
HANOI = divisions.wards_of(1)[0]


@pytest.mark.parametrize(
    ("ward", "office", "zone", "amount"),
    [
        (BEN_THANH, OFFICE, "same_commune", 26_000),
        (OTHER_HCMC, OFFICE, "same_province", 30_000),
        (HANOI, OFFICE, "other_province", 31_500),
        (BEN_THANH, None, "other_province", 31_500),  # no receiving point known: the highest
    ],
)
def test_the_postal_charge_follows_the_zone_from_the_receiving_point(ward, office, zone, amount):
    assert delivery.zone(ward, office) == zone
    assert delivery_rules().tariff(zone).amount == amount


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("EB123456785VN", True),
        ("eb 1234 5678 5vn", True),  # spaces and case are the clerk's, not the number's
        ("EB123456784VN", False),  # wrong check digit
        ("EB12345678VN", False),
        ("EB123456785US", False),  # a Vietnamese item
        ("RR000000005VN", True),  # check 11 → 5
        ("RR000000010VN", False),
        ("", False),
        ("EB1234\x0056785VN", False),
    ],
)
def test_postal_item_numbers_are_upu_s10_with_their_check_digit(typed, ok):
    assert (delivery.ref_problem(typed) is None) is ok


def test_the_handover_records_the_paper_given_or_the_item_posted():
    now = _local(2026, 12, 7, 9, 0)
    posted = Dossier(procedure_code="x", procedure_version=1, applicant_id="1",
                     delivery_method="post", delivery_address="15 Lê Lợi")  # fmt: skip
    with pytest.raises(ValueError, match="số hiệu bưu gửi"):
        delivery.handover(posted, None, now)
    columns, note = delivery.handover(posted, "eb123456785vn", now)
    assert columns == {"delivered_at": now, "delivery_ref": "EB123456785VN"}
    assert note and "EB123456785VN" in note and "07/12/2026" in note
    posted.delivery_method = "counter"
    assert delivery.handover(posted, None, now) == (
        {"delivered_at": now},
        "Đã trao bản giấy kết quả tại nơi tiếp nhận ngày 07/12/2026.",
    )
    posted.delivery_method = "online"
    assert delivery.handover(posted, "whatever", now) == ({}, None)


def test_every_procedure_offers_paper_unless_listed_electronic_only(monkeypatch):
    assert delivery.methods_for("1.001193") == ("online", "counter", "post")
    rules = delivery_rules().model_copy(update={"electronic_only": ("1.001193",)})
    monkeypatch.setattr(delivery, "rules", lambda: rules)
    assert delivery.methods_for("1.001193") == ("online",)


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("feedback.toml", 'source = "x"\nconfidence = "law"\nclassify_working_days = 3\n'
         "answer_working_days = 0\n[[categories]]\nkey = \"a\"\nlabel = \"A\"\n",
         "answer_working_days"),
        ("delivery.toml", 'source = "x"\nshort = "x"\nconfidence = "law"\n[methods.online]\n'
         'label = "x"\n[[post_tariff]]\nzone = "same_commune"\nlabel = "x"\namount = 1\n',
         "methods"),
    ],
)  # fmt: skip
def test_a_malformed_rules_file_is_refused_naming_the_field(tmp_path, name, text, problem):
    from procedures.channels import DeliveryRules, FeedbackRules

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    model = FeedbackRules if name.startswith("feedback") else DeliveryRules
    with pytest.raises(CatalogueError, match=problem):
        _parse(path, model)
