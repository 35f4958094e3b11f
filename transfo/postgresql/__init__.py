"""The database backend for PostgreSQL: Django's own, waiting out a server restart (base.py)."""
