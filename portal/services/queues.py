"""An office's dossier queues for the back office (/can-bo): tabs, counts and one page of
rows in a chosen order. Plain functions over a session; every query filters on the office
first so the (office_code, status, due_date) index serves it, whatever the size of the
dossier table. Only the due-date order can be read from that index (forwards or backwards,
for a one-status tab); the other orders sort the tab's rows.

A dossier the citizen sent through a receiving point (a TTPVHCC, services/routing.py) waits in
that centre's queue until it is received (tabs RECEIVING_TABS, filtered on
receiving_office_code), then in the competent body's; the body's queue leaves it out before."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sql
from sqlalchemy import func
from sqlmodel import Session, col, select

from portal.models import Citizen, Dossier, DossierParty
from portal.models.dossiers import Status
from portal.services import deadlines

PAGE_SIZE = 50
# The clock runs (or should have run) for these: a due or overdue one needs attention.
# supplement_requested is left out: its clock stands still until the citizen resubmits.
OPEN_STATUSES = ("submitted", "received", "processing", "approved")


@dataclass(frozen=True)
class Tab:
    key: str  # the ?tab= value
    label: str
    statuses: tuple[str, ...]
    due: str | None = None  # "soon" | "overdue": a due-date window over OPEN_STATUSES
    received: bool | None = None  # a receiving point's tab: received (forwarded) or not yet


TABS: tuple[Tab, ...] = (
    Tab("cho-tiep-nhan", "Chờ tiếp nhận", ("submitted",)),
    Tab("dang-xu-ly", "Đang xử lý", ("received", "processing")),
    Tab("cho-bo-sung", "Chờ bổ sung", ("supplement_requested",)),
    Tab("cho-tra", "Chờ trả kết quả", ("approved",)),
    Tab("sap-den-han", "Sắp đến hạn", OPEN_STATUSES, "soon"),
    Tab("qua-han", "Quá hạn", OPEN_STATUSES, "overdue"),
    Tab("da-tra", "Đã trả kết quả", ("returned",)),
)
# A receiving point's queue (an office that only receives, services/offices.py): what it
# must receive, what waits for the citizen's supplement, what it forwarded.
FORWARDED_STATUSES = (
    "received",
    "processing",
    "supplement_requested",
    "awaiting_confirmation",
    "awaiting_appearance",
    "approved",
    "rejected",
    "returned",
)
RECEIVING_TABS: tuple[Tab, ...] = (
    Tab("cho-tiep-nhan", "Chờ tiếp nhận", ("submitted",), received=False),
    Tab("cho-bo-sung", "Chờ bổ sung", ("supplement_requested",), received=False),
    Tab("da-chuyen", "Đã tiếp nhận, chuyển cơ quan giải quyết", FORWARDED_STATUSES, received=True),
)
TAB_BY_KEY = {t.key: t for t in TABS}
RECEIVING_TAB_BY_KEY = {t.key: t for t in RECEIVING_TABS}
DEFAULT_TAB = TABS[0].key


def tabs_for(receiving: bool) -> tuple[Tab, ...]:
    """The tabs of a receiving point's queue, or of a competent body's."""
    return RECEIVING_TABS if receiving else TABS


def _tab(key: str, receiving: bool) -> Tab:
    by_key = RECEIVING_TAB_BY_KEY if receiving else TAB_BY_KEY
    return by_key.get(key) or by_key[DEFAULT_TAB]


@dataclass(frozen=True)
class SortColumn:
    key: str  # the ?sap-xep= value
    label: str  # the column header
    column: str  # the Dossier attribute
    ascending: str  # the caption's words for each direction
    descending: str


SORT_COLUMNS: tuple[SortColumn, ...] = (
    SortColumn(
        "han-tra", "Ngày hẹn trả", "due_date", "quá hạn lâu nhất trước", "hạn trả xa nhất trước"
    ),
    SortColumn("ngay-nop", "Ngày nộp", "submitted_at", "nộp sớm nhất trước", "nộp mới nhất trước"),
    SortColumn("ma-ho-so", "Mã hồ sơ", "code", "tăng dần", "giảm dần"),
    SortColumn(
        "thu-tuc", "Thủ tục", "procedure_code", "mã thủ tục tăng dần", "mã thủ tục giảm dần"
    ),
)
SORT_BY_KEY = {c.key: c for c in SORT_COLUMNS}
DEFAULT_SORT = SORT_COLUMNS[0].key
DIRECTIONS = {"tang": False, "giam": True}  # the ?chieu= value → descending
# Ties go to the most urgent (due date, then submission); the id makes the order total, so a
# dossier never appears on two pages.
TIE_BREAK = ("due_date", "submitted_at", "id")


@dataclass(frozen=True)
class Sort:
    key: str = DEFAULT_SORT
    descending: bool = False

    @property
    def column(self) -> SortColumn:
        return SORT_BY_KEY[self.key]

    @property
    def params(self) -> dict[str, str]:
        """The query-string arguments that ask for this order."""
        return {"sap-xep": self.key, "chieu": "giam" if self.descending else "tang"}

    def toggled(self, key: str) -> Sort:
        """The order a column header links to: the other direction for the current column,
        ascending for any other."""
        return Sort(key, not self.descending) if key == self.key else Sort(key)


def parse_sort(key: str | None, direction: str | None) -> Sort:
    """The order asked for by ?sap-xep=&chieu=; anything unknown falls back to the default
    (by due date, ascending)."""
    return Sort(
        key if key in SORT_BY_KEY else DEFAULT_SORT,
        DIRECTIONS.get(direction or "", False),
    )


def order_by(sort: Sort) -> list:
    """The ORDER BY of a sort: the chosen column in its direction, then the ties, always
    ascending. Descending puts the undated first (no date counts as the latest), the order a
    backward walk of the (office_code, status, due_date) index gives."""
    first = col(getattr(Dossier, sort.column.column))
    keys = [first.desc().nulls_first() if sort.descending else first.asc().nulls_last()]
    ties = (name for name in TIE_BREAK if name != sort.column.column)
    return keys + [col(getattr(Dossier, name)).asc().nulls_last() for name in ties]


@dataclass(frozen=True)
class Flag:
    key: str
    label: str


PARTIES_PENDING = Flag("cho-cac-ben", "Chờ các bên xác nhận")
UNPAID = Flag("chua-nop-phi", "Chưa nộp phí, lệ phí")
REGISTRY_CONFLICT = Flag("vuong-csdl", "CSDLQG về dân cư báo lỗi")
DUPLICATE_RISK = Flag("trung-ho-so", "Có thể trùng hồ sơ khác")
# A dossier in one of these has no life in it and no result: it cannot duplicate another.
NOT_DUPLICATING = (
    Status.DRAFT,
    Status.WITHDRAWN,
    Status.DECLINED,
    Status.REFUSED_RECEPTION,
    Status.REJECTED,
)


@dataclass(frozen=True)
class Row:
    code: str
    procedure_code: str
    applicant_id: str
    submitted_at: object
    due_date: date | None
    status: str
    version: int
    applicant_name: str = ""
    flags: tuple[Flag, ...] = ()


def flags_of(
    status: str,
    registry_sync: str | None,
    registry_error_status: int | None,
    parties_pending: bool = False,
    duplicate: bool = False,
) -> tuple[Flag, ...]:
    """What a clerk should notice before opening a dossier: parties who have not answered
    (consent, or the draft result), a fee not paid, a registry that refused or failed the
    write-back, another dossier about the same life event."""
    found = []
    if parties_pending or status in (Status.AWAITING_PARTIES, Status.AWAITING_CONFIRMATION):
        found.append(PARTIES_PENDING)
    if status == Status.AWAITING_PAYMENT:
        found.append(UNPAID)
    if registry_sync == "refused" or (
        registry_error_status is not None and registry_sync != "done"
    ):
        found.append(REGISTRY_CONFLICT)
    if duplicate:
        found.append(DUPLICATE_RISK)
    return tuple(found)


@dataclass(frozen=True)
class Page:
    tab: Tab
    rows: list[Row]
    number: int  # 1-based
    pages: int
    total: int
    sort: Sort = Sort()


def soon_limit(today: date, within: int = 1) -> date:
    """The last date that deadlines.is_due_soon(…, today, within) accepts: the day before
    the (within + 1)th working day after today."""
    return deadlines.add_working_days(today, within + 1) - timedelta(days=1)


def _due_filter(tab: Tab, today: date) -> list:
    if tab.due == "soon":
        due = col(Dossier.due_date)
        return [due >= today, due <= soon_limit(today)]
    if tab.due == "overdue":
        return [col(Dossier.due_date) < today]
    return []


def _office(office_code: str, receiving: bool) -> list:
    """Whose queue: a receiving point's forwarded dossiers, or the competent body's own,
    without those another office still has to receive."""
    if receiving:
        return [Dossier.receiving_office_code == office_code, Dossier.office_code != office_code]
    return [
        Dossier.office_code == office_code,
        sql.or_(
            col(Dossier.receiving_office_code).is_(None),
            col(Dossier.receiving_office_code) == col(Dossier.office_code),
            col(Dossier.received_at).is_not(None),
        ),
    ]


def _received(tab: Tab) -> list:
    if tab.received is None:
        return []
    received = col(Dossier.received_at)
    return [received.is_not(None) if tab.received else received.is_(None)]


def _where(office_code: str, tab: Tab, today: date, receiving: bool = False) -> list:
    statuses = list(tab.statuses)
    column = col(Dossier.status)
    status = column == statuses[0] if len(statuses) == 1 else column.in_(statuses)
    return [*_office(office_code, receiving), status, *_received(tab), *_due_filter(tab, today)]


def counts(
    session: Session, office_code: str, today: date, receiving: bool = False
) -> dict[str, int]:
    """The number of dossiers on every tab: one grouped query by status, two for the due
    windows (a receiving point: one count per tab)."""
    if receiving:
        return {
            tab.key: session.exec(
                select(func.count())
                .select_from(Dossier)
                .where(*_where(office_code, tab, today, receiving))
            ).one()
            for tab in RECEIVING_TABS
        }
    by_status = dict(
        session.exec(
            select(Dossier.status, func.count())
            .where(*_office(office_code, receiving))
            .group_by(Dossier.status)
        ).all()
    )
    result: dict[str, int] = {}
    for tab in TABS:
        if tab.due:
            result[tab.key] = session.exec(
                select(func.count()).select_from(Dossier).where(*_where(office_code, tab, today))
            ).one()
        else:
            result[tab.key] = sum(by_status.get(s, 0) for s in tab.statuses)
    return result


def page(
    session: Session,
    office_code: str,
    tab_key: str,
    number: int,
    today: date,
    total: int,
    sort: Sort = Sort(),
    receiving: bool = False,
) -> Page:
    """One page of a tab in the given order (by default: by due date, oldest first, undated
    last, then submission)."""
    tab = _tab(tab_key, receiving)
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(1, number), pages)
    query = (
        sql.select(  # more columns than sqlmodel.select types
            col(Dossier.id),
            col(Dossier.subject_key),
            col(Dossier.registry_sync),
            col(Dossier.registry_error_status),
            col(Dossier.code),
            col(Dossier.procedure_code),
            col(Dossier.applicant_id),
            col(Dossier.submitted_at),
            col(Dossier.due_date),
            col(Dossier.status),
            col(Dossier.version),
        )
        .where(*_where(office_code, tab, today, receiving))
        .order_by(*order_by(sort))
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    found = session.execute(query).all()
    ids = [r[0] for r in found]
    names, pending = _parties(session, ids)
    duplicates = _duplicates(session, [(r[0], r[5], r[1]) for r in found])
    rows = [
        Row(
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            applicant_name=names.get(r[0]) or "",
            flags=flags_of(r[9], r[2], r[3], r[0] in pending, r[0] in duplicates),
        )
        for r in found
    ]
    return Page(tab, rows, number, pages, total, sort)


def _parties(session: Session, ids: list[int]) -> tuple[dict[int, str], set[int]]:
    """For one page of dossiers (one query, a second for applicants with no name on their
    party row): the applicant's name, and the dossiers a required party has not confirmed
    or whose draft result awaits a party's answer."""
    if not ids:
        return {}, set()
    rows = session.execute(
        sql.select(
            col(DossierParty.dossier_id),
            col(DossierParty.personal_id),
            col(DossierParty.full_name),
            col(DossierParty.role),
            col(DossierParty.consent),
            col(DossierParty.answer),
        ).where(col(DossierParty.dossier_id).in_(ids))
    ).all()
    names: dict[int, str] = {}
    unnamed: dict[int, str] = {}
    pending: set[int] = set()
    for dossier_id, personal_id, full_name, role, consent, answer in rows:
        if role == "applicant":
            if full_name:
                names[dossier_id] = full_name
            else:
                unnamed[dossier_id] = personal_id
        if consent == "required" and answer != "confirmed":
            pending.add(dossier_id)
    if unnamed:
        known = dict(
            session.execute(
                sql.select(col(Citizen.personal_id), col(Citizen.full_name)).where(
                    col(Citizen.personal_id).in_(set(unnamed.values()))
                )
            ).all()
        )
        names.update({d: known[p] for d, p in unnamed.items() if p in known})
    return names, pending


def _duplicates(session: Session, rows: list[tuple[int, str, str | None]]) -> set[int]:
    """The dossiers of a page (id, procedure, subject) that share their procedure and life
    event with another dossier still open or already decided (one query)."""
    keyed = [(i, p, k) for i, p, k in rows if k]
    if not keyed:
        return set()
    others = session.execute(
        sql.select(col(Dossier.id), col(Dossier.procedure_code), col(Dossier.subject_key)).where(
            col(Dossier.subject_key).in_({k for _, _, k in keyed}),
            col(Dossier.procedure_code).in_({p for _, p, _ in keyed}),
            col(Dossier.status).not_in(NOT_DUPLICATING),
        )
    ).all()
    holders: dict[tuple[str, str], set[int]] = {}
    for i, p, k in others:
        holders.setdefault((p, k), set()).add(i)
    return {i for i, p, k in keyed if holders.get((p, k), set()) - {i}}
