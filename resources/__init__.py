"""Data files shipped with warroom: the demo organisation, runbooks, icons."""
