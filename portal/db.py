"""The portal's database: its own engine over its own tables."""

from common.db import Database
from portal.models.base import portal_registry

db = Database(portal_registry.metadata, "portal_db")
