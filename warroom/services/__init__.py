"""Use cases, one module per capability. Each public call is one transaction with its events."""
