"""``warroom serve``: receive alert webhooks and run the background engine, without a screen."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import with_context
from warroom.domain.errors import WarroomError

if TYPE_CHECKING:
    from warroom.cli.common import Commands
    from warroom.services.context import ServiceContext


def register(commands: Commands, database: argparse.ArgumentParser) -> None:
    serve = commands.add_parser(
        "serve",
        parents=[database],
        help="receive alert webhooks and run escalations and reminders (headless)",
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
        "--token-file",
        metavar="FILE",
        help="the webhook bearer token, in a file only you can read (chmod 600); for hosts "
        "without a keyring (or set WARROOM_WEBHOOK_TOKEN)",
    )
    serve.add_argument(
        "--no-token",
        action="store_true",
        help="accept webhooks without the bearer token even if one is stored",
    )
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from warroom.engine.background import BackgroundEngine
    from warroom.engine.receiver import AlertReceiver
    from warroom.engine.serve_setup import parse_listen

    parse_listen(args.listen)  # a malformed address is said before the database is opened

    def run(context: ServiceContext) -> int:
        from warroom.engine.serve_setup import plan_serve

        plan = plan_serve(
            context,
            listen=args.listen,
            default_service=args.default_service,
            token_file=args.token_file,
            no_token=args.no_token,
        )
        try:
            receiver = AlertReceiver(
                context,
                plan.listen.host,
                plan.listen.port,
                token=plan.token.token,
                default_service=plan.default_service,
            )
        except OSError as error:
            raise WarroomError(f"Cannot listen on {plan.listen}: {error.strerror}.") from None
        engine = BackgroundEngine(context)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        receiver.start()
        engine.start()
        try:
            print(plan.banner(receiver.address), flush=True)
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
            engine.stop()
        return 0

    return with_context(args, run)
