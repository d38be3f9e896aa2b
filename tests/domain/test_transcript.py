"""The scribe's rules: what a typed line means, T+ on the incident's clock, the impact window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from warroom.domain.errors import ValidationError
from warroom.domain.transcript import impact_window, parse_kind, parse_line, t_plus
from warroom.domain.vocabulary import ImpactMark, TranscriptKind

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 13, 30, tzinfo=UTC)  # 14:30 in Berlin


@pytest.mark.parametrize(
    ("line", "kind", "body"),
    [
        ("/s we see 5xx on checkout", TranscriptKind.SAID, "we see 5xx on checkout"),
        ("/d roll back the deploy", TranscriptKind.DECIDED, "roll back the deploy"),
        ("/did rolled back", TranscriptKind.DID, "rolled back"),
        ("/a write the review", TranscriptKind.ACTION, "write the review"),
        ("/f support is swamped", TranscriptKind.FELT, "support is swamped"),
        ("/n bridge moved", TranscriptKind.NOTE, "bridge moved"),
        ("/DECIDED upper case works", TranscriptKind.DECIDED, "upper case works"),
        ("/felt whole words work", TranscriptKind.FELT, "whole words work"),
        ("/no rollback yet", None, "/no rollback yet"),  # not "note: rollback yet"
        ("/dec is no shortcut", None, "/dec is no shortcut"),
        ("plain words", None, "plain words"),
        ("/var/log is full", None, "/var/log is full"),  # a path is words
        ("/etc is read-only", None, "/etc is read-only"),  # not a kind: stays
        ("/sa is no shortcut", None, "/sa is no shortcut"),
    ],
)
def test_a_prefix_names_the_kind_and_anything_else_stays_words(line, kind, body) -> None:
    parsed = parse_line(line, NOW, BERLIN)
    assert (parsed.kind, parsed.body, parsed.mark, parsed.at, parsed.handle) == (
        kind,
        body,
        None,
        None,
        None,
    )


def test_impact_marks_stand_alone_or_with_words() -> None:
    start = parse_line("/impact-start", NOW, BERLIN)
    assert (start.mark, start.kind, start.body) == (ImpactMark.IMPACT_START, None, "")
    end = parse_line("/impact-end checkout works again", NOW, BERLIN)
    assert (end.mark, end.body) == (ImpactMark.IMPACT_END, "checkout works again")
    # too short to say which mark it is: words
    assert parse_line("/impact x", NOW, BERLIN).mark is None


def test_a_time_at_the_start_is_on_the_scribe_s_wall_clock_today() -> None:
    parsed = parse_line("14:02 @lukas restarted the primary", NOW, BERLIN)
    assert parsed.at == datetime(2026, 3, 2, 13, 2, tzinfo=UTC)  # 14:02 CET
    assert parsed.at is not None
    assert parsed.at.tzinfo is UTC
    assert (parsed.handle, parsed.body) == ("lukas", "restarted the primary")
    seconds = parse_line("14:02:05 failover", NOW, BERLIN)
    assert seconds.at == datetime(2026, 3, 2, 13, 2, 5, tzinfo=UTC)
    # a few minutes ahead (the scribe's clock is a little fast) is still today
    assert parse_line("14:33 x", NOW, BERLIN).at == datetime(2026, 3, 2, 13, 33, tzinfo=UTC)


def test_a_time_still_to_come_today_is_yesterday_s_across_midnight() -> None:
    # 00:05 in Berlin on Tuesday is 23:05 UTC on Monday
    just_after_midnight = datetime(2026, 3, 2, 23, 5, tzinfo=UTC)
    parsed = parse_line("23:58 the primary failed over", just_after_midnight, BERLIN)
    assert parsed.at == datetime(2026, 3, 2, 22, 58, tzinfo=UTC)  # Monday 23:58 CET
    assert parsed.body == "the primary failed over"
    # in UTC the same words would be Sunday's (23:58 UTC on Monday is still to come)
    assert parse_line("23:58 x", just_after_midnight, UTC).at == datetime(
        2026, 3, 1, 23, 58, tzinfo=UTC
    )


def test_a_time_across_the_spring_forward_change() -> None:
    # Sunday 29 March 2026, 03:30 CEST (01:30 UTC): 01:50 was CET, an hour earlier in UTC
    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert parse_line("01:50 x", now, BERLIN).at == datetime(2026, 3, 29, 0, 50, tzinfo=UTC)


@pytest.mark.parametrize("line", ["25:00 late", "14:61 late", "1400 late"])
def test_what_is_not_a_time_stays_words(line) -> None:
    parsed = parse_line(line, NOW, BERLIN)
    assert (parsed.at, parsed.body) == (None, line)


def test_everything_at_once_and_a_handle_mid_sentence() -> None:
    parsed = parse_line("/a 14:10 @priya.r write the review  ", NOW, BERLIN)
    assert (parsed.kind, parsed.at, parsed.handle, parsed.body) == (
        TranscriptKind.ACTION,
        datetime(2026, 3, 2, 13, 10, tzinfo=UTC),
        "priya.r",
        "write the review",
    )
    mid = parse_line("ask @lukas later", NOW, BERLIN)
    assert (mid.handle, mid.body) == (None, "ask @lukas later")


def test_parse_kind_names_the_kinds_when_it_does_not_know_one() -> None:
    assert parse_kind("/d") is TranscriptKind.DECIDED
    assert parse_kind(" Decided ") is TranscriptKind.DECIDED
    with pytest.raises(ValidationError, match="'shout' is not a kind of entry; use one of said"):
        parse_kind("shout")


DECLARED = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "shown"),
    [
        (timedelta(0), "T+00:00:00"),
        (timedelta(hours=1, minutes=2, seconds=3), "T+01:02:03"),
        (timedelta(seconds=59.9), "T+00:00:59"),
        (timedelta(minutes=-3), "T-00:03:00"),
        (timedelta(hours=-26, seconds=-1), "T-26:00:01"),
        (timedelta(hours=99, minutes=59, seconds=59), "T+99:59:59"),
        (timedelta(hours=100), "T+100:00:00"),
        (timedelta(days=12, hours=3), "T+291:00:00"),
    ],
)
def test_t_plus_counts_hours_past_99_and_before_the_declaration(after, shown) -> None:
    assert t_plus(DECLARED + after, DECLARED) == shown


def test_the_impact_window_comes_from_the_marks_when_there_are_any() -> None:
    resolved = DECLARED + timedelta(hours=2)
    plain = impact_window([], DECLARED, resolved)
    assert (plain.start, plain.end, plain.from_marks) == (DECLARED, resolved, False)
    unresolved = impact_window([], DECLARED, None)
    assert (unresolved.end, unresolved.from_marks) == (None, False)
    start = DECLARED - timedelta(minutes=20)
    only_start = impact_window([("impact_start", start)], DECLARED, resolved)
    assert (only_start.start, only_start.end, only_start.from_marks) == (start, resolved, True)
    end = DECLARED + timedelta(minutes=50)
    only_end = impact_window([("impact_end", end)], DECLARED, None)
    assert (only_end.start, only_end.end) == (DECLARED, end)
    corrected = impact_window(
        [
            ("impact_end", end),
            ("impact_start", start),
            ("impact_start", start + timedelta(minutes=5)),
            ("impact_end", end + timedelta(minutes=7)),
        ],
        DECLARED,
        resolved,
    )
    assert (corrected.start, corrected.end) == (start, end + timedelta(minutes=7))


def test_an_entry_travels_whole_in_its_event_unless_its_words_are_long() -> None:
    from datetime import UTC, datetime

    from warroom.domain.events import NewEvent
    from warroom.domain.transcript import EntryRow, entry_from_payload, entry_payload

    at = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    row = EntryRow(
        7,
        1,
        "u-0007",
        "action",
        "Fix the rebuild",
        "hana",
        "mei",
        at,
        at,
        False,
        2,
        None,
        "felix",
        at,
        "felix",
        at,
    )
    assert entry_from_payload(entry_payload(row) or {}) == row
    for words in ("x" * 5000, "😱" * 400, "ok " * 400):
        entry = EntryRow(
            8,
            1,
            "u-0008",
            "said",
            words,
            None,
            "mei",
            at,
            at,
            False,
            1,
            None,
            None,
            None,
            None,
            None,
        )
        carried = entry_payload(entry)
        assert (carried is None) == (words != "ok " * 400)  # 5,000 bytes, 4,800 as JSON
        # whatever travels fits in an event, with the excerpt of the transcript's events
        NewEvent(
            "transcript.recorded", "transcript", "8", {"entry": carried, "excerpt": words[:160]}
        )
    assert entry_from_payload({"id": 1}) is None  # an older desktop's event: fetched instead
