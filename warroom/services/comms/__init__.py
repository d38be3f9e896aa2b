"""The Communication Coordinator's use cases: stakeholder updates written and posted, kept
on a cadence with reminders, and delivered to the webhooks a roster file names."""
