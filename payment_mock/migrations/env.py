"""Alembic environment of the payment_mock (see common/migrate.py)."""

from common.migrate import run_env

run_env()
