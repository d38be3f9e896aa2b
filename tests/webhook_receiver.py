"""A webhook receiver on loopback for tests: it answers what it is told to, really, over HTTP.

Used to prove deliveries against a server that fails (5xx, 4xx, a redirect, no answer at
all) and then succeeds, without any fake in the delivery code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Receiver:
    """The answers to give, in order (the last one repeats; ``"hang"`` answers nothing until
    ``release`` is set), and every request received: (path, headers, JSON body)."""

    answers: list[int | str] = field(default_factory=lambda: [200])
    requests: list[tuple[str, dict[str, str], dict]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def next_answer(self) -> int | str:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


@contextmanager
def running_receiver(path: str = "/hook") -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 at a free port; ``url`` ends in ``path``."""
    state = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state.requests.append((self.path, dict(self.headers), json.loads(body)))
                answer = state.next_answer()
            if answer == "hang":
                state.release.wait(30)
                return
            self.send_response(int(answer))
            if 300 <= int(answer) < 400:
                self.send_header("Location", "/moved")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
