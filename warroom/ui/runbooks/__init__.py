"""The runbook library and reader."""
