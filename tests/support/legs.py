"""Which tests the PostgreSQL leg runs again: those that exercise SQL.

The SQLite leg (`--record-sql-free FILE`) counts, for each test, the SQL statements any
engine of the process sent while the test (its setup and teardown included) ran: its own,
the apps' and the live servers' threads'. A test that passed without a single statement
and started no subprocess (a `flask` command, a migration run) does the same on either
database, so its id goes into FILE; the PostgreSQL leg (`--skip-sql-free FILE`) deselects
those ids (the count is in the session header) and runs every other test, the ones skipped
on SQLite too. The list is measured afresh by every run, so a test that starts touching the
database is run on both again without anyone editing a list; without FILE, or when the file
is missing, everything runs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

RECORD, SKIP = "--record-sql-free", "--skip-sql-free"
_PROPERTY = "sql_statements"


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def hit(self, *_args, **_kwargs) -> None:
        self.count += 1

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


_counter = _Counter()
_popen_init = subprocess.Popen.__init__


def _counting_popen_init(self, *args, **kwargs) -> None:
    _counter.hit()  # a subprocess may run SQL where the listener cannot see it
    _popen_init(self, *args, **kwargs)


def addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("database legs")
    group.addoption(RECORD, metavar="FILE", help="write the ids of tests that ran no SQL")
    group.addoption(SKIP, metavar="FILE", help="deselect the tests FILE lists")


def configure(config: pytest.Config) -> None:
    if config.getoption(RECORD):
        event.listen(Engine, "before_cursor_execute", _counter.hit)
        subprocess.Popen.__init__ = _counting_popen_init  # type: ignore[method-assign]
        if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
            config.pluginmanager.register(_Recorder(Path(config.getoption(RECORD))))


def sql_free_ids(config: pytest.Config) -> set[str]:
    path = config.getoption(SKIP)
    if not path or not Path(path).is_file():
        return set()
    return set(Path(path).read_text(encoding="utf-8").splitlines())


def deselect(config: pytest.Config, items: list[pytest.Item]) -> None:
    free = sql_free_ids(config)
    if not free:
        return
    kept = [item for item in items if item.nodeid not in free]
    gone = [item for item in items if item.nodeid in free]
    if gone:
        config.hook.pytest_deselected(items=gone)
        items[:] = kept


def before_teardown_report(item: pytest.Item, when: str) -> None:
    """Attach the test's statement count to its last report (xdist ships it over)."""
    if when == "teardown" and item.config.getoption(RECORD):
        item.user_properties.append((_PROPERTY, _counter.take()))


class _Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.passed: set[str] = set()
        self.free: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.passed:
            self.passed.add(report.nodeid)
        elif report.when == "teardown" and report.passed and report.nodeid in self.passed:
            if dict(report.user_properties).get(_PROPERTY) == 0:
                self.free.add(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.path.write_text("".join(f"{n}\n" for n in sorted(self.free)), encoding="utf-8")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(
            f"{len(self.free)} of {len(self.passed)} passed tests ran no SQL: {self.path}"
        )
