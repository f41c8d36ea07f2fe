"""The dossiers the portal benchmarks seed (scripts.bench_seed writes them): rows as filing
and the clerks would have left them, and who files them where.

`DossierFactory` makes one dossier per owner (personal ID, ward of the office chosen,
status or None for a random one) from `dossier_owners`, which follows a `Spread`: by
default every dossier goes to its applicant's commune (or province department); the
back-office scenario sends a share to one province and part of that to one busy commune,
plus a backlog of newly submitted dossiers there for the clerk to receive. A filed dossier
has a status that suits its age, the timeline of the steps it went through, and a returned
one sometimes a rating.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.services.deadlines import CUTOFF, due_date, to_local
from portal.services.dossier_codes import format_code

PERSONA_DOSSIERS = 40  # dossiers of each level-2 persona (the dashboard clients)
DRAFT_SHARE = 0.05  # dossiers still being written
SPAN_DAYS, RECENT_DAYS = 730, 30  # filed over two years; older ones are mostly settled
BACKLOG_DAYS = 6  # the backlog was filed over the last days
# (status, weight) of filed dossiers, by age
RECENT = (("submitted", 20), ("received", 20), ("processing", 30), ("supplement_requested", 10),
          ("approved", 12), ("rejected", 5), ("withdrawn", 3))  # fmt: skip
SETTLED = (("returned", 85), ("rejected", 7), ("withdrawn", 5), ("approved", 3))
STARTED = {"processing", "supplement_requested", "approved", "rejected", "returned"}
DECIDED = {"approved", "rejected", "returned"}
LATE_SHARE = 0.07  # decided some days after the plan
RATED_SHARE = 0.4  # returned dossiers whose applicant rated the service
SCORES = ((1, 2), (2, 3), (3, 10), (4, 35), (5, 50))  # (score, weight)
CLERK = "000000000000"  # actor of the seeded clerks' events
# how often each procedure is filed (others: 1)
PROCEDURE_WEIGHTS = {"1.001193": 18, "2.000815": 15, "1.004222": 12, "1.004194": 12,
                     "2.000884": 8, "1.004873": 8, "3.000333": 8, "2.000635": 5,
                     "1.000894": 5, "1.014137": 5, "1.000656": 3}  # fmt: skip
TEXT_VALUE = "Kê khai để đo hiệu năng"


def typed_value(field) -> str | None:
    """A valid value for a typed (not prefilled) form field; None for a personal ID."""
    if field.type == "select":
        return field.options[0]
    if field.type == "number":
        return "1"
    if field.type == "date":
        return "2026-01-05"
    if field.type == "checkbox":
        return "có"
    if field.type == "personal_id":
        return None
    return TEXT_VALUE[: field.max_length]


def typed_values(proc) -> dict[str, str]:
    return {f.name: v for f in proc.fields if not f.prefill and (v := typed_value(f)) is not None}


# --- where dossiers go --------------------------------------------------------------------


# The workflow action behind each generated step (services/workflow.ACTIONS).
STEP_ACTIONS = {
    "submitted": "submit", "withdrawn": "withdraw", "received": "receive",
    "refused_reception": "refuse_reception", "processing": "start",
    ("supplement_requested", "processing"): "resubmit",
    "supplement_requested": "request_supplement", "approved": "approve",
    "rejected": "reject", "returned": "return",
}  # fmt: skip


@dataclass(frozen=True)
class Spread:
    """A share of the dossiers filed in one province, part of those at one busy commune
    (the citizen's choice of commune), and a backlog of submitted ones at that commune."""

    province: int | None = None
    province_share: float = 0.0
    busy_ward: int | None = None
    busy_share: float = 0.0  # of the province's dossiers
    backlog: int = 0


Owner = tuple[str, int, str | None]  # personal ID, ward of the office, forced status


def dossier_owners(
    personas: list[tuple[str, int]], applicants: list[tuple[str, int]], total: int, rng,
    spread: Spread = Spread(),
) -> Iterator[Owner]:  # fmt: skip
    """The owner of each of `total` dossiers: each persona a few, the backlog at the busy
    commune last, the rest at random following `spread`."""
    from common import divisions

    each = min(PERSONA_DOSSIERS, total // max(1, 2 * len(personas)))
    for pid, ward in personas:
        yield from itertools.repeat((pid, ward, None), each)
    wards = divisions.wards()
    local = [a for a in applicants if wards[a[1]].province_code == spread.province]
    elsewhere = [a for a in applicants if wards[a[1]].province_code != spread.province]
    backlog = min(spread.backlog, max(0, total - each * len(personas)))
    for _ in range(total - each * len(personas) - backlog):
        if local and rng.random() < spread.province_share:
            pid, ward = rng.choice(local)
            if spread.busy_ward and rng.random() < spread.busy_share:
                ward = spread.busy_ward
        else:
            pid, ward = rng.choice(elsewhere or applicants)
        yield pid, ward, None
    if backlog:
        busy = spread.busy_ward
        if busy is None:
            raise ValueError("a backlog is filed at the busy commune: give busy_ward")
        for _ in range(backlog):
            yield rng.choice(local or applicants)[0], busy, "submitted"


# --- rows ---------------------------------------------------------------------------------


class Pick:
    """A weighted random choice among fixed values, the cumulative weights summed once."""

    def __init__(self, pairs) -> None:
        self.values, weights = zip(*pairs, strict=True)
        self.cumulative = list(itertools.accumulate(weights))

    def __call__(self, rng: random.Random):
        return rng.choices(self.values, cum_weights=self.cumulative)[0]


STATUS_BY_AGE = {True: Pick(RECENT), False: Pick(SETTLED)}  # key: filed in the last days
SCORE = Pick(SCORES)


class DossierFactory:
    """Dossier rows, their timeline events and ratings as filing and the clerks leave them."""

    def __init__(self, catalogue, rng: random.Random, now: datetime, bench_code: str) -> None:
        from portal.services.offices import office_code

        self.office_code, self.catalogue = office_code, catalogue
        self.rng, self.now, self.bench_code = rng, now, bench_code
        procedures = sorted(catalogue.procedures.values(), key=lambda p: p.code)
        weighted = [(p, PROCEDURE_WEIGHTS.get(p.code, 1)) for p in procedures]
        self.procedure = Pick(weighted)
        self.commune_procedure = Pick((p, w) for p, w in weighted if p.authority == "ubnd_xa")
        self.templates = {p.code: typed_values(p) for p in procedures}
        self.sequences: Counter[tuple[str, date]] = Counter()  # last number per office, day
        self.drafts: set[tuple[str, str]] = set()  # (applicant, procedure) with a draft
        self.dues: dict[tuple, date] = {}
        self.next_id = 1
        self.counts: Counter[str] = Counter()  # "events", "ratings"

    def chunks(self, owners: Iterator[Owner], size: int) -> Iterator[tuple[list, list, list]]:
        """(dossier rows, event rows, rating rows) for each owner, `size` dossiers at a time."""
        dossiers: list[dict] = []
        events: list[dict] = []
        ratings: list[dict] = []
        for applicant, ward, status in owners:
            row = self.dossier(applicant, ward, status)
            row["id"], self.next_id = self.next_id, self.next_id + 1
            dossiers.append(row)
            if row["submitted_at"]:
                events += self.events(row)
                if row["status"] == "returned" and self.rng.random() < RATED_SHARE:
                    ratings.append(self.rating(row))
            if len(dossiers) == size:
                yield dossiers, events, ratings
                self.counts.update(events=len(events), ratings=len(ratings))
                dossiers, events, ratings = [], [], []
        if dossiers:
            self.counts.update(events=len(events), ratings=len(ratings))
            yield dossiers, events, ratings

    def dossier(self, applicant: str, ward: int, status: str | None = None) -> dict:
        proc = (self.procedure if status is None else self.commune_procedure)(self.rng)
        row = {
            "procedure_code": proc.code,
            "procedure_version": proc.version,
            "applicant_id": applicant,
            "data": dict(self.templates[proc.code]),
            "routing_reason": None,
            "locked_hash": None,
            "fee_amount": None,
            "fee_rule": None,
            "fee_reason": None,
        }
        key = (applicant, proc.code)
        if (
            status is None
            and self.rng.random() < DRAFT_SHARE
            and key not in self.drafts
            and proc.code != self.bench_code
        ):
            self.drafts.add(key)
            return row | self.draft()
        return row | self.filed(proc, ward, status)

    def draft(self) -> dict:
        created = self.now - timedelta(days=60 * self.rng.random())
        return {
            "code": None, "draft_key": "draft", "status": "draft", "office_code": None,
            "submitted_at": None, "received_at": None, "due_date": None, "original_due_date": None,
            "paused_at": None,
            "decided_at": None, "returned_at": None, "version": 1,
            "created_at": created, "updated_at": created,
        }  # fmt: skip

    def filed(self, proc, ward: int, status: str | None = None) -> dict:
        """A filed dossier: a backlog one (`status` given) in the last days, else one of the
        last two years with a status that suits its age."""
        rng = self.rng
        days = BACKLOG_DAYS if status else SPAN_DAYS
        age = timedelta(days=days * rng.random())
        if status is None:
            status = STATUS_BY_AGE[age.days < RECENT_DAYS](rng)
        submitted = self.now - age
        office = self.office(proc, ward)
        day = to_local(submitted).date()
        self.sequences[office, day] += 1
        steps = self.steps(status, submitted, proc.processing.days)
        due = self.due(steps["received"], proc.processing.days) if "received" in steps else None
        return {
            "code": format_code(office, day, self.sequences[office, day]),
            "draft_key": None, "status": status, "office_code": office,
            "routing_reason": "Xã/phường nơi bạn thường trú (theo CSDLQG về dân cư).",
            "fee_amount": proc.fees.base, "fee_rule": "base",
            "fee_reason": "Lệ phí theo biểu phí của thủ tục",
            "submitted_at": submitted, "received_at": steps.get("received"),
            "due_date": due, "original_due_date": due,
            "paused_at": steps.get("supplement_requested"),
            "decided_at": steps.get("approved") or steps.get("rejected"),
            "returned_at": steps.get("returned"), "version": 1 + len(steps),
            "created_at": submitted - timedelta(minutes=rng.uniform(2, 30)),
            "updated_at": max(steps.values()), "_steps": steps,
        }  # fmt: skip

    def steps(self, status: str, submitted: datetime, working_days: int) -> dict[str, datetime]:
        """When the dossier reached each status on its way to `status` (in order)."""
        rng, now = self.rng, self.now
        steps = {"submitted": submitted}

        def then(name: str, hours: float) -> None:
            steps[name] = min(list(steps.values())[-1] + timedelta(hours=hours), now)

        if status == "withdrawn":
            then("withdrawn", rng.uniform(1, 72))
        elif status != "submitted":
            then("received", rng.uniform(0.5, 48))
        if status in STARTED:
            then("processing", rng.uniform(0.5, 24))
        if status == "supplement_requested":
            then("supplement_requested", rng.uniform(2, 72))
        if status in DECIDED:
            decision = "rejected" if status == "rejected" else "approved"
            late = 24 * rng.uniform(1, 10) if rng.random() < LATE_SHARE else 0
            then(decision, 24 * working_days * rng.uniform(0.1, 0.9) + rng.uniform(1, 6) + late)
        if status == "returned":
            then("returned", rng.uniform(0.5, 5))
        return steps

    def office(self, proc, ward: int) -> str:
        from common import divisions

        province = divisions.wards()[ward].province_code
        return self.office_code(self.catalogue.authority(proc), province=province, ward=ward)

    def due(self, moment: datetime, working_days: int) -> date:
        local = to_local(moment)
        key = (local.date(), local.time() > CUTOFF, working_days)
        if key not in self.dues:
            self.dues[key] = due_date(moment, working_days)
        return self.dues[key]

    @staticmethod
    def events(row: dict) -> list[dict]:
        """The timeline: one event per step after the draft (the citizen's or a clerk's)."""
        steps = list(row.pop("_steps").items())
        events = []
        for (before, _), (status, at) in zip([("draft", None), *steps], steps, strict=False):
            citizen = status in ("submitted", "withdrawn")
            events.append({
                "dossier_id": row["id"], "at": at,
                "actor_id": row["applicant_id"] if citizen else CLERK,
                "actor_role": "citizen" if citizen else "tiep_nhan",
                "action": STEP_ACTIONS.get((before, status)) or STEP_ACTIONS[status],
                "from_status": before, "to_status": status,
                "note": "Nộp hồ sơ trực tuyến" if status == "submitted" else None,
            })  # fmt: skip
        return events

    def rating(self, row: dict) -> dict:
        score = SCORE(self.rng)
        at = min(row["returned_at"] + timedelta(hours=self.rng.uniform(1, 96)), self.now)
        return {"dossier_id": row["id"], "score": score, "comment": None, "created_at": at}
