"""``warroom serve`` and ``warroom webhook-token``: alerts over HTTP, and the bearer token."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from tests.cli.runner import child_environment, run

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
