"""``warroom serve``: receive alert webhooks and run the escalation engine, without a screen."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import WEBHOOK_ACCOUNT, with_context
from warroom.domain.errors import WarroomError
from warroom.store.config import keyring_available

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext

LARGEST_PORT = 65535


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[database],
        help="receive alert webhooks and run the escalation engine (headless)",
    )
    serve.add_argument(
        "--listen",
        default="127.0.0.1:8787",
        metavar="HOST:PORT",
        help="where to listen (default 127.0.0.1:8787, loopback only; port 0 picks a free one)",
    )
    serve.add_argument(
        "--default-service", metavar="SLUG", help="the service for alerts without a 'service' label"
    )
    serve.add_argument(
        "--no-token",
        action="store_true",
        help="accept webhooks without the bearer token even if one is stored",
    )
    serve.set_defaults(handler=_serve)


def _listen_address(text: str) -> tuple[str, int]:
    host, _, port_text = text.rpartition(":")
    if not host or not (port_text.isascii() and port_text.isdigit()):
        raise WarroomError(f"--listen {text}: write it as HOST:PORT, e.g. 127.0.0.1:8787")
    port = int(port_text)
    if port > LARGEST_PORT:
        raise WarroomError(f"--listen {text}: a port is a number from 0 to {LARGEST_PORT}.")
    return host, port


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from warroom.engine.escalation import EscalationEngine
    from warroom.engine.receiver import AlertReceiver

    host, port = _listen_address(args.listen)
    token = None
    if not args.no_token and keyring_available():
        import keyring

        from warroom.store.config import KEYRING_SERVICE

        token = keyring.get_password(KEYRING_SERVICE, WEBHOOK_ACCOUNT)

    def run(context: ServiceContext) -> int:
        try:
            receiver = AlertReceiver(
                context, host, port, token=token, default_service=args.default_service
            )
        except OSError as error:
            raise WarroomError(f"Cannot listen on {args.listen}: {error.strerror}.") from None
        engine = EscalationEngine(context)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        receiver.start()
        engine.start()
        where = "{}:{}".format(*receiver.address)
        print(
            f"warroom serve: receiving alerts on http://{where}/alertmanager, /grafana, "
            f"/generic ({'token required' if token else 'no token'}); escalation engine "
            "running. Ctrl+C stops.",
            flush=True,
        )
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
            engine.stop()
        return 0

    return with_context(args, run)
