"""The draft rules of services/filing.py without a web server: where a draft reopens, the
step before, which dossiers "Hồ sơ của tôi" lists, and deleting a draft with its files."""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.models import Dossier, DossierFile
from portal.services import filing
from tests.factories import AN, office_session

ORDER = ["ban-than", "ben-kia", "thong-tin-ben-kia", "xem-lai"]
OTHER = "079302034567"


def _draft(**data) -> Dossier:
    return Dossier(procedure_code="1.000894", procedure_version="1", applicant_id=AN, data=data)


@pytest.mark.parametrize(
    ("data", "resumed"),
    [
        ({}, "ban-than"),
        ({"_step": "ben-kia"}, "ben-kia"),
        ({"_step": "xem-lai"}, "xem-lai"),
        ({"_step": "tep-dinh-kem"}, "ban-than"),  # a page the procedure no longer has
        ({"_step": 3}, "ban-than"),
    ],
)
def test_resume_step(data, resumed):
    assert filing.resume_step(_draft(**data), ORDER) == resumed


@pytest.mark.parametrize(
    ("step", "before"),
    [("ban-than", None), ("ben-kia", "ban-than"), ("xem-lai", "thong-tin-ben-kia"), ("x", None)],
)
def test_previous_step(step, before):
    assert filing.previous_step(step, ORDER) == before


class _Session:
    def __init__(self) -> None:
        self.commits = 0

    def add(self, _row) -> None:
        pass

    def commit(self) -> None:
        self.commits += 1


@pytest.mark.parametrize(
    ("reached", "step", "kept"),
    [
        (None, "ben-kia", "ben-kia"),
        ("ben-kia", "thong-tin-ben-kia", "thong-tin-ben-kia"),
        ("thong-tin-ben-kia", "ben-kia", "thong-tin-ben-kia"),  # going back keeps the furthest
        ("gone", "ben-kia", "ben-kia"),
    ],
)
def test_mark_reached_keeps_the_furthest(reached, step, kept):
    draft = _draft(**({"_step": reached} if reached else {}))
    filing.mark_reached(_Session(), draft, step, ORDER)  # type: ignore[arg-type]
    assert draft.data["_step"] == kept


@pytest.mark.parametrize(
    ("status", "data", "shown"),
    [
        ("draft", {}, True),
        ("draft", {"_ineligible": True}, False),
        ("submitted", {"_ineligible": True}, True),  # a filed dossier is always listed
    ],
)
def test_listed(status, data, shown):
    draft = _draft(**data)
    draft.status = status
    assert filing.listed(draft) is shown


@pytest.mark.parametrize("refused", [True, False])
def test_mark_eligibility_is_written_only_on_change(refused):
    session = _Session()
    draft = _draft(_ineligible=True) if not refused else _draft()
    filing.mark_eligibility(session, draft, refused)  # type: ignore[arg-type]
    filing.mark_eligibility(session, draft, refused)  # type: ignore[arg-type]
    assert session.commits == 1
    assert bool(draft.data.get("_ineligible")) is refused


def test_delete_draft_removes_rows_and_files_and_refuses_the_rest(tmp_path):
    folder = tmp_path / "uploads"
    folder.mkdir()
    with office_session(tmp_path) as session:
        mine, filed = _draft(), _draft()
        filed.procedure_code, filed.status, filed.draft_key = "2.000635", "submitted", None
        session.add_all([mine, filed])
        session.commit()
        (folder / "tok1").write_bytes(b"%PDF-")
        session.add(
            DossierFile(
                dossier_id=mine.id, component=1, token="tok1", original_name="a.pdf",
                content_type="application/pdf", size=5, sha256="0" * 64,
            )
        )  # fmt: skip
        session.commit()
        mine_id, filed_id = filing.stored_id(mine), filing.stored_id(filed)
        with pytest.raises(filing.DraftNotFound):
            filing.delete_draft(session, mine_id, OTHER, folder)
        with pytest.raises(filing.FilingError, match="đã nộp nên không xóa được"):
            filing.delete_draft(session, filed_id, AN, folder)
        filing.delete_draft(session, mine_id, AN, folder)
        assert session.get(Dossier, mine_id) is None
        assert not session.exec(select(DossierFile)).all()
        assert not (folder / "tok1").exists()
        assert session.get(Dossier, filed_id) is not None
