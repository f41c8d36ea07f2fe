"""The payment gateway's database: its own engine over its own tables."""

from common.db import Database
from payment_mock.models.base import payment_registry

db = Database(payment_registry.metadata, "payment_db")
