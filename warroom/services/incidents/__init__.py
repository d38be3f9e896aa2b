"""Declared incidents: their lifecycle, the roles of the war room, and what is read of them."""
