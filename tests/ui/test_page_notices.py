"""What a page notification says, for each way a page reaches a person."""

from __future__ import annotations

from warroom.ui.paging.notices import page_notice

NAMES = {"lukas": "Lukas Brandt", "amara": "Amara Okafor", "tom.h": "Tom Hargreaves"}


def test_a_new_page_names_service_summary_urgency_runbook_and_the_others_told() -> None:
    payload = {
        "service": "Checkout API",
        "summary": "5xx above 2%",
        "urgency": "high",
        "level": 1,
        "round": 0,
        "runbook": True,
        "handles": ["lukas", "amara"],
    }
    title, body, urgent = page_notice(41, payload, "lukas", NAMES)
    assert title == "Checkout API: 5xx above 2%"
    assert body == (
        "High urgency · page #41 · level 1\nRunbook ready in warroom. Also told: Amara Okafor."
    )
    assert urgent


def test_an_escalation_says_it_reached_me_and_by_whom() -> None:
    by_engine = {"summary": "Lag", "urgency": "low", "level": 2, "handles": ["lukas"]}
    _, body, urgent = page_notice(7, by_engine, "lukas", NAMES)
    assert (
        body
        == "Low urgency · page #7 · level 2 — escalated to you\nNo runbook yet. Only you were told."
    )
    assert not urgent
    by_hand = {**by_engine, "level": 1, "by_hand": True, "by": "tom.h"}
    _, body, _ = page_notice(7, by_hand, "lukas", NAMES)
    assert body.startswith("Low urgency · page #7 · level 1 — escalated to you by Tom Hargreaves")
    repeat = {**by_engine, "level": 1, "round": 1}
    _, body, _ = page_notice(7, repeat, "lukas", NAMES)
    assert "escalated to you" in body
