"""`anninh web`: the officers' web console from the command line — a one-time login link for
an officer (`link --officer ACCOUNT`, ACCOUNT as in the areas file), and the live sessions
(`sessions list`, `sessions revoke ID` or `--officer ACCOUNT`)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.clock import SystemClock
from bot.config import Config
from bot.models import Resident
from bot.services.accounts import account_label, parse_account
from bot.services.web_auth import LINK_MINUTES, Refusal, WebAuthService
from bot.store import Store

T = TypeVar("T")
Command = Callable[[Any, str, Callable[[Config, argparse.Namespace], int], str],
                   argparse.ArgumentParser]


class WebFailure(Exception):
    """An expected failure of `anninh web`, said in one line (exit code 1)."""


def _run(config: Config, work: Callable[[Store, WebAuthService], Awaitable[T]]) -> T:
    async def run() -> T:
        store = await Store.open(config.database.path)
        try:
            return await work(store, WebAuthService(store, SystemClock()))
        finally:
            await store.close()

    return asyncio.run(run())


async def _person(store: Store, account: str) -> Resident:
    """The person an ACCOUNT names: a Telegram id, "telegram:…", "zalo:…", "zalo_oa:…"."""
    ref = parse_account(int(account) if account.isdigit() else account)
    if ref is None:
        raise WebFailure(f"{account!r}: expected a Telegram id or telegram:<id>, zalo:<id>, "
                         "zalo_oa:<id>")
    resident_id = await store.accounts.resident_of(*ref)
    person = await store.residents.get(resident_id) if resident_id is not None else None
    if person is None:
        raise WebFailure(f"{account_label(ref)}: no such person in the database")
    return person


def cmd_web_link(config: Config, args: argparse.Namespace) -> int:
    web = config.web_on
    if web is None:
        raise WebFailure(f"{config.source}: the web console is off: add a [web] section")

    async def work(store: Store, auth: WebAuthService) -> str:
        issued = await auth.issue(await _person(store, args.officer), "cli")
        if issued.refusal is Refusal.NOT_OFFICER:
            raise WebFailure(f"{args.officer}: not an officer of any commune")
        if issued.token is None:
            raise WebFailure(f"{args.officer}: too many login links in the last hour")
        return issued.token

    token = _run(config, work)
    print(f"{web.base_url}/login/{token}")
    print(f"(one use, valid {LINK_MINUTES} minutes)")
    return 0


def cmd_web_sessions_list(config: Config, _args: argparse.Namespace) -> int:
    async def work(store: Store, auth: WebAuthService) -> list[str]:
        lines = []
        for session in await auth.sessions():
            person = await store.residents.get(session.resident_id)
            accounts = ",".join(f"{a.channel}:{a.external_id}" for a in
                                await store.accounts.of_resident(session.resident_id))
            lines.append(f"{session.id}\t{accounts or '-'}\t"
                         f"{(person.display_name if person else None) or '-'}\t{session.via}\t"
                         f"{session.created_at}\t{session.last_seen_at}\t{session.expires_at}")
        return lines

    print("id\taccounts\tname\tvia\tcreated\tlast_seen\texpires")
    for line in _run(config, work):
        print(line)
    return 0


def cmd_web_sessions_revoke(config: Config, args: argparse.Namespace) -> int:
    if (args.id is None) == (args.officer is None):
        raise WebFailure("name one session (its id) or --officer ACCOUNT")

    async def work(store: Store, auth: WebAuthService) -> int:
        if args.officer is not None:
            return await auth.revoke_of((await _person(store, args.officer)).id)
        return int(await auth.revoke(args.id))

    ended = _run(config, work)
    if not ended and args.id is not None:
        raise WebFailure(f"no live session {args.id}")
    print(f"{ended} session(s) ended")
    return 0


def add_commands(commands: Any, common: argparse.ArgumentParser, command: Command) -> None:
    web = commands.add_parser("web", parents=[common], help="the officers' web console")
    web_commands = web.add_subparsers(title="commands", metavar="COMMAND", required=True)
    link = command(web_commands, "link", cmd_web_link,
                   "print a one-time login link (10 minutes) for an officer")
    link.add_argument("--officer", required=True,
                      help='the officer: a Telegram id, or "telegram:…", "zalo:…", "zalo_oa:…"')
    sessions = web_commands.add_parser("sessions", parents=[common], help="login sessions")
    session_commands = sessions.add_subparsers(title="commands", metavar="COMMAND",
                                               required=True)
    command(session_commands, "list", cmd_web_sessions_list, "list the live sessions")
    revoke = command(session_commands, "revoke", cmd_web_sessions_revoke,
                     "end a session at once (or every session of an officer)")
    revoke.add_argument("id", nargs="?", type=int, help="a session's id (from the list)")
    revoke.add_argument("--officer", help="end every session of this officer")
