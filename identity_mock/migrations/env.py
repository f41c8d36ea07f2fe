"""Alembic environment of the identity_mock (see common/migrate.py)."""

from common.migrate import run_env

run_env()
