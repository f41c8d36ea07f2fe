"""Domain logic of the portal: plain functions over a database session, no Flask requests."""
