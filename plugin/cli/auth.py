"""``pickup auth``: store, delete and show (masked) provider API keys in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from pickup.cli.common import emit_json, say
from pickup.errors import InputError
from pickup.secrets import KEY_ENV, delete_secret, secret_status, set_secret

__all__ = ["register", "run_delete", "run_set", "run_status"]


def _provider(text: str) -> str:
    name = text.strip().lower()
    if name not in KEY_ENV:
        raise argparse.ArgumentTypeError(
            f"{text!r} takes no API key; choose one of: {', '.join(KEY_ENV)}")
    return name


def register(sub: Any) -> None:
    parser = sub.add_parser("auth", help="store provider API keys in the OS keyring",
                            description="Keys come from the provider's environment variable "
                            "or, when it is unset, from the OS keyring (service 'pickup'). "
                            "They are never written to a file.")
    actions = parser.add_subparsers(dest="auth_command", metavar="ACTION",
                                    parser_class=type(parser))
    set_parser = actions.add_parser("set", help="store a key (asked for, or read from stdin)")
    set_parser.add_argument("provider", type=_provider, help=", ".join(KEY_ENV))
    set_parser.set_defaults(func=run_set)
    delete_parser = actions.add_parser("delete", help="remove a stored key")
    delete_parser.add_argument("provider", type=_provider, help=", ".join(KEY_ENV))
    delete_parser.set_defaults(func=run_delete)
    status_parser = actions.add_parser("status", help="show where each key comes from, masked")
    status_parser.add_argument("--json", action="store_true", help="print one JSON object")
    status_parser.set_defaults(func=run_status)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _read_key(provider: str) -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return getpass.getpass(f"{provider} API key ({KEY_ENV[provider]}): ")
        except EOFError:
            raise InputError("no key given") from None
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line.strip():
        raise InputError("no key on stdin", where=f"provider {provider}",
                         hint=f"pipe the key in: printf %s \"$KEY\" | pickup auth set {provider}")
    return line.strip()


def run_set(args: argparse.Namespace) -> int:
    key = _read_key(args.provider)
    set_secret(args.provider, key)
    status = secret_status(args.provider)
    say(f"stored the {args.provider} key in the OS keyring ({status.masked or '****'})")
    if status.source == "env":
        say(f"note: {status.env_var} is set and takes precedence over the keyring")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    if delete_secret(args.provider):
        say(f"deleted the {args.provider} key from the OS keyring")
    else:
        say(f"the OS keyring held no {args.provider} key")
    return 0


def run_status(args: argparse.Namespace) -> int:
    rows = [secret_status(name) for name in KEY_ENV]
    if args.json:
        emit_json({"keys": [{"provider": r.provider, "env_var": r.env_var, "source": r.source,
                             "masked": r.masked, "keyring_error": r.keyring_error}
                            for r in rows]})
        return 0
    width = max(len(r.provider) for r in rows)
    for r in rows:
        where = {"env": f"from {r.env_var}", "keyring": "from the OS keyring"}.get(
            r.source or "", f"not set ({r.env_var} or `pickup auth set {r.provider}`)")
        print(f"{r.provider:<{width}}  {r.masked or '-':<10}  {where}")
    problems = {r.keyring_error for r in rows if r.keyring_error}
    for problem in problems:
        say(f"warning: {problem}")
    return 0
