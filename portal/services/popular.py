"""Popular procedures for the home page: the most-filed procedures of the portal's own
dossiers over the last 90 days, topped up from a curated list (procedures/life_events.toml)
while the portal has filed too few to rank. One grouped count, kept per process for a few
minutes (`PopularCache`) so a page view does not run it. No Flask here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from portal.models import Dossier, utcnow

WINDOW = timedelta(days=90)
SHOWN = 6  # procedures on the home page
MIN_FILINGS = 3  # fewer dossiers than this in the window: not "popular", just filed once
TTL = timedelta(minutes=5)


def most_filed(session: Session, since: datetime) -> list[tuple[str, int]]:
    """(procedure code, dossiers submitted since `since`), most first, then by code. A
    liên thông group counts once (the dossier the citizen filed, not each body's part)."""
    count = func.count(col(Dossier.id))
    query = (
        select(Dossier.procedure_code, count)
        .where(col(Dossier.submitted_at) >= since)
        .where(or_(col(Dossier.group_id).is_(None), col(Dossier.group_id) == col(Dossier.id)))
        .group_by(col(Dossier.procedure_code))
        .order_by(count.desc(), col(Dossier.procedure_code))
    )
    return [(code, n) for code, n in session.exec(query).all()]


def popular_codes(
    session: Session,
    known: Collection[str],
    curated: Sequence[str],
    *,
    now: datetime | None = None,
    shown: int = SHOWN,
    min_filings: int = MIN_FILINGS,
) -> list[str]:
    """Up to `shown` procedure codes: those filed at least `min_filings` times in the last
    90 days (most first; codes no longer in the catalogue, `known`, skipped), then the
    curated list's codes not already shown."""
    since = (now or utcnow()) - WINDOW
    ranked = [c for c, n in most_filed(session, since) if n >= min_filings and c in known]
    codes = ranked[:shown]
    for code in curated:
        if len(codes) >= shown:
            break
        if code not in codes and code in known:
            codes.append(code)
    return codes


class PopularCache:
    """The last computed list, reused for `ttl`; one computation at a time per process."""

    def __init__(self, ttl: timedelta = TTL, clock: Callable[[], datetime] = utcnow) -> None:
        self.ttl = ttl
        self.clock = clock
        self._value: list[str] | None = None
        self._at: datetime | None = None
        self._lock = threading.Lock()

    def get(self, compute: Callable[[], list[str]]) -> list[str]:
        with self._lock:
            now = self.clock()
            if self._value is None or self._at is None or now - self._at >= self.ttl:
                self._value, self._at = compute(), now
            return list(self._value)
