"""The portal's tables."""

from portal.models.base import PortalModel, utcnow
from portal.models.users import Citizen, LoginSession

__all__ = ["Citizen", "LoginSession", "PortalModel", "utcnow"]
