"""warroom: the desktop client for the incident war room."""

__version__ = "0.1.0"
