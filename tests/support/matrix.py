"""The route matrix's vocabulary and world (tests/security/test_route_matrix.py): who signs
in, what each of them should get, and the dossiers, files and results the routes point at.

The world is built once per module. A row that may change state names a `fresh_*` target:
it gets its own new dossier (or notice) for every request, so no test depends on another.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import session as flask_session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func
from sqlmodel import select

from portal.db import db
from portal.models import Dossier, DossierEvent, Feedback, Notification, Office, Payment, utcnow
from portal.models.ratings import Rating
from portal.services import dossier_codes, filing, uploads
from portal.services.staff import seed_staff
from tests.factories import (
    AN,
    COMMUNE,
    CRIMINAL_RECORD,
    HANH,
    LAN,
    LONG,
    PROVINCE,
    QUYNH,
    RECORD,
    add_dossiers,
    add_rows,
    issue_result,
    load,
    sign_in,
)

OTHER_COMMUNE = "01.00004"  # Phường Hoàn Kiếm, Hà Nội: Long's office
FILING = "2.000635"  # a commune procedure none of the world's dossiers uses (one draft each)
DRAFT_TO_DELETE = "1.000894"  # A's draft that /ho-so-nhap/<id>/xoa deletes (fresh_draft)
DAY = date(2026, 11, 23)
UNKNOWN_CODE = dossier_codes.format_code(COMMUNE, DAY, 9999)  # no dossier has it
# A dossier of the ward's Công an that the citizen sent through the ward's TTPVHCC: the
# centre receives it, the Công an processes it after (services/offices.py).
POLICE, CENTRE = "79.26743.ca", "79.26743.tt"
RESIDENCE = "1.004222"
OFFICES = (
    (COMMUNE, "UBND Phường Bến Thành", "commune"),
    (PROVINCE, "Sở Tư pháp Thành phố Hồ Chí Minh", "department"),
    (POLICE, "Công an Phường Bến Thành", "cong_an_xa"),
    (CENTRE, "Trung tâm Phục vụ hành chính công Phường Bến Thành", "ttpvhcc_xa"),
)
FORWARDED = {"office_code": POLICE, "receiving_office_code": CENTRE, "procedure_code": RESIDENCE}
LOGIN_PATH = "/dang-nhap?next="


# --- who -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    name: str
    personal_id: str | None = None
    full_name: str = ""
    office: str | None = None  # staff only


ROLES = (
    Role("logged_out"),
    Role("citizen_a", AN, "Nguyễn Văn An"),  # owns the dossiers under test
    Role("citizen_b", LAN, "Đỗ Thị Lan"),
    Role("clerk_x", HANH, "Trương Thị Hạnh", COMMUNE),  # every role at A's commune
    Role("clerk_y", LONG, "Đặng Văn Long", OTHER_COMMUNE),
    Role("province", QUYNH, "Phan Thị Quỳnh", PROVINCE),
    Role("police", "079086204517", "Lê Minh Tuấn", POLICE),  # every role at the Công an
    Role("centre", "079195508426", "Đinh Thị Mỹ Linh", CENTRE),  # reception only
)
ROLE = {r.name: r for r in ROLES}
ROLE_NAMES = tuple(ROLE)


# --- what they should get --------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    location: str | None = None  # a redirect's target starts with this (formatted with values)
    writes: bool = False  # may change what the world holds; if False nothing may change

    @property
    def refused(self) -> bool:
        return self.status in (401, 403, 404) or self.location == LOGIN_PATH


OK = Expect(200)
LOGIN = Expect(302, LOGIN_PATH)
UNAUTHORIZED = Expect(401)  # the JSON API's "log in first"
FORBIDDEN = Expect(403)  # the staff-only page
NOT_FOUND = Expect(404)


def redirect(to: str, *, writes: bool = False) -> Expect:
    return Expect(302, to, writes)


def outcomes(default: Expect, anonymous: Expect = LOGIN, **by_role: Expect) -> dict:
    """Every role's expected outcome: `default`, except the logged-out visitor and `by_role`."""
    unknown = set(by_role) - set(ROLE_NAMES)
    assert not unknown, f"unknown roles {unknown}"
    return {"logged_out": anonymous} | {n: by_role.get(n, default) for n in ROLE_NAMES[1:]}


def owner_only(ok: Expect, anonymous: Expect = LOGIN) -> dict:
    """Citizen A's own dossier: everyone else is told it does not exist."""
    return outcomes(NOT_FOUND, anonymous, citizen_a=ok)


def office_only(role: str, ok: Expect) -> dict:
    """A dossier of `role`'s office: other offices and citizens are told it does not exist."""
    return outcomes(NOT_FOUND, **{role: ok})


def staff_only(**clerks: Expect) -> dict:
    """A staff page that is not about one dossier: citizens get the staff-only page."""
    return outcomes(FORBIDDEN, **clerks)


@dataclass(frozen=True)
class Row:
    """One private route, aimed at one target, and what each role gets there."""

    method: str
    rule: str
    expect: dict
    target: str = "commune"

    def __post_init__(self) -> None:
        assert tuple(self.expect) == ROLE_NAMES, f"{self.rule}: give every role an outcome"

    def id_for(self, role: str) -> str:
        aimed = f" [{self.target}]" if self.target not in ("commune", "none") else ""
        return f"{self.method} {self.rule}{aimed} as {role}"


PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def path_of(rule: str, values: dict) -> str:
    return PARAM.sub(lambda m: str(values[m[1]]), rule)


def form_of(rule: str, values: dict, token: str) -> dict:
    """What a POST sends: a valid CSRF token and the target's values not used in the path."""
    in_path = set(PARAM.findall(rule))
    return {"csrf_token": token} | {k: v for k, v in values.items() if k not in in_path}


# --- the world ----------------------------------------------------------------------------------


@dataclass
class Seen:
    """A dossier and the strings that must not reach anyone not allowed to see it."""

    code: str
    owner: str
    office: str
    secrets: tuple[str, ...]
    receiving: str | None = None  # the receiving point, when it is another office


@dataclass
class World:
    app: object
    dossiers: list[Seen] = field(default_factory=list)
    static: dict = field(default_factory=dict)  # target name → values
    verification_codes: list[str] = field(default_factory=list)
    file_tokens: list[str] = field(default_factory=list)

    def target(self, name: str) -> dict:
        """The values (path parameters, form fields) of a target; fresh ones are made now."""
        if name in self.static:
            return dict(self.static[name])
        return getattr(self, name)()

    def add(self, spec: dict) -> str:
        [code] = add_dossiers(self.app, spec)
        found = load(self.app, code)
        name = found.data["applicant_full_name"]
        receiving = found.receiving_office_code
        self.dossiers.append(
            Seen(code, found.applicant_id, found.office_code, (code, name), receiving)
        )
        return code

    # fresh targets: a new dossier (or notice) for every request that may change it

    def fresh_submitted(self) -> dict:
        code = self.add({})
        return {"code": code, "action": "receive", "version": "1", "ho_so": code}

    def fresh_province(self) -> dict:
        code = self.add({"office_code": PROVINCE, "procedure_code": CRIMINAL_RECORD})
        return {"code": code, "action": "receive", "version": "1", "ho_so": code}

    def fresh_forwarded(self) -> dict:
        """Sent through the centre, not yet received: the centre's turn."""
        code = self.add(FORWARDED)
        return {"code": code, "action": "receive", "version": "1", "ho_so": code}

    def fresh_forwarded_received(self) -> dict:
        """Received by the centre: the Công an's turn to process it."""
        code = self.add(FORWARDED | {"status": "received"})
        return {"code": code, "action": "start", "version": "1", "ho_so": code}

    def fresh_approved(self) -> dict:
        code = self.add({"status": "approved"})
        return {"code": code, "ho_so": code}

    def fresh_supplement(self) -> dict:
        code = self.add({"status": "supplement_requested", "version": 3})
        return {"code": code, "version": "3", "supplement": "Đã bổ sung bản sao giấy tờ."}

    def fresh_returned(self) -> dict:
        """Returned: its rating answers every criterion of the service index (the first)."""
        questions = self.app.extensions["service_index"].questions
        answers = {q.key: q.answers[0].key for q in questions}
        return {"code": self.add({"status": "returned"}), **answers, "comment": "Nhanh"}

    def fresh_awaiting_payment(self) -> dict:
        """A fee of 2.000 đồng to pay; the world has no gateway (paying is refused with a
        message on the dossier page)."""
        return {"code": self.add({"status": "awaiting_payment", "fee_amount": 2000,
                                  "received_at": None})}  # fmt: skip

    def fresh_draft(self) -> dict:
        """A's own draft of a procedure of its own (deleting it is the one write allowed)."""
        with self.app.app_context(), db.new_session() as session:
            proc = self.app.extensions["catalogue"].get(DRAFT_TO_DELETE)
            return {"draft_id": filing.get_or_create_draft(session, proc, AN).id}

    def fresh_notice(self) -> dict:
        dossier = load(self.app, self.static["commune"]["code"])
        add_rows(self.app, Notification(personal_id=AN, dossier_id=dossier.id, text="Có thông báo"))
        return {}

    # checks

    def snapshot(self) -> tuple:
        """Every filed dossier's status and version, the ratings, the unread notices."""
        with self.app.app_context(), db.new_session() as session:
            dossiers = session.exec(
                select(Dossier.code, Dossier.status, Dossier.version).where(
                    Dossier.code.is_not(None)  # type: ignore[union-attr]
                )
            ).all()
            ratings = session.exec(select(func.count()).select_from(Rating)).one()
            unread = session.exec(
                select(Notification.id).where(Notification.read_at.is_(None))  # type: ignore[union-attr]
            ).all()
        return sorted(dossiers), ratings, sorted(unread)

    def hidden(self, role: Role, row: Row, values: dict, refused: bool) -> set[str]:
        """What `role` may not be shown on `row`'s answer: whatever belongs to a dossier that
        is neither theirs nor (on a back-office page) their office's, unless a dossier they may
        see shows it too. A refusal shows nothing of any of those, nor of the dossier asked for."""
        office_scope = row.rule.startswith("/can-bo")
        shown, hidden = set(), set()
        for d in self.dossiers:
            at_office = role.office is not None and role.office in (d.office, d.receiving)
            mine = d.owner == role.personal_id or (office_scope and at_office)
            (shown if mine else hidden).update(d.secrets)
        if refused:
            return hidden | {
                s for d in self.dossiers if d.code == values.get("code") for s in d.secrets
            }
        return hidden - shown


def build_world(app) -> World:
    """A's returned commune dossier with a signed result and an attached file, B's returned
    dossier with the next number at the same office, A's province dossier, A's submitted one,
    and a draft of every signed-in role (so /nop-ho-so/<code>/nop has something to submit)."""
    world = World(app)
    with app.app_context(), db.new_session() as session:
        seed_staff(session)
        for code, name, kind in OFFICES:
            session.add(Office(code=code, name=name, kind=kind, province_code=79))
        session.commit()
    commune = dossier_codes.format_code(COMMUNE, DAY, 1)
    neighbour = dossier_codes.format_code(COMMUNE, DAY, 2)  # the next number, another citizen
    b_data = {"applicant_full_name": "Đỗ Thị Lan", "applicant_personal_id": LAN}
    proc = app.extensions["catalogue"].get(FILING)
    world.static = {
        "none": {},
        "commune": _with_result(world, {"code": commune, "status": "returned"}),
        "neighbour": _with_result(
            world, {"code": neighbour, "status": "returned", "applicant_id": LAN, "data": b_data}
        ),
        "province": {
            "code": world.add({"office_code": PROVINCE, "procedure_code": CRIMINAL_RECORD})
        },
        "submitted": {"code": world.add({})},
        "forwarded": {"code": world.add(FORWARDED)},
        "procedure": {"code": FILING, "step": proc.steps_in_order()[0]},
    }
    world.static["feedback"] = _feedback(world, commune)
    world.static["paid"] = _paid(world)
    app.config["PAYMENT_URL"] = "http://127.0.0.1:9"  # no gateway listens there
    # A's dossier code with B's file, result and letter: ids that exist, but not there
    world.static["crossed"] = world.static["neighbour"] | {"code": commune}
    with app.app_context(), db.new_session() as session:
        for role in ROLES[1:]:
            draft = filing.get_or_create_draft(session, proc, role.personal_id)
            if role.personal_id == AN:
                world.static["draft"] = {"draft_id": draft.id}
    return world


def _feedback(world: World, dossier_code: str) -> dict:
    """A's feedback about his commune dossier (its office answers it); its target values."""
    code, content = f"PA-{COMMUNE}-261123-0001", "Phản ánh riêng của An về thái độ cán bộ"
    dossier = load(world.app, dossier_code)
    add_rows(world.app, Feedback(code=code, personal_id=AN, dossier_id=dossier.id,
                                 office_code=COMMUNE, category="hanh_vi", content=content,
                                 due_date=DAY))  # fmt: skip
    world.dossiers.append(Seen(code, AN, COMMUNE, (code, content)))
    return {"code": code}


def _paid(world: World) -> dict:
    """A's commune dossier whose fee was paid online (its electronic receipt issued)."""
    code = world.add({"fee_amount": 2000})
    add_rows(world.app, Payment(dossier_id=load(world.app, code).id, attempt=1,
                                order_id=f"{code}-1", amount=2000, description="Phí",
                                status="paid", paid_at=utcnow(), transaction_no="GD1",
                                receipt_number=f"BL2026/{COMMUNE}/000001"))  # fmt: skip
    return {"code": code, "attempt": 1}


def _with_result(world: World, spec: dict) -> dict:
    """File the dossier, issue its result (real verification code) and attach a file (real
    token); its target values."""
    app = world.app
    code = world.add(spec)
    dossier_id = load(app, code).id
    verification = issue_result(app, dossier_id).verification_code
    pdf = uploads.Checked(b"%PDF-1.4 to khai", "application/pdf", "to-khai.pdf")
    letter = DossierEvent(  # a supplement request asked for on the way: a letter (Mẫu 02)
        dossier_id=dossier_id,
        actor_id=HANH,
        actor_role="xu_ly",
        action="request_supplement",
        from_status="processing",
        to_status="supplement_requested",
        note="Bản sao giấy khai sinh",
    )
    with app.app_context(), db.new_session() as session:
        token = uploads.store(
            session, Path(app.instance_path) / "uploads", dossier_id, 0, pdf
        ).token
        session.add(letter)
        session.commit()
        event_id = letter.id
    world.dossiers[-1].secrets += (verification, token)
    world.verification_codes.append(verification)
    world.file_tokens.append(token)
    return {"code": code, "token": token, "document": verification, "event_id": event_id}


# --- requests -------------------------------------------------------------------------------


def own_record(*_args, **_kwargs) -> dict:
    """Stands in for registry.my_record: the signed-in person's record (no registry runs)."""
    record = copy.deepcopy(RECORD)
    record["personal_id"]["value"] = current_user.personal_id
    record["full_name"]["value"] = current_user.full_name
    record["household"] = None
    record["permanent_residence"]["value"] |= {"ward_code": 26743, "province_code": 79}
    return record


def client_for(app, role: Role):
    """A new browser for `role` (signed in unless logged out) and a valid CSRF token."""
    client = app.test_client()
    if role.personal_id:
        sign_in(app, client, role.personal_id, role.full_name)
    with app.test_request_context():
        token = generate_csrf()
        raw = flask_session["csrf_token"]
    with client.session_transaction() as s:
        s["csrf_token"] = raw
    return client, token


def send(client, row: Row, values: dict, token: str):
    path = path_of(row.rule, values)
    if row.method == "GET":
        return client.get(path)
    return client.post(path, data=form_of(row.rule, values, token))
