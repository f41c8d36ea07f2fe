"""The identity provider's database: its own engine over its own tables."""

from common.db import Database
from identity_mock.models.base import idp_registry

db = Database(idp_registry.metadata, "idp_db")
