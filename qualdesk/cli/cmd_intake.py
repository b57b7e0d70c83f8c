"""``qualdesk intake …``: sources (add, list, rotate, remove, refusals) and the receiver."""

from __future__ import annotations

import argparse
import sys

from qualdesk.cli.common import CommandError, Context, Registry, add_json, print_json, print_table


def _source_add(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.sources import add_source

    secret = None
    if args.secret_stdin:
        secret = sys.stdin.readline().rstrip("\r\n")
        if not secret:
            raise CommandError("--secret-stdin: no secret on standard input")
    new = add_source(ctx.db, args.name, args.kind, campaign=args.campaign,
                     hand_raise=args.hand_raise, secret=secret,
                     allowed_redirects=tuple(args.allow_redirect or ()),
                     rate_per_minute=args.rate)
    shown = None if secret else new.secret  # a secret the caller gave is not echoed
    if args.json:
        print_json({"name": new.name, "kind": args.kind, "path": f"/intake/{new.name}",
                    "secret": shown})
    else:
        print(f"source {new.name}: POST /intake/{new.name}")
        if shown:
            print(f"secret (shown once; give it to the sender): {shown}")
    return 0


def _sources(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.sources import list_sources

    rows = list_sources(ctx.db)
    if args.json:
        print_json([r.as_dict() for r in rows])
    else:
        print_table([r.as_dict() for r in rows],
                    ["name", "kind", "campaign", "path", "events_today", "refused_today",
                     "last_event_at", "last_refusal_at", "last_refusal_reason"])
    return 0


def _rotate(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.sources import rotate_secret

    secret = sys.stdin.readline().rstrip("\r\n") if args.secret_stdin else None
    new = rotate_secret(ctx.db, args.name, secret or None)
    shown = None if secret else new.secret
    if args.json:
        print_json({"name": new.name, "secret": shown})
    elif shown:
        print(f"new secret for {new.name} (shown once): {shown}")
    else:
        print(f"secret of {new.name} replaced")
    return 0


def _remove(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.sources import remove_source

    remove_source(ctx.db, args.name)
    if args.json:
        print_json({"removed": args.name})
    return 0


def _refusals(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.sources import recent_refusals

    rows = recent_refusals(ctx.db, args.name, args.limit)
    if args.json:
        print_json([r.as_dict() for r in rows])
    else:
        print_table([r.as_dict() for r in rows], ["at", "status", "reason", "remote"])
    return 0


def _serve(ctx: Context, args: argparse.Namespace) -> int:
    from qualdesk.services.intake.live.receiver import serve

    host, sep, port = args.listen.rpartition(":")
    if not sep or not port.isdigit():
        raise CommandError(f"--listen {args.listen!r}: expected HOST:PORT, e.g. 127.0.0.1:8470")
    host = host.strip("[]") or "127.0.0.1"
    _can_listen(host, int(port), args.listen)
    serve(ctx.db, host, int(port),
          forwarded_allow_ips=args.forwarded_allow_ips, log_level=args.log_level,
          workers=args.workers)
    return 0


def _can_listen(host: str, port: int, shown: str) -> None:
    """A port in use or an address not on this machine: one line, before the server
    starts (uvicorn would log a few lines and exit 3). Bound as uvicorn binds it."""
    import socket

    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((host, port))
    except OSError as exc:
        raise CommandError(f"--listen {shown}: cannot listen there "
                           f"({exc.strerror or exc}): is another receiver running on "
                           "that port, or is the address not this machine's?") from exc


def register(reg: Registry) -> None:
    group_help = "live intake: sources and the HTTP receiver"
    src = reg.subcommand("intake", "source", "add, rotate or remove a source", _usage,
                         group_help)
    sub = src.add_subparsers(dest="source_command", metavar="COMMAND")

    p = sub.add_parser("add", help="a place leads and activity arrive from")
    p.set_defaults(handler=_source_add)
    p.add_argument("name", metavar="NAME", help="its URL path: /intake/NAME")
    p.add_argument("--kind", required=True, choices=("mautic", "json", "form"))
    p.add_argument("--campaign")
    p.add_argument("--hand-raise", metavar="KIND", help="default: contact_form")
    p.add_argument("--secret-stdin", action="store_true",
                   help="read the secret from standard input (Mautic shows its own)")
    p.add_argument("--allow-redirect", action="append", metavar="URL",
                   help="form: a retURL prefix answered with 303 (repeatable)")
    p.add_argument("--rate", type=int, default=60, metavar="N", help="requests a minute")
    add_json(p)

    p = sub.add_parser("rotate", help="a new secret (the old one stops working)")
    p.set_defaults(handler=_rotate)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--secret-stdin", action="store_true")
    add_json(p)

    p = sub.add_parser("remove", help="remove a source (its leads stay)")
    p.set_defaults(handler=_remove)
    p.add_argument("name", metavar="NAME")
    add_json(p)

    p = sub.add_parser("refusals", help="what the source refused, and why")
    p.set_defaults(handler=_refusals)
    p.add_argument("name", metavar="NAME")
    p.add_argument("--limit", type=int, default=50)
    add_json(p)

    p = reg.subcommand("intake", "sources", "each source: kind, campaign, path, today's "
                       "counts, last event, last refusal and why", _sources, group_help)
    add_json(p)

    p = reg.subcommand("intake", "serve", "run the HTTP receiver until SIGTERM", _serve,
                       group_help)
    p.add_argument("--listen", default="127.0.0.1:8470", metavar="HOST:PORT")
    p.add_argument("--forwarded-allow-ips", metavar="IPS",
                   help="proxies whose X-Forwarded-For is trusted (default 127.0.0.1)")
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="processes on the one port (default 1; about one per core)")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))


def _usage(ctx: Context, args: argparse.Namespace) -> int:
    print("usage: qualdesk intake source add|rotate|remove|refusals NAME …", file=sys.stderr)
    return 2
