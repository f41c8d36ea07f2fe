"""No input makes the portal answer 500: every route, every path parameter, every query
parameter and form field it reads, as a visitor, a citizen and a clerk.

The world is the route matrix's (real dossiers, results, files, letters and drafts), so
the fuzz reaches the code behind the lookups, not only the 404s in front of them. CSRF is
off here: what is tested is what a handler does with the values, not the token check.
"""

from __future__ import annotations

import pytest

from portal.services import registry
from tests.support import matrix
from tests.support.apps import dispose, make_portal
from tests.support.fuzz import Findings, drive, form_names, path_for, routes

# What handlers read beyond their forms' fields (query strings, hidden inputs, links).
KNOWN_PARAMS = {
    "next", "q", "cap", "ma", "trang", "tab", "sap-xep", "chieu", "tinh", "tu_ngay",
    "den_ngay", "muc", "code", "state", "error", "error_description", "version", "note",
    "new_due_date", "supplement", "score", "comment", "ho_so", "locked_hash", "copies",
}  # fmt: skip
FUZZED_ROLES = ("logged_out", "citizen_a", "clerk_x")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    app = make_portal(
        tmp_path_factory.mktemp("fuzz-portal"),
        issuer="http://127.0.0.1:9",
        portal_url="http://portal.test",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "my_record", matrix.own_record)
        world = matrix.build_world(app)
        clients = {n: matrix.client_for(app, matrix.ROLE[n])[0] for n in FUZZED_ROLES}
        app.config["WTF_CSRF_ENABLED"] = False  # the world is built; now fuzz the handlers
        yield world, clients
    dispose(app)


def _real_values(world) -> dict[str, str]:
    """A real value for each path parameter: the commune dossier, its file, result, letter."""
    commune, procedure = world.static["commune"], world.static["procedure"]
    return {
        "code": commune["code"],
        "token": commune["token"],
        "document": commune["document"],
        "event_id": str(commune["event_id"]),
        "step": procedure["step"],
        "action": "receive",
        "attempt": "1",
        "draft_id": "1",
        "key": "ket-hon",  # a life event
    }


# The routes are fuzzed in SHARDS tests, every SHARDS-th route each, so the test workers
# share them (one test of them all took a worker for 16–28 s).
SHARDS = 4


@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_portal_route_survives_any_input(world, shard):
    world, clients = world
    app = world.app
    findings = Findings(app)
    real = _real_values(world)
    for method, rule in routes(app)[shard::SHARDS]:
        base = dict(real)
        if "nop-ho-so" in rule or "thu-tuc" in rule or "procedures" in rule:
            base["code"] = world.static["procedure"]["code"]
        for role in FUZZED_ROLES:
            client = clients[role]
            page = client.get(path_for(rule, base)) if method == "GET" else None
            shown = (
                form_names(page.get_data().decode("utf-8", "replace"))
                if page is not None
                else set()
            )
            names = sorted(KNOWN_PARAMS | shown)
            drive(client, findings, method=method, rule=rule, base=base, names=names)
    assert findings.requests > 1000 // SHARDS
    assert not findings.problems, findings.report()
