"""Alerts as they arrive: only a body that is no alert payload at all is refused; one bad alert
is flagged, never the reason its delivery is lost; text is cleaned before the database."""

from __future__ import annotations

import json

import pytest

from warroom.domain.alerts import (
    DEDUP_KEY_MAX,
    MAX_ALERTS_PER_DELIVERY,
    AlertIn,
    cap_delivery,
    load_json,
    parse_alertmanager,
    parse_generic,
)
from warroom.domain.errors import ValidationError


def delivery(*alerts: object) -> dict:
    return {"version": "4", "status": "firing", "alerts": list(alerts)}


GOOD = {
    "status": "firing",
    "fingerprint": "fp-good",
    "labels": {"alertname": "CheckoutErrors", "service": "checkout-api", "severity": "critical"},
    "annotations": {"summary": "5xx above 5%"},
}


def test_one_malformed_alert_is_flagged_and_the_rest_of_its_delivery_parses() -> None:
    alerts = parse_alertmanager(
        delivery(
            GOOD,
            "not an alert",
            {"labels": "severity=critical"},
            {"status": "pending", "labels": {"alertname": "Odd", "service": "edge"}},
        )
    )
    assert [a.note for a in alerts] == [
        None,
        "malformed: alerts[1] is not an object",
        "malformed: alerts[2].labels is not an object; alerts[2] has no labels",
        "malformed: alerts[3].status is 'pending', not firing or resolved",
    ]
    assert alerts[0].labels["service"] == "checkout-api"
    assert alerts[1].details == '"not an alert"'  # what came, for a person to read
    assert alerts[3].status == "firing"  # unknown is firing: a page too many beats one missed


def test_generic_alerts_with_bad_fields_are_flagged_not_refused() -> None:
    alerts = parse_generic(
        [
            {"summary": "Backups failed", "dedup_key": "b-1", "urgency": "medium"},
            {"dedup_key": "no-summary", "service": "edge"},
            {"summary": "x", "status": "maybe"},
            42,
        ]
    )
    assert [(a.urgency, a.status) for a in alerts[:3]] == [
        ("high", "firing"),
        (None, "firing"),
        (None, "firing"),
    ]
    assert "urgency 'medium' is not high or low" in alerts[0].note
    assert alerts[1].summary == "no-summary"
    assert "has no 'summary'" in alerts[1].note
    assert "status 'maybe'" in alerts[2].note
    assert alerts[3].note == "malformed: item 3 is not an object"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'"\xff"', "not valid JSON"),
    ],
)
def test_a_body_that_is_no_json_is_refused_with_a_reason(body: bytes, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        load_json(body)


def test_shapes_that_are_no_alert_payload_at_all_are_refused() -> None:
    with pytest.raises(ValidationError, match="no 'alerts' list"):
        parse_alertmanager({"version": "4"})
    with pytest.raises(ValidationError, match="JSON object"):
        parse_alertmanager([GOOD])
    with pytest.raises(ValidationError, match="object or a list"):
        parse_generic("just text")


def test_a_5000_digit_number_is_kept_as_its_digits() -> None:
    digits = "7" * 5000
    document = load_json(
        json.dumps(delivery({**GOOD, "labels": {**GOOD["labels"]}}))
        .encode()
        .replace(b'"critical"', digits.encode())
    )
    [alert] = parse_alertmanager(document)
    assert alert.labels["severity"] == digits


def test_fields_the_database_cannot_hold_are_cleaned_in_the_domain() -> None:
    long_url = "https://runbooks.example.com/" + "r" * 2100
    alert = AlertIn(
        "generic",
        "k" * 300,
        "firing",
        "disk\x00full \ud800 on " + "n" * 2000,
        labels={"service\x00": "edge\udfff"},
        annotations={"runbook_url": long_url},
        details="a\x00b",
    )
    assert "\x00" not in alert.summary
    assert "\ud800" not in alert.summary
    assert alert.summary.startswith("disk" + "full \ufffd on ")
    assert len(alert.summary) == 1000
    assert alert.labels == {"service": "edge\ufffd"}
    assert alert.details == "ab"
    assert len(alert.dedup_key) == DEDUP_KEY_MAX
    assert alert.runbook_url is None  # a cut URL leads nowhere
    assert alert.annotations["runbook_url"] == long_url  # the whole one stays with the alert
    json.dumps([alert.summary, alert.labels, alert.dedup_key]).encode("utf-8")


def test_over_long_or_cleaned_dedup_keys_keep_telling_alerts_apart() -> None:
    def key(raw: str) -> str:
        return AlertIn("generic", raw, "firing", "s").dedup_key

    base = "x" * 300
    assert key(base) == key(base)  # a repeat finds its page
    assert key(base + "a") != key(base + "b")  # they differ past the cut: two pages
    assert key("a\x00b") != key("ab")  # they differ only in what cleaning removed
    assert key("short-key") == "short-key"  # ordinary keys are left alone
    assert len(key("\ud800" * 10)) <= DEDUP_KEY_MAX


def test_a_delivery_over_the_cap_keeps_the_first_and_flags_the_rest() -> None:
    alerts = [AlertIn("alertmanager", f"k{n}", "firing", f"alert {n}") for n in range(1005)]
    capped = cap_delivery(alerts)
    assert len(capped) == MAX_ALERTS_PER_DELIVERY + 1
    assert capped[:-1] == alerts[:MAX_ALERTS_PER_DELIVERY]
    flag = capped[-1]
    assert flag.note is not None
    assert "5 of 1005 alerts" in flag.note
    assert "max_alerts" in flag.note
    assert cap_delivery(alerts[:10]) == alerts[:10]
