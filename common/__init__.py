"""Infrastructure shared by the two apps: database engines and HTTP hardening.

Nothing here knows about identities, dossiers or procedures.
"""
