"""The clerk back office: the office's queue and the staff view of a dossier."""
