"""What `warroom serve` checks before it listens: a token that was set is never silently
dropped, an open port is never open by accident, and every alert has somewhere to page."""

from __future__ import annotations

import os
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import update

from warroom.domain.errors import ValidationError
from warroom.engine.serve_setup import (
    check_routing,
    parse_listen,
    plan_serve,
    read_token_file,
    resolve_token,
)
from warroom.services.context import ServiceContext
from warroom.services.demo import seed_demo
from warroom.store.config import load_settings
from warroom.store.models import Service
from warroom.store.webhook_token import create_webhook_token, remove_webhook_token

NO_ENV: dict[str, str] = {}


@pytest.fixture
def no_keyring() -> None:
    """A headless server: keyring finds no backend (what `fail.Keyring` is)."""
    keyring.set_keyring(keyring.backends.fail.Keyring())  # isolated_user restores it after


def token_file(tmp_path: Path, text: str = "s3cret-token\n", mode: int = 0o600) -> str:
    path = tmp_path / "token"
    path.write_text(text)
    path.chmod(mode)
    return str(path)


def env() -> dict[str, str]:
    return dict(os.environ)  # WARROOM_CONFIG_DIR points at this test's own folder


def test_a_token_set_with_webhook_token_is_refused_not_dropped_without_a_keyring(
    request,
) -> None:
    """Issue 10.5: serve without a keyring printed "(no token)" and accepted anyone."""
    token = create_webhook_token(env())
    assert load_settings(env=env()).webhook_token_created
    assert token not in load_settings(env=env()).config_file.read_text()  # never in the file
    assert resolve_token(token_file=None, no_token=False, env=env()).token == token
    request.getfixturevalue("no_keyring")
    with pytest.raises(ValidationError, match=r"was created .* but cannot be read") as caught:
        resolve_token(token_file=None, no_token=False, env=env())
    assert "--token-file" in str(caught.value)
    assert resolve_token(token_file=None, no_token=True, env=env()).token is None  # on purpose


def test_a_created_token_missing_from_the_keyring_is_refused() -> None:
    create_webhook_token(env())
    keyring.delete_password("warroom", "webhook-token")
    with pytest.raises(ValidationError, match="the keyring holds none"):
        resolve_token(token_file=None, no_token=False, env=env())
    remove_webhook_token(env())
    assert resolve_token(token_file=None, no_token=False, env=env()).token is None


def test_headless_hosts_give_the_token_in_a_private_file_or_the_environment(
    tmp_path, no_keyring
) -> None:
    choice = resolve_token(token_file=token_file(tmp_path), no_token=False, env=NO_ENV)
    assert (choice.token, choice.source) == ("s3cret-token", f"--token-file {tmp_path}/token")
    choice = resolve_token(
        token_file=None, no_token=False, env={"WARROOM_WEBHOOK_TOKEN": "from-env"}
    )
    assert (choice.token, choice.source) == ("from-env", "WARROOM_WEBHOOK_TOKEN")


@pytest.mark.parametrize(
    ("text", "mode", "complaint"),
    [
        ("s3cret", 0o644, r"can be read by other users \(mode 0644\); run `chmod 600"),
        ("s3cret", 0o640, "can be read by other users"),
        ("\n", 0o600, "is empty"),
        ("sécret", 0o600, "printable ASCII"),
        ("two words", 0o600, "printable ASCII"),
    ],
)
def test_a_token_file_others_can_read_or_that_holds_no_token_is_refused(
    tmp_path, text, mode, complaint
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        read_token_file(token_file(tmp_path, text, mode))


def test_a_missing_token_file_is_refused(tmp_path) -> None:
    with pytest.raises(ValidationError, match="No such file"):
        resolve_token(token_file=str(tmp_path / "nope"), no_token=False, env=NO_ENV)
    with pytest.raises(ValidationError, match="contradict"):
        resolve_token(token_file=token_file(tmp_path), no_token=True, env=NO_ENV)


@pytest.mark.parametrize(
    ("listen", "loopback"),
    [
        ("127.0.0.1:8787", True),
        ("127.0.0.2:80", True),
        ("[::1]:8787", True),
        ("localhost:8787", True),
        ("0.0.0.0:8787", False),
        ("[::]:8787", False),
        ("192.0.2.10:8787", False),
    ],
)
def test_the_listen_address_is_judged(listen: str, loopback: bool) -> None:
    assert parse_listen(listen).loopback is loopback


@pytest.mark.parametrize(
    ("listen", "said"),
    [
        ("8787", "HOST:PORT"),
        ("127.0.0.1:", "HOST:PORT"),
        (":8787", "HOST:PORT"),
        ("h:8o", "HOST:PORT"),
        ("host:99999", "a port is a number from 0 to 65535"),
    ],
)
def test_a_malformed_listen_address_is_refused(listen: str, said: str) -> None:
    with pytest.raises(ValidationError, match=said):
        parse_listen(listen)


@pytest.fixture
def seeded(context: ServiceContext) -> ServiceContext:
    seed_demo(context)
    return context


def test_serve_on_an_open_address_needs_a_token_or_no_token(seeded, tmp_path) -> None:
    options = {"default_service": None, "env": env()}
    with pytest.raises(ValidationError, match="can be reached from other computers"):
        plan_serve(seeded, listen="0.0.0.0:8787", token_file=None, no_token=False, **options)
    plan = plan_serve(seeded, listen="0.0.0.0:8787", token_file=None, no_token=True, **options)
    assert plan.token.token is None
    plan = plan_serve(
        seeded, listen="0.0.0.0:8787", token_file=token_file(tmp_path), no_token=False, **options
    )
    assert plan.token.token == "s3cret-token"
    assert "token required, from --token-file" in plan.banner(("0.0.0.0", 8787))
    assert "s3cret-token" not in plan.banner(("0.0.0.0", 8787))
    plan = plan_serve(seeded, listen="127.0.0.1:8787", token_file=None, no_token=False, **options)
    assert (plan.token.token, plan.catch_all) == (None, "unrouted")


def test_serve_refuses_when_an_alert_could_have_nowhere_to_page(seeded) -> None:
    """Issue 10.1: no catch-all at all, or a default service that is no service."""
    assert check_routing(seeded, None) == "unrouted"
    assert check_routing(seeded, "edge") == "unrouted"
    with pytest.raises(ValidationError, match="--default-service edgy: there is no such service"):
        check_routing(seeded, "edgy")
    with seeded.database.transaction() as session:
        session.execute(update(Service).values(catch_all=False))
    with pytest.raises(ValidationError, match="no catch-all service"):
        check_routing(seeded, "edge")
