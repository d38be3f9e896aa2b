"""The pages list, with the page's runbook beside it."""
