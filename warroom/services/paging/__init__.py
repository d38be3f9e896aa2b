"""Paging: alerts in, pages that only page when actionable, escalation that fires exactly once.

One module a job: :mod:`.ingest` takes webhook deliveries (and pages made by hand),
:mod:`.responses` is what people do to a page (acknowledge, resolve, escalate by hand),
:mod:`.escalation` is the sweep that background engines run, :mod:`.queries` the lists the
CLI and the desktop read. :mod:`.reference` is the routing data they share, :mod:`.claims`
and :mod:`.announce` the two ways a page changes hands: a conditional update, then the record
of who was told.

Every step that changes a page's escalation is *claimed* with a conditional update on the row
(``... WHERE escalation_level = :seen AND escalation_round = :seen AND state = 'triggered'``),
so any number of engines (every desktop and ``warroom serve``) may sweep at once: one wins,
the others update nothing. An acknowledgement that commits first makes every later claim miss.
"""
