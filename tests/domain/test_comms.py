"""The Communication Coordinator's rules, without a database: drafts, copies, the cadence and
what a webhook's answer means."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.comms import (
    MAX_ATTEMPTS,
    UpdateFacts,
    WebhookAnswer,
    as_markdown,
    as_plain_text,
    audiences_on_cadence,
    check_template,
    delivery_label,
    delivery_outcome,
    fill,
    overdue_text,
    update_dues,
    webhook_payload,
)
from warroom.domain.errors import ValidationError

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_a_template_is_filled_in_and_braces_can_be_written() -> None:
    facts = UpdateFacts("INC-7", "Checkout 5xx", "SEV2", "identified", next_update_at=T0)
    text = fill("{ref} {status}: {impact} {actions} {next_update} {{ok}} {coordinator}", facts)
    assert text == (
        "INC-7 Identified: We are still assessing the impact. We have found the cause and are "
        "working on a fix. Next update by 10:00 UTC. {ok} not assigned"
    )
    assert fill("{next_update}", replace(facts, status="resolved")) == (
        "This is the last update about this incident."
    )
    with pytest.raises(ValidationError, match=r"unknown placeholder \{eta\}"):
        check_template("Back by {eta}")
    with pytest.raises(ValidationError, match="cannot be empty"):
        check_template("  ")
    check_template("{{literal}} and {title}")


def test_copies_for_email_and_chat() -> None:
    body = "Payments fail for *some* cards.\n# not a heading"
    assert as_plain_text("internal", "INC-7", "Cards fail", "mitigated", body) == (
        "[INC-7] Cards fail — Mitigated\n\nPayments fail for *some* cards.\n# not a heading\n"
    )
    assert as_plain_text("customers", "INC-7", "Cards fail", "mitigated", body).startswith(
        "Cards fail — Mitigated\n\n"  # customers are not given the internal name
    )
    assert as_markdown("executive", "INC-7", "Cards fail", "mitigated", body) == (
        "**\\[INC-7\\] Cards fail — Mitigated**\n\n"
        "Payments fail for \\*some\\* cards.  \n\\# not a heading\n"
    )
    chat = webhook_payload(
        "chat",
        {
            "audience": "internal",
            "ref": "INC-7",
            "title": "Cards fail",
            "status": "identified",
            "body": "On it.",
        },
    )
    assert chat == {"text": "**\\[INC-7\\] Cards fail — Identified**\n\nOn it.\n"}


def test_who_is_on_the_cadence_and_when() -> None:
    assert audiences_on_cadence("SEV3", []) == ["internal"]
    assert audiences_on_cadence("SEV3", ["customers"]) == ["internal", "customers"]
    assert audiences_on_cadence("SEV1", []) == ["internal", "executive", "customers"]
    dues = update_dues(
        severity="SEV2",
        status="mitigated",
        declared_at=T0,
        cadence_minutes=60,
        last_told={"customers": T0 + timedelta(minutes=20)},
        snoozed_until={"internal": T0 + timedelta(minutes=75), "customers": T0},
    )
    assert [(d.audience, d.due, d.snoozed) for d in dues] == [
        ("internal", T0 + timedelta(minutes=75), True),  # a snooze moves it later
        ("customers", T0 + timedelta(minutes=80), False),  # never earlier
    ]
    for status, cadence in (("resolved", 60), ("closed", 60), ("investigating", None)):
        assert (
            update_dues(
                severity="SEV2",
                status=status,
                declared_at=T0,
                cadence_minutes=cadence,
                last_told={},
                snoozed_until={},
            )
            == []
        )
    assert overdue_text(T0, T0 - timedelta(minutes=18, seconds=30)) == "due in 18 min"
    assert overdue_text(T0, T0 + timedelta(minutes=125)) == "overdue 2 h 05 min"


@pytest.mark.parametrize(
    ("answer", "attempts", "state", "label"),
    [
        (WebhookAnswer(200), 1, "sent", "sent"),
        (WebhookAnswer(204), 3, "sent", "sent"),
        (WebhookAnswer(503), 1, "retrying", "retrying (503)"),
        (WebhookAnswer(None, "timed out"), 2, "retrying", "retrying (timed out)"),
        (WebhookAnswer(429), 1, "retrying", "retrying (429)"),
        (WebhookAnswer(403), 1, "failed", "failed: 403"),
        (WebhookAnswer(404), 1, "failed", "failed: 404"),
        (WebhookAnswer(301), 1, "failed", "failed: 301"),
        (WebhookAnswer(500), MAX_ATTEMPTS, "failed", f"failed: 500 after {MAX_ATTEMPTS} attempts"),
        (WebhookAnswer(None, "not a URL", permanent=True), 1, "failed", "failed: not a URL"),
    ],
)
def test_what_a_webhooks_answer_means(answer, attempts, state, label) -> None:
    outcome = delivery_outcome(answer, attempts, T0)
    assert outcome.state == state
    assert delivery_label(outcome.state, outcome.detail) == label
    assert (outcome.next_attempt_at is not None) == (state == "retrying")


def test_retries_back_off() -> None:
    waits = [delivery_outcome(WebhookAnswer(502), n, T0).next_attempt_at for n in range(1, 6)]
    assert [w - T0 for w in waits if w] == [
        timedelta(seconds=30),
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=5),
        timedelta(minutes=10),
    ]
