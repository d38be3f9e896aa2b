"""Declared incidents: the list, and each one's war room with its role board."""
