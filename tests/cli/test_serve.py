"""``warroom serve`` and ``warroom webhook-token``: alerts over HTTP, and the bearer token."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import keyring
import keyring.backends.fail
import pytest

from tests.cli.runner import child_environment, run
from warroom.cli import main

ALERT = {
    "version": "4",
    "status": "firing",
    "alerts": [
        {
            "status": "firing",
            "fingerprint": "cli-1",
            "labels": {"alertname": "DiskFull", "service": "kubernetes", "severity": "critical"},
            "annotations": {"summary": "Disk full on node-3"},
        }
    ],
}


def _post(url: str, token: str | None = None) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=json.dumps(ALERT).encode(), method="POST")
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_serve_receives_a_webhook_over_http(database_url, tmp_path) -> None:
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
        env=child_environment(),  # its own empty keyring: no token, whatever this computer has
    )
    try:
        banner = server.stdout.readline()  # printed once the socket is listening
        assert f"http://127.0.0.1:{port}/alertmanager" in banner
        status, answer = _post(f"http://127.0.0.1:{port}/alertmanager")
        assert status == 200
        assert len(answer["created"]) == 1
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.parametrize("listen", ["127.0.0.1:99999", "127.0.0.1:65536"])
def test_a_port_out_of_range_is_one_sentence(capsys, sqlite_url, listen) -> None:
    code, out, err = run(capsys, "serve", "--listen", listen, "--database", sqlite_url)
    assert code == 1
    assert out == ""
    assert err.strip() == f"warroom: --listen {listen}: a port is a number from 0 to 65535."


# ----------------------------------------------------------------------------- the bearer token


class _Banner(io.StringIO):
    """Standard output that tells when ``serve`` has said where it listens."""

    def __init__(self) -> None:
        super().__init__()
        self.shown = threading.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        if "receiving alerts on" in self.getvalue():
            self.shown.set()
        return written


def _serve_and_post(
    monkeypatch: pytest.MonkeyPatch, database_url: str, *options: str, token: str | None
) -> tuple[int, str, list[tuple[int, dict[str, object]]]]:
    """Run ``serve`` here (so it sees this test's keyring), POST twice, then stop it.

    ``serve`` runs on this, the main thread, because it installs a SIGTERM handler; the
    requests come from a second thread, which sends SIGTERM once they are answered.
    """
    banner = _Banner()
    monkeypatch.setattr(sys, "stdout", banner)
    answers: list[tuple[int, dict[str, object]]] = []

    def client() -> None:
        banner.shown.wait(60)
        if "receiving alerts on" not in banner.getvalue():
            return  # serve failed before listening, and before it handled SIGTERM
        try:
            where = banner.getvalue().split("http://", 1)[1].split("/", 1)[0]
            answers.append(_post(f"http://{where}/alertmanager"))
            answers.append(_post(f"http://{where}/alertmanager", token))
        finally:
            os.kill(os.getpid(), signal.SIGTERM)

    previous = signal.getsignal(signal.SIGTERM)
    requests = threading.Thread(target=client)
    requests.start()
    try:
        code = main(["serve", "--listen", "127.0.0.1:0", "--database", database_url, *options])
    finally:
        banner.shown.set()
        requests.join(60)
        signal.signal(signal.SIGTERM, previous)
    return code, banner.getvalue(), answers


def test_serve_requires_the_stored_token(capsys, monkeypatch, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    code, out, _ = run(capsys, "webhook-token")
    assert code == 0
    token = out.splitlines()[-1].removeprefix("Authorization: Bearer ")
    code, said, answers = _serve_and_post(monkeypatch, database_url, token=token)
    assert code == 0
    assert "(token required, from the keyring;" in said
    [(refused, reason), (accepted, answer)] = answers
    assert (refused, reason) == (401, {"error": "missing or wrong bearer token"})
    assert accepted == 200
    assert len(answer["created"]) == 1


def test_serve_no_token_accepts_alerts_without_it(capsys, monkeypatch, database_url) -> None:
    run(capsys, "demo", "--no-gui", "--database", database_url)
    assert run(capsys, "webhook-token")[0] == 0
    code, said, answers = _serve_and_post(monkeypatch, database_url, "--no-token", token=None)
    assert code == 0
    assert "(no token; catch-all" in said
    [(first, answer), (repeat, _)] = answers
    assert first == 200
    assert len(answer["created"]) == 1
    assert repeat == 200


def test_webhook_token_is_kept_in_the_keyring_and_removed(capsys, isolated_user) -> None:
    code, out, _ = run(capsys, "webhook-token")
    assert code == 0
    header = out.splitlines()[-1]
    assert header.startswith("Authorization: Bearer ")
    token = header.removeprefix("Authorization: Bearer ")
    assert len(token) >= 40
    assert isolated_user.passwords == {("warroom", "webhook-token"): token}
    code, out, _ = run(capsys, "webhook-token")
    assert code == 0
    assert isolated_user.passwords[("warroom", "webhook-token")] != token  # a new one each time
    code, out, _ = run(capsys, "webhook-token", "--remove")
    assert code == 0
    assert "removed" in out
    assert isolated_user.passwords == {}


def test_webhook_token_without_a_keyring_fails_closed(capsys) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    code, _, err = run(capsys, "webhook-token")
    assert code == 1
    assert "No OS keyring" in err
