"""The ``warroom`` command: every mistake is one sentence and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from warroom.cli import main
from warroom.store.database import Database
from warroom.store.schema import head_revision


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_db_upgrade_creates_then_reports_the_schema(capsys, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code, out, _ = run(capsys, "db", "upgrade", "--database", url)
    assert code == 0
    assert f"from empty to {head_revision()}" in out
    code, out, _ = run(capsys, "--database", url, "db", "upgrade")  # option before the command
    assert code == 0
    assert "already at" in out
    code, out, _ = run(capsys, "db", "status", "--database", url)
    assert code == 0
    assert f"schema {head_revision()}" in out


def test_demo_without_gui_seeds_once(capsys, database_url: str) -> None:
    code, out, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    assert out.startswith("Seeded the demo organisation: 29 people, 4 teams")
    code, out, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0
    assert "already there" in out


def test_the_environment_variable_chooses_the_database(capsys, monkeypatch, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'env.db'}"
    monkeypatch.setenv("WARROOM_DATABASE_URL", url)
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0
    assert str(tmp_path / "env.db") in out


def test_config_show_masks_the_password(capsys, monkeypatch) -> None:
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql://ada:hunter2@db.example/warroom")
    code, out, _ = run(capsys, "config", "show")
    assert code == 0
    assert "hunter2" not in out
    assert "ada:***@db.example" in out
    assert "WARROOM_DATABASE_URL" in out


def test_config_set_refuses_a_url_with_a_password(capsys) -> None:
    code, _, err = run(capsys, "config", "set", "--database", "postgresql://a:pw@db/w")
    assert code == 1
    assert "never hold passwords" in err


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("nonsense", "is not a database URL"),
        ("postgresql://postgres@127.0.0.1:1/warroom", "Cannot reach PostgreSQL at 127.0.0.1:1"),
    ],
)
def test_bad_databases_get_one_sentence(capsys, url: str, sentence: str) -> None:
    code, out, err = run(capsys, "db", "upgrade", "--database", url)
    assert code == 1
    assert out == ""
    assert sentence in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_a_database_from_a_newer_warroom_is_named(capsys, database_url: str) -> None:
    db = Database(make_url(database_url))
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'zz99'"))
    db.dispose()
    code, _, err = run(capsys, "db", "upgrade", "--database", database_url)
    assert code == 1
    assert "newer warroom" in err
    assert "upgrade warroom" in err


def test_login_without_a_keyring_fails_closed(capsys) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code, _, err = run(capsys, "login", "--database", "postgresql://ada@db.example/warroom")
    assert code == 1
    assert "No OS keyring" in err
    assert "ask for it each time" in err


def test_login_on_sqlite_needs_no_password(capsys, tmp_path) -> None:
    code, out, _ = run(capsys, "login", "--database", f"sqlite:///{tmp_path / 'x.db'}")
    assert code == 0
    assert "needs no password" in out


def test_the_module_runs_as_a_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "warroom", "db", "upgrade", "--database", "mysql://x@y/z"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("warroom: warroom supports SQLite and PostgreSQL")
    assert "Traceback" not in result.stderr


# ----------------------------------------------------------------------------- roster commands


def test_roster_import_reports_then_is_idempotent(capsys, database_url, tmp_path) -> None:
    from warroom.services.demo import demo_roster_text

    path = tmp_path / "org.yaml"
    path.write_text(demo_roster_text())
    code, out, _ = run(
        capsys, "roster", "import", str(path), "--dry-run", "--database", database_url
    )
    assert code == 0
    assert "would be added" in out
    assert "Dry run: nothing was written." in out
    code, out, _ = run(capsys, "roster", "import", str(path), "--database", database_url)
    assert code == 0
    assert "person amara" in out
    code, out, _ = run(capsys, "roster", "import", str(path), "--database", database_url)
    assert out.strip() == "The roster is already up to date; nothing to change."
    exported = tmp_path / "exported.yaml"
    code, out, _ = run(capsys, "roster", "export", str(exported), "--database", database_url)
    assert code == 0
    code, out, _ = run(capsys, "roster", "import", str(exported), "--database", database_url)
    assert "already up to date" in out


def test_a_bad_roster_file_names_the_line(capsys, tmp_path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("people:\n  - {handle: ann, name: Ann, time_zone: Mars/Base}\n")
    code, _, err = run(capsys, "roster", "import", str(path))
    assert code == 1
    assert f"{path}:2: person 'ann'" in err
    assert "Mars/Base" in err
    code, _, err = run(capsys, "roster", "import", str(tmp_path / "missing.yaml"))
    assert code == 1
    assert "There is no file" in err


def test_oncall_answers_for_an_instant_in_text_and_json(capsys, database_url) -> None:
    import json

    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(
        capsys,
        "oncall",
        "--at",
        "2026-03-02T10:00:00+00:00",
        "--team",
        "platform",
        "--json",
        "--database",
        database_url,
    )
    assert code == 0
    answer = json.loads(out)
    [team] = answer["teams"]
    primary = team["schedules"][0]
    # rota starts Mon 5 Jan with 5 people; 2 March is week 8, so the 4th person: lukas
    assert (primary["kind"], primary["person"]) == ("primary", "lukas")
    # at 20:00 London the Bangalore night layer takes over (follow the sun)
    assert primary["until"] == "2026-03-02T20:00:00+00:00"
    assert primary["next"] == "priya"
    code, out, _ = run(
        capsys, "oncall", "--at", "2026-03-02T10:00:00+00:00", "--database", database_url
    )
    assert "Platform" in out
    assert "Lukas Brandt" in out
    code, _, err = run(capsys, "oncall", "--team", "nope", "--database", database_url)
    assert code == 1
    assert "no team 'nope'" in err
    code, _, err = run(capsys, "oncall", "--at", "yesterday", "--database", database_url)
    assert "not an ISO-8601 time" in err


def test_schedule_export_writes_an_icalendar_file(capsys, database_url, tmp_path) -> None:
    from icalendar import Calendar

    run(capsys, "demo", "--no-gui", "--database", database_url)
    target = tmp_path / "shifts.ics"
    code, out, _ = run(
        capsys,
        "schedule",
        "export",
        "payments-primary",
        "--ics",
        str(target),
        "--weeks",
        "6",
        "--database",
        database_url,
    )
    assert code == 0
    assert "Payments primary" in out
    calendar = Calendar.from_ical(target.read_bytes())
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) >= 6
    assert all(str(e["summary"]).startswith("On call: ") for e in events)
    code, _, err = run(
        capsys, "schedule", "export", "nope", "--ics", str(target), "--database", database_url
    )
    assert code == 1
    assert "no schedule 'nope'" in err


# ----------------------------------------------------------------------------- runbooks


def test_runbook_commands(capsys, database_url, tmp_path) -> None:
    import json

    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(capsys, "runbooks", "list", "--json", "--database", database_url)
    listed = json.loads(out)
    assert code == 0
    assert {r["slug"] for r in listed} >= {"database-failover", "dns", "payment-provider-outage"}
    code, out, _ = run(capsys, "runbooks", "show", "dns", "--database", database_url)
    assert out.startswith("# DNS resolution failures")
    code, out, _ = run(capsys, "runbooks", "show", "dns", "--html", "--database", database_url)
    assert "<html>" in out
    assert 'href="step:' in out
    code, out, _ = run(capsys, "runbooks", "report", "--database", database_url)
    assert "Services without a runbook" in out
    folder = tmp_path / "rb"
    folder.mkdir()
    (folder / "ok.md").write_text("---\ntitle: OK\n---\n- [ ] do it\n")
    (folder / "broken.md").write_text("no front matter here")
    code, _, err = run(capsys, "runbooks", "import", str(folder), "--database", database_url)
    assert code == 1  # it would retire the demo's whole library
    assert "would retire 8 of the 8 runbooks in the library; nothing was changed" in err
    code, _, err = run(capsys, "runbooks", "show", "nope", "--database", database_url)
    assert code == 1
    assert "no runbook 'nope'" in err


# ----------------------------------------------------------------------------- paging


def test_page_commands(capsys, database_url) -> None:
    import json

    from warroom.store.config import save_settings

    run(capsys, "demo", "--no-gui", "--database", database_url)
    save_settings(user="amara")
    code, out, _ = run(
        capsys,
        "page",
        "create",
        "--service",
        "postgres-main",
        "--summary",
        "Replica lag 90 s",
        "--urgency",
        "high",
        "--database",
        database_url,
    )
    assert code == 0
    assert out.startswith("1 new")
    code, out, _ = run(
        capsys, "page", "list", "--state", "triggered", "--json", "--database", database_url
    )
    [mine] = [p for p in json.loads(out) if p["summary"] == "Replica lag 90 s"]
    assert mine["service"] == "postgres-main"
    code, out, _ = run(
        capsys,
        "page",
        "escalate",
        str(mine["id"]),
        "--to-expertise",
        "database",
        "--database",
        database_url,
    )
    assert "escalated; told:" in out
    code, out, _ = run(capsys, "page", "ack", str(mine["id"]), "--database", database_url)
    assert out.strip() == f"Page #{mine['id']} acknowledged."
    code, out, _ = run(capsys, "page", "resolve", str(mine["id"]), "--database", database_url)
    assert out.strip() == f"Page #{mine['id']} resolved."
    code, _, err = run(capsys, "page", "ack", "99999", "--database", database_url)
    assert code == 1
    assert "no page #99999" in err


def test_serve_receives_a_webhook_over_http(database_url, tmp_path) -> None:
    import json
    import os
    import socket
    import time
    import urllib.request

    subprocess.run(
        [sys.executable, "-m", "warroom", "demo", "--no-gui", "--database", database_url],
        check=True,
        capture_output=True,
        timeout=120,
    )
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "warroom",
            "serve",
            "--listen",
            f"127.0.0.1:{port}",
            "--database",
            database_url,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        banner = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/alertmanager" in banner
        body = json.dumps(
            {
                "version": "4",
                "status": "firing",
                "alerts": [
                    {
                        "status": "firing",
                        "fingerprint": "cli-1",
                        "labels": {
                            "alertname": "DiskFull",
                            "service": "kubernetes",
                            "severity": "critical",
                        },
                        "annotations": {"summary": "Disk full on node-3"},
                    }
                ],
            }
        ).encode()
        deadline = time.monotonic() + 10
        while True:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/alertmanager", data=body, method="POST"
                )
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert len(answer["created"]) == 1
    finally:
        server.terminate()
        server.wait(10)


def test_report_escalations(capsys, database_url) -> None:
    import json

    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(
        capsys, "report", "escalations", "--days", "3650", "--json", "--database", database_url
    )
    assert code == 0
    report = json.loads(out)
    assert {t["team"] for t in report["teams"]} >= {"Platform", "Payments"}
    assert sum(r["received"] for r in report["responders"]) > 0
    code, out, _ = run(capsys, "report", "escalations", "--database", database_url)
    assert "responder" in out
    code, _, err = run(capsys, "report", "escalations", "--days", "0")
    assert "--days must be between" in err
