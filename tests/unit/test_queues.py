"""The queue's order: what ?sap-xep=&chieu= ask for, the links of the column headers, and the
ORDER BY each order becomes (always total, ending with the id)."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from portal.services import queues
from portal.services.queues import Sort


@pytest.mark.parametrize(
    ("key", "direction", "expected"),
    [
        (None, None, Sort("han-tra", False)),  # nothing asked: the default
        ("han-tra", "tang", Sort("han-tra", False)),
        ("han-tra", "giam", Sort("han-tra", True)),
        ("ngay-nop", "tang", Sort("ngay-nop", False)),
        ("ngay-nop", "giam", Sort("ngay-nop", True)),
        ("ma-ho-so", "giam", Sort("ma-ho-so", True)),
        ("thu-tuc", None, Sort("thu-tuc", False)),  # no direction: ascending
        ("thu-tuc", "giam", Sort("thu-tuc", True)),
        ("", "", Sort("han-tra", False)),
        ("status", "giam", Sort("han-tra", True)),  # unknown column, known direction
        ("ma-ho-so", "desc", Sort("ma-ho-so", False)),  # unknown direction
        ("HAN-TRA", "GIAM", Sort("han-tra", False)),  # the values are lower case
        ("due_date; DROP TABLE dossier", "giam", Sort("han-tra", True)),
        ("id", "tang", Sort("han-tra", False)),  # not every column may be sorted on
    ],
)
def test_parse_sort_falls_back_to_the_default(key, direction, expected):
    assert queues.parse_sort(key, direction) == expected


@pytest.mark.parametrize(
    ("current", "header", "expected"),
    [
        (Sort("han-tra"), "han-tra", Sort("han-tra", True)),  # the current column flips
        (Sort("han-tra", True), "han-tra", Sort("han-tra", False)),
        (Sort("han-tra", True), "ngay-nop", Sort("ngay-nop", False)),  # another starts ascending
        (Sort("ma-ho-so"), "thu-tuc", Sort("thu-tuc", False)),
    ],
)
def test_a_header_links_to_the_other_direction_or_to_ascending(current, header, expected):
    assert current.toggled(header) == expected


@pytest.mark.parametrize(
    ("sort", "params"),
    [
        (Sort(), {"sap-xep": "han-tra", "chieu": "tang"}),
        (Sort("thu-tuc", True), {"sap-xep": "thu-tuc", "chieu": "giam"}),
    ],
)
def test_params_parse_back_to_the_same_sort(sort, params):
    assert sort.params == params
    assert queues.parse_sort(params["sap-xep"], params["chieu"]) == sort


def _order_sql(sort: Sort, dialect) -> str:
    clauses = queues.order_by(sort)
    return ", ".join(str(c.compile(dialect=dialect)) for c in clauses)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (
            Sort("han-tra"),
            "dossier.due_date ASC NULLS LAST, dossier.submitted_at ASC NULLS LAST, "
            "dossier.id ASC NULLS LAST",
        ),
        (
            Sort("han-tra", True),  # the undated count as the latest
            "dossier.due_date DESC NULLS FIRST, dossier.submitted_at ASC NULLS LAST, "
            "dossier.id ASC NULLS LAST",
        ),
        (
            Sort("ngay-nop", True),
            "dossier.submitted_at DESC NULLS FIRST, dossier.due_date ASC NULLS LAST, "
            "dossier.id ASC NULLS LAST",
        ),
        (
            Sort("ma-ho-so"),
            "dossier.code ASC NULLS LAST, dossier.due_date ASC NULLS LAST, "
            "dossier.submitted_at ASC NULLS LAST, dossier.id ASC NULLS LAST",
        ),
        (
            Sort("thu-tuc", True),
            "dossier.procedure_code DESC NULLS FIRST, dossier.due_date ASC NULLS LAST, "
            "dossier.submitted_at ASC NULLS LAST, dossier.id ASC NULLS LAST",
        ),
    ],
)
@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()], ids=["sqlite", "pg"])
def test_order_by_ends_with_the_id_and_puts_ties_most_urgent_first(sort, expected, dialect):
    assert _order_sql(sort, dialect) == expected


def test_every_sortable_column_has_a_label_and_both_captions():
    assert [c.key for c in queues.SORT_COLUMNS] == ["han-tra", "ngay-nop", "ma-ho-so", "thu-tuc"]
    for column in queues.SORT_COLUMNS:
        assert column.label and column.ascending and column.descending
        assert column.column in {"due_date", "submitted_at", "code", "procedure_code"}
