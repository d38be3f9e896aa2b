"""The Activity view: the team's change feed, newest first, live."""
