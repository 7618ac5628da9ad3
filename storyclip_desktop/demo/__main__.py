"""Command line of the local backend: ``serve``, ``add-user``, ``add-api-key``.

Heavy imports (starlette, uvicorn) happen inside ``serve`` only, so the small
commands stay quick for scripts and tests.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import DEFAULT_ANON_KEY, ServerConfig
from .extensions import Extensions


def default_db() -> str:
    """``demo-backend.sqlite3`` in the platform's state folder for ``storyclip-desktop``
    (platformdirs: ``$XDG_STATE_HOME/storyclip-desktop`` on Linux)."""
    from platformdirs import user_state_dir

    folder = user_state_dir("storyclip-desktop", appauthor=False)
    return str(Path(folder) / "demo-backend.sqlite3")


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must not be negative")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be positive")
    return value


def _port(text: str) -> int:
    value = int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("must be 0..65535")
    return value


def parser(extensions: Extensions | None = None) -> argparse.ArgumentParser:
    """The command line; ``extensions`` may add options to ``serve``."""
    top = argparse.ArgumentParser(
        prog="python -m storyclip_desktop.demo",
        description="A local StoryClip + Supabase-Auth backend speaking the wire contract.",
    )
    sub = top.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="run the backend; prints its base URL first on stdout")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_port, default=0, help="0 picks a free port")
    s.add_argument("--db", default=None, help=f"SQLite file (default {default_db()})")
    s.add_argument("--mode", choices=("default", "upstream"), default="default")
    s.add_argument(
        "--api-key",
        action="append",
        default=[],
        dest="api_keys",
        help="an X-Api-Key the API accepts (repeatable); with none here or in the"
        " database the demo key 'demo-api-key' is accepted",
    )
    s.add_argument("--anon-key", default=DEFAULT_ANON_KEY, help="the auth 'apikey'")
    s.add_argument("--clip-seconds", type=_non_negative, default=3.0)
    s.add_argument("--failure-rate", type=_rate, default=0.0)
    s.add_argument("--seed", type=int, default=None, help="RNG seed of the publisher")
    s.add_argument("--waits", type=_positive_int, default=3, help="'waiting' events per clip")
    s.add_argument("--token-ttl", type=_positive_int, default=3600, help="expires_in, seconds")
    s.add_argument("--reuse-interval", type=_non_negative, default=10.0)
    s.add_argument("--heartbeat", type=_non_negative, default=15.0)
    s.add_argument("--retry-ms", type=_positive_int, default=3000, help="the SSE retry: field")
    s.add_argument("--token-rate-limit", type=_positive_int, default=1800)
    s.add_argument("--token-rate-window", type=_non_negative, default=3600.0)
    s.add_argument("--seed-demo", action="store_true", help="demo user and running batches")
    s.add_argument(
        "--fail-batch-on-first-error",
        action="store_true",
        help="upstream mode: reproduce the deployed bug failing the whole batch",
    )
    s.add_argument("--access-log", action="store_true")
    s.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes (a parent that dies takes the backend along)",
    )
    s.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    if extensions is not None:
        extensions.add_arguments(s)

    u = sub.add_parser("add-user", help="add a user (or reset its password); prints its id")
    u.add_argument("email")
    u.add_argument("password", help="'-' reads it from standard input")
    u.add_argument("--db", default=None)

    k = sub.add_parser("add-api-key", help="store an X-Api-Key the API accepts")
    k.add_argument("key")
    k.add_argument("--scopes", default="read,publish", help="comma list of read, publish")
    k.add_argument("--label", default=None)
    k.add_argument("--db", default=None)
    return top


def main(argv: Sequence[str] | None = None, extensions: Extensions | None = None) -> int:
    """Run one command; ``extensions`` changes the served backend (see :mod:`.extensions`)."""
    args = parser(extensions).parse_args(argv)
    db = args.db or default_db()
    if args.command == "add-user":
        from .store import Store

        password = sys.stdin.readline().rstrip("\n") if args.password == "-" else args.password  # noqa: S105
        if "@" not in args.email or not password:
            print("add-user: need an email and a non-empty password", file=sys.stderr)
            return 2
        store = Store(db)
        try:
            print(store.add_user(args.email, password))
        finally:
            store.close()
        return 0
    if args.command == "add-api-key":
        from .store import ALL_SCOPES, Store

        scopes = {s.strip() for s in args.scopes.split(",") if s.strip()}
        if not scopes or not scopes <= ALL_SCOPES:
            print("add-api-key: scopes are read and/or publish", file=sys.stderr)
            return 2
        store = Store(db)
        try:
            store.add_api_key(args.key, ",".join(sorted(scopes)), args.label)
        finally:
            store.close()
        return 0
    if args.mode != "upstream" and args.fail_batch_on_first_error:
        print("--fail-batch-on-first-error needs --mode upstream", file=sys.stderr)
        return 2
    config = ServerConfig(
        db=db,
        host=args.host,
        port=args.port,
        mode=args.mode,
        api_keys=tuple(args.api_keys),
        anon_key=args.anon_key,
        clip_seconds=args.clip_seconds,
        failure_rate=args.failure_rate,
        seed=args.seed,
        token_ttl=args.token_ttl,
        reuse_interval=args.reuse_interval,
        heartbeat=args.heartbeat,
        retry_ms=args.retry_ms,
        waits=args.waits,
        seed_demo=args.seed_demo,
        fail_batch_on_first_error=args.fail_batch_on_first_error,
        token_rate_limit=args.token_rate_limit,
        token_rate_window=args.token_rate_window,
        access_log=args.access_log,
        log_level=args.log_level,
        exit_with_stdin=args.exit_with_stdin,
    )
    ext = extensions or Extensions()
    try:
        ext.configure(args)
    except ValueError as exc:
        print(f"serve: {exc}", file=sys.stderr)
        return 2
    from .server import serve

    return serve(config, ext)


if __name__ == "__main__":
    sys.exit(main())
