"""`anninh api-keys`: the keys of the outside systems that use the Open311 API — `create
--name NAME --commune CODE` (the key is printed once: only its hash is kept), `list`,
`revoke NAME|ID`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.clock import SystemClock
from bot.config import Config
from bot.services.api_keys import ApiKeyService
from bot.store import Store

T = TypeVar("T")
Command = Callable[[Any, str, Callable[[Config, argparse.Namespace], int], str],
                   argparse.ArgumentParser]


def _run(config: Config, work: Callable[[ApiKeyService], Awaitable[T]]) -> T:
    async def run() -> T:
        store = await Store.open(config.database.path)
        try:
            return await work(ApiKeyService(store, SystemClock()))
        finally:
            await store.close()

    return asyncio.run(run())


def cmd_create(config: Config, args: argparse.Namespace) -> int:
    key, secret = _run(config, lambda keys: keys.create(args.name, args.commune))
    print(secret)
    print(f"(the key {key.name!r} for {key.commune_code}: shown this once, only its hash is "
          "kept)")
    return 0


def cmd_list(config: Config, _args: argparse.Namespace) -> int:
    print("id\tname\tcommune\tcreated\trevoked")
    for key in _run(config, lambda keys: keys.keys()):
        print(f"{key.id}\t{key.name}\t{key.commune_code}\t{key.created_at}\t"
              f"{key.revoked_at or '-'}")
    return 0


def cmd_revoke(config: Config, args: argparse.Namespace) -> int:
    key = _run(config, lambda keys: keys.revoke(args.key))
    print(f"the key {key.name!r} ({key.id}) is revoked")
    return 0


def add_commands(commands: Any, common: argparse.ArgumentParser, command: Command) -> None:
    keys = commands.add_parser("api-keys", parents=[common],
                               help="keys of the systems that use the Open311 API")
    key_commands = keys.add_subparsers(title="commands", metavar="COMMAND", required=True)
    create = command(key_commands, "create", cmd_create,
                     "make a key for a commune and print it (once)")
    create.add_argument("--name", required=True, help="who holds it, e.g. 'Trung tâm 1022'")
    create.add_argument("--commune", required=True, help="the commune's code")
    command(key_commands, "list", cmd_list, "list the keys (never the keys themselves)")
    revoke = command(key_commands, "revoke", cmd_revoke, "stop a key at once")
    revoke.add_argument("key", help="the key's name or id")

