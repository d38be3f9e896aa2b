"""The scribe's transcript: entries written (idempotently, by their client UUID), edited with
revisions and conflicts, deleted softly; read per incident, and merged with everything else
that happened into one timeline."""
