"""What a roster import removes: refused when the file is empty, held back when it is much,
and reported as a roster problem (not a foreign-key error) when history still needs it."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from warroom.domain.errors import RemovalRefusedError
from warroom.domain.roster_file import RosterFileError, RosterSpec, ServiceSpec, parse_roster
from warroom.services.context import ServiceContext
from warroom.services.demo import demo_roster_text, seed_demo
from warroom.services.roster import export_roster, import_roster
from warroom.store.models import EscalationPolicy, Event, Page, Person, Schedule, Service, Team

README = Path(__file__).resolve().parents[2] / "README.md"


def demo_spec(context: ServiceContext, text: str | None = None) -> RosterSpec:
    today = context.clock.now().date()
    return parse_roster(text if text is not None else demo_roster_text(), "org.yaml", today=today)


def readme_example(context: ServiceContext) -> RosterSpec:
    """The README's "complete small example", as the README shows it today."""
    found = re.search(r"A complete small example:\n\n```yaml\n(.*?)```", README.read_text(), re.S)
    assert found, "README.md no longer has its small roster example"
    return parse_roster(found.group(1), "README.md", today=context.clock.now().date())


def count(context: ServiceContext, model: type) -> int:
    with context.database.reading() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def snapshot(context: ServiceContext) -> tuple[object, ...]:
    """Enough of the database to tell that an import changed nothing at all."""
    with context.database.reading() as session:
        active = session.scalar(select(func.count()).where(Person.active)) or 0
    return (
        export_roster(context),
        count(context, Event),
        count(context, Person),
        active,
        count(context, Schedule),
    )


def without_schedule(spec: RosterSpec, slug: str) -> RosterSpec:
    policies = tuple(
        replace(
            policy,
            levels=tuple(
                replace(level, targets=kept)
                for level in policy.levels
                if (kept := tuple(t for t in level.targets if t.ref != slug))
            ),
        )
        for policy in spec.escalation_policies
    )
    return replace(
        spec,
        schedules=tuple(s for s in spec.schedules if s.slug != slug),
        escalation_policies=policies,
    )


# ----------------------------------------------------------------------------- nothing declared


@pytest.mark.parametrize(
    "text",
    ["", "# the roster\n# (moved to another repository)\n", "teams: []\nservices:\n"],
    ids=["empty", "comments only", "sections without people"],
)
def test_a_file_that_declares_no_people_is_refused(context: ServiceContext, text: str) -> None:
    import_roster(context, demo_spec(context))
    before = snapshot(context)
    for dry_run in (True, False):
        for allow in (False, True):
            with pytest.raises(RosterFileError, match="declares no people") as caught:
                import_roster(
                    context, demo_spec(context, text), dry_run=dry_run, allow_removals=allow
                )
            assert caught.value.problems[0].startswith("org.yaml:1: the file declares no people")
    assert snapshot(context) == before


# ----------------------------------------------------------------------------- removing much


def test_a_file_cut_off_before_its_services_needs_allow_removals(context: ServiceContext) -> None:
    import_roster(context, demo_spec(context))
    before = snapshot(context)
    text = demo_roster_text()
    cut = demo_spec(context, text[: text.index("\nescalation_policies:")])

    with pytest.raises(RemovalRefusedError) as caught:
        import_roster(context, cut)
    message = str(caught.value)
    assert message.startswith("This roster file would remove 12 of 12 services;")
    assert "nothing was changed" in message
    assert "--dry-run" in message
    assert "--allow-removals" in message
    assert snapshot(context) == before

    preview = import_roster(context, cut, dry_run=True)
    assert preview.needs_consent == ["remove 12 of 12 services"]
    assert "service checkout-api" in preview.removed
    assert "escalation policy payments-default" in preview.removed
    described = preview.describe()
    assert "would be removed (19):" in described
    assert "It removes a lot, so it needs --allow-removals; it would:" in described
    assert "  remove 12 of 12 services" in described
    assert snapshot(context) == before

    done = import_roster(context, cut, allow_removals=True)
    assert "service checkout-api" in done.removed
    assert count(context, Service) == 0


def test_deactivating_more_than_a_quarter_of_the_people_needs_allow_removals(
    context: ServiceContext,
) -> None:
    import_roster(context, demo_spec(context))
    spec = readme_example(context)
    before = snapshot(context)
    with pytest.raises(RemovalRefusedError, match=r"deactivate 26 of 29 people"):
        import_roster(context, spec)
    assert snapshot(context) == before

    preview = import_roster(context, spec, dry_run=True)
    assert "deactivate 26 of 29 people" in preview.needs_consent
    deactivated = [r for r in preview.removed if r.endswith("(deactivated)")]
    assert len(deactivated) == 26
    assert "person sam.w (deactivated)" in deactivated
    assert snapshot(context) == before

    import_roster(context, spec, allow_removals=True)
    with context.database.reading() as session:
        active = set(session.scalars(select(Person.handle).where(Person.active)))
    assert active == {"amara", "priya", "tom.h"}


def test_removing_a_schedule_somebody_is_on_call_for_needs_allow_removals(
    context: ServiceContext,
) -> None:
    import_roster(context, demo_spec(context))
    spec = without_schedule(demo_spec(context), "database-experts")
    with pytest.raises(RemovalRefusedError) as caught:
        import_roster(context, spec)
    assert "remove schedule somebody is on call for now (database-experts: " in str(caught.value)
    assert count(context, Schedule) == 9

    preview = import_roster(context, spec, dry_run=True)
    assert preview.removed == ["schedule database-experts"]
    assert len(preview.needs_consent) == 1

    assert import_roster(context, spec, allow_removals=True).removed == [
        "schedule database-experts"
    ]
    assert count(context, Schedule) == 8


def test_a_teams_primary_schedule_can_be_renamed(context: ServiceContext) -> None:
    import_roster(context, demo_spec(context))
    renamed = demo_spec(context, demo_roster_text().replace("platform-primary", "platform-oncall"))
    changes = import_roster(context, renamed, allow_removals=True)  # someone is on call on it
    assert changes.added == ["schedule platform-oncall"]
    assert changes.removed == ["schedule platform-primary"]
    with context.database.reading() as session:
        kinds = dict(session.execute(select(Schedule.slug, Schedule.kind)).all())
    assert kinds["platform-oncall"] == "primary"
    assert "platform-primary" not in kinds


def test_removing_a_little_needs_no_consent(context: ServiceContext) -> None:
    import_roster(context, demo_spec(context))
    spec = demo_spec(context)
    spec = replace(spec, services=tuple(s for s in spec.services if s.slug != "mobile-api"))
    changes = import_roster(context, spec)
    assert changes.removed == ["service mobile-api"]
    assert changes.needs_consent == []


# ----------------------------------------------------------------------------- still in use


def test_the_readme_example_applied_to_the_demo_is_a_roster_problem(
    context: ServiceContext,
) -> None:
    seed_demo(context)  # pages and incidents keep services, and open pages need their policy
    spec = readme_example(context)
    services_line = spec.where("services")
    policies_line = spec.where("escalation_policies")
    before = snapshot(context)
    for dry_run in (True, False):
        with pytest.raises(RosterFileError) as caught:
            import_roster(context, spec, dry_run=dry_run, allow_removals=True)
        problems = caught.value.problems
        assert (
            f"{services_line}: service 'checkout-api' is not in the file but stays because it "
            "has pages, and it still uses team 'payments', escalation policy 'payments-default' "
            "and support hours 'new-york-business', which the file removes; list 'checkout-api' "
            "under services with the team, escalation policy and support hours that replace "
            "them, or keep them"
        ) in problems
        assert any(
            p.startswith(
                f"{services_line}: service 'web-shop' is not in the file but stays "
                "because it has pages and incidents"
            )
            for p in problems
        )
        assert (
            f"{policies_line}: escalation policy 'payments-default', which the file removes, is "
            "still escalating open page #10 (ledger); keep it in the file until that page is "
            "resolved"
        ) in problems
        assert not any("FOREIGN KEY" in p or "foreign key" in p for p in problems)
        assert snapshot(context) == before


def test_a_team_can_be_dissolved_through_the_file(context: ServiceContext) -> None:
    seed_demo(context)
    spec = demo_spec(context)
    storefront = {"storefront-primary", "storefront-secondary"}
    moved = ("web-shop", "product-search")  # they have pages: they stay, with a new owner
    services: list[ServiceSpec] = []
    for service in spec.services:
        if service.slug in moved:
            services.append(
                replace(
                    service,
                    team="platform",
                    escalation_policy="platform-default",
                    support_hours="london-business",
                )
            )
        elif service.team != "storefront":
            services.append(service)  # mobile-api has no history and goes
    spec = replace(
        spec,
        teams=tuple(t for t in spec.teams if t.slug != "storefront"),
        support_hours=tuple(s for s in spec.support_hours if s.slug != "pacific-business"),
        schedules=tuple(s for s in spec.schedules if s.slug not in storefront),
        escalation_policies=tuple(
            p for p in spec.escalation_policies if p.slug != "storefront-default"
        ),
        services=tuple(services),
    )
    with context.database.reading() as session:
        resolved_with_policy = session.scalar(
            select(func.count())
            .select_from(Page)
            .join(EscalationPolicy, EscalationPolicy.id == Page.escalation_policy_id)
            .where(EscalationPolicy.slug == "storefront-default")
        )
    assert resolved_with_policy == 3

    changes = import_roster(context, spec, allow_removals=True)

    assert "team storefront" in changes.removed
    assert "service mobile-api" in changes.removed
    assert "escalation policy storefront-default (3 resolved pages no longer name it)" in (
        changes.removed
    )
    assert "service web-shop" in changes.changed
    with context.database.reading() as session:
        assert session.scalar(select(Team.id).where(Team.slug == "storefront")) is None
        owner = session.scalar(
            select(Team.slug)
            .join(Service, Service.owner_team_id == Team.id)
            .where(Service.slug == "web-shop")
        )
        assert owner == "platform"
        web_shop_pages = session.scalar(
            select(func.count())
            .select_from(Page)
            .join(Service, Service.id == Page.service_id)
            .where(Service.slug.in_(moved))
        )
        assert web_shop_pages == 3  # history stays
    assert import_roster(context, export_roster(context)).empty
