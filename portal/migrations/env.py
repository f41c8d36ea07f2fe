"""Alembic environment of the portal (see common/migrate.py)."""

from common.migrate import run_env

run_env()
