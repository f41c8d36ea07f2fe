"""The portal's tables."""

from portal.models.base import PortalModel, utcnow
from portal.models.dossiers import (
    STATUS_LABELS,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierParty,
    DossierSequence,
)
from portal.models.offices import Office
from portal.models.results import ResultDocument, ResultSequence
from portal.models.reuse import ReusedDocument
from portal.models.staff import ROLE_LABELS, Notification, Staff
from portal.models.users import Citizen, LoginSession

__all__ = [
    "STATUS_LABELS",
    "Citizen",
    "Dossier",
    "DossierEvent",
    "DossierFile",
    "DossierParty",
    "DossierSequence",
    "LoginSession",
    "Notification",
    "Office",
    "ROLE_LABELS",
    "PortalModel",
    "ResultDocument",
    "ResultSequence",
    "ReusedDocument",
    "Staff",
    "utcnow",
]
