"""Reports: escalation as a training signal."""
