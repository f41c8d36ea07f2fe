"""Seed data and generators. Loading is get-or-create: safe to run again."""
