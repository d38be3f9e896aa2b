"""``warroom incident``: declare, staff, hand over and close from a terminal or a script."""

from __future__ import annotations

import json

from tests.cli.runner import run, run_argparse


def _demo(capsys, database_url: str) -> None:
    code, _, _ = run(capsys, "demo", "--no-gui", "--database", database_url)
    assert code == 0


def test_declare_staff_hand_over_and_close(capsys, database_url, url_as) -> None:
    _demo(capsys, database_url)
    amara = url_as("amara")
    code, out, err = run(
        capsys,
        "incident",
        "declare",
        "--title",
        "Checkout 5xx",
        "--severity",
        "sev2",
        "--service",
        "checkout-api",
        "--bridge",
        "https://meet.example.com/inc",
        "--json",
        "--database",
        amara,
    )
    assert (code, err) == (0, "")
    declared = json.loads(out)
    ref, number = declared["ref"], str(declared["id"])
    assert (declared["severity"], declared["commander"]) == ("SEV2", "amara")
    code, out, _ = run(
        capsys, "incident", "role", "assign", number, "scribe", "tom.h", "--database", amara
    )
    assert (code, out) == (0, f"@tom.h is Scribe of {ref}.\n")
    code, out, _ = run(
        capsys, "incident", "role", "assign", number, "IC", "lukas", "--database", amara
    )
    assert (code, out) == (0, f"@lukas is Incident Commander of {ref}, handed over from @amara.\n")
    code, out, _ = run(
        capsys,
        "incident",
        "role",
        "assign",
        number,
        "sme",
        "priya",
        "--expertise",
        "kubernetes",
        "--database",
        amara,
    )
    assert code == 0
    code, out, _ = run(capsys, "incident", "status", number, "mitigated", "--database", amara)
    assert (code, out) == (0, f"{ref}: investigating → mitigated.\n")
    code, out, _ = run(
        capsys, "incident", "severity", number, "SEV1", "--reason", "all EU", "--database", amara
    )
    assert (code, out) == (0, f"{ref}: SEV2 → SEV1.\n")
    # amara is no longer the commander: closing is refused, naming who can
    code, _, err = run(
        capsys, "incident", "close", number, "--summary", "done", "--database", amara
    )
    assert code == 1
    assert err == (
        f"warroom: Only the Incident Commander, Lukas Brandt, can close {ref}; "
        "propose closing instead.\n"
    )
    code, out, _ = run(capsys, "incident", "propose-close", number, "--database", amara)
    assert code == 0
    lukas = url_as("lukas")
    code, out, _ = run(
        capsys, "incident", "close", number, "--summary", "Rolled back.", "--database", lukas
    )
    assert (code, out) == (0, f"{ref} is closed.\n")
    code, out, _ = run(capsys, "incident", "show", number, "--json", "--database", lukas)
    assert code == 0
    shown = json.loads(out)
    assert shown["status"] == "closed"
    assert shown["summary"] == "Rolled back."
    assert [(h["role"], h["handle"], h["took_over_from"]) for h in shown["history"]] == [
        ("incident_commander", "amara", None),
        ("scribe", "tom.h", None),
        ("incident_commander", "lukas", "amara"),
        ("subject_matter_expert", "priya", None),
    ]
    assert shown["roles"]["subject_matter_expert"][0]["expertise"] == "kubernetes"
    assert [(s["from"], s["to"], s["reason"]) for s in shown["severity_history"]] == [
        ("SEV2", "SEV1", "all EU")
    ]
    code, out, _ = run(capsys, "incident", "show", number, "--database", lukas)
    assert code == 0
    assert "Incident Commander          @lukas" in out
    assert "took over from @amara" in out
    code, out, _ = run(capsys, "incident", "list", "--json", "--database", lukas)
    assert any(r["ref"] == ref and r["status"] == "closed" for r in json.loads(out))


def test_declare_from_a_page_and_link_pages(capsys, database_url, url_as) -> None:
    _demo(capsys, database_url)
    amara = url_as("amara")
    code, out, _ = run(
        capsys,
        "page",
        "create",
        "--service",
        "edge",
        "--summary",
        "TLS errors",
        "--database",
        amara,
    )
    assert code == 0
    code, out, _ = run(capsys, "page", "list", "--json", "--database", amara)
    page = str(next(p["id"] for p in json.loads(out) if p["summary"] == "TLS errors"))
    code, out, _ = run(
        capsys,
        "incident",
        "declare",
        "--title",
        "TLS errors at the edge",
        "--severity",
        "SEV3",
        "--page",
        page,
        "--json",
        "--database",
        amara,
    )
    assert code == 0
    number = str(json.loads(out)["id"])
    code, out, _ = run(capsys, "incident", "show", number, "--json", "--database", amara)
    shown = json.loads(out)
    assert shown["service"] == "Edge (DNS, CDN, load balancers)"
    assert [p["id"] for p in shown["pages"]] == [int(page)]
    code, out, _ = run(
        capsys, "incident", "link-page", number, page, "--unlink", "--database", amara
    )
    assert (code, out) == (0, f"Page #{page} is no longer part of INC-{number}.\n")


def test_mistakes_are_one_sentence(capsys, database_url, url_as) -> None:
    _demo(capsys, database_url)
    amara = url_as("amara")
    cases = [
        (("declare", "--title", "x", "--severity", "SEV7"), "not a severity"),
        (("declare", "--title", " ", "--severity", "SEV2"), "needs a title"),
        (("show", "999999"), "There is no incident INC-999999."),
        (("role", "assign", "999999", "wizard", "amara"), "'wizard' is not a role"),
        (("status", "999999", "resolved"), "There is no incident INC-999999."),
    ]
    for argv, said in cases:
        code, _out, err = run(capsys, "incident", *argv, "--database", amara)
        assert code == 1, argv
        assert err.startswith("warroom: ")
        assert said in err
        assert "Traceback" not in err
    code, _, err = run_argparse(capsys, "incident", "show", "abc", "--database", amara)
    assert code == 2
    assert "Traceback" not in err
