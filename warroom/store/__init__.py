"""Persistence: typed ORM models, the engine factory, migrations and the change feed."""
