"""The portal's tables."""

from portal.models.base import PortalModel, utcnow
from portal.models.channels import ContactPoint, OutboundMessage
from portal.models.dossiers import (
    STATUS_LABELS,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierParty,
    DossierSequence,
)
from portal.models.feedback import Feedback
from portal.models.offices import Office
from portal.models.payments import Payment, PaymentNotice, PaymentStatus
from portal.models.ratings import Rating
from portal.models.results import ResultDocument, ResultSequence
from portal.models.reuse import ReusedDocument
from portal.models.staff import ROLE_LABELS, Notification, Staff
from portal.models.users import Citizen, LoginSession

__all__ = [
    "STATUS_LABELS",
    "Citizen",
    "ContactPoint",
    "Dossier",
    "DossierEvent",
    "DossierFile",
    "DossierParty",
    "DossierSequence",
    "Feedback",
    "LoginSession",
    "Notification",
    "Office",
    "OutboundMessage",
    "Payment",
    "PaymentNotice",
    "PaymentStatus",
    "ROLE_LABELS",
    "PortalModel",
    "Rating",
    "ResultDocument",
    "ResultSequence",
    "ReusedDocument",
    "Staff",
    "utcnow",
]
