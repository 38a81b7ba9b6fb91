"""`anninh zalo …`: a commune's Zalo Official Account tokens.

- `anninh zalo connect --commune CODE` prints the OA admin's consent link (OAuth v4 with
  PKCE; the verifier waits in the database); `--code CODE` takes the code Zalo sent back to
  the redirect URI and stores the tokens.
- `anninh zalo token --commune CODE --refresh-token TOKEN` seeds the tokens from a refresh
  token (from Zalo's API explorer): it is used at once — it works once only — and the new
  pair is stored.
- `anninh zalo usage [--month YYYY-MM] [--commune CODE]`: how the month's broadcasts reached
  each commune's OA followers — free, billable, by ZBS, skipped outside the window,
  unreachable — and the estimated cost at `[zalo_oa] price_zbs_vnd` / `price_billable_vnd`.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from bot.channels.zalo_oa.client import OaError, TokenPair, ZaloOaClient, new_verifier
from bot.channels.zalo_oa.tokens import store_pair
from bot.clock import SystemClock
from bot.config import Config, ConfigError, ZaloOaConfig
from bot.services.oa_reach import USAGE_HEADER, month_bounds, usage_columns
from bot.store import Store

Command = Callable[[Any, str, Callable[[Config, argparse.Namespace], int], str],
                   argparse.ArgumentParser]


class ZaloFailure(Exception):
    """Said in one line by bot/cli.py (exit code 1)."""


def _client(config: Config) -> ZaloOaClient:
    section = config.zalo_oa
    if section is None:
        raise ConfigError(f"{config.source}: no [zalo_oa] section: add one with the app_id")
    return ZaloOaClient(section.app_id, config.zalo_oa_secret("app_secret_env"),
                        api_base_url=section.api_base_url,
                        oauth_base_url=section.oauth_base_url)


async def _commune_oa(store: Store, code: str) -> tuple[int, str]:
    found = await store.zalo_oa.oa_of_commune(code)
    if found is None:
        raise ZaloFailure(f"no commune with the code {code!r} (anninh areas load first)")
    if found[1] is None:
        raise ZaloFailure(f"the commune {code!r} names no Official Account: add "
                          'zalo_oa_id = "…" to it in the areas file and load it again')
    return found[0], found[1]


def _run(config: Config, work: Callable[[Store, ZaloOaClient], Awaitable[str]]) -> int:
    client = _client(config)

    async def run() -> str:
        store = await Store.open(config.database.path)
        try:
            return await work(store, client)
        except OaError as error:
            raise ZaloFailure(f"Zalo refused: {error}") from None
        finally:
            await client.close()
            await store.close()

    print(asyncio.run(run()))
    return 0


async def _keep(store: Store, oa_id: str, code: str, pair: TokenPair) -> str:
    await store_pair(store.zalo_oa, SystemClock(), oa_id, pair)
    return (f"the tokens of OA {oa_id} (commune {code}) are stored; anninh run renews them "
            "from now on")


def cmd_zalo_token(config: Config, args: argparse.Namespace) -> int:
    async def work(store: Store, client: ZaloOaClient) -> str:
        _, oa_id = await _commune_oa(store, args.commune)
        return await _keep(store, oa_id, args.commune, await client.refresh(args.refresh_token))

    return _run(config, work)


def cmd_zalo_connect(config: Config, args: argparse.Namespace) -> int:
    redirect = args.redirect_uri or (config.zalo_oa.redirect_uri if config.zalo_oa else "")

    async def work(store: Store, client: ZaloOaClient) -> str:
        commune_id, oa_id = await _commune_oa(store, args.commune)
        if args.code:
            pending = await store.zalo_oa.take_consent(commune_id)
            if pending is None:
                raise ZaloFailure("no consent link is waiting for this commune: run "
                                  f"anninh zalo connect --commune {args.commune} first")
            pair = await client.exchange_code(args.code, pending[0])
            return await _keep(store, oa_id, args.commune, pair)
        if not redirect:
            raise ZaloFailure("the consent link needs the app's redirect URI: set [zalo_oa] "
                              "redirect_uri or give --redirect-uri")
        verifier, state = new_verifier(), secrets.token_urlsafe(12)
        await store.zalo_oa.put_consent(commune_id, verifier, state)
        return (f"The admin of OA {oa_id} opens this link and allows the app:\n"
                f"{client.consent_link(redirect, verifier, state)}\n"
                f"then: anninh zalo connect --commune {args.commune} --code CODE "
                "(CODE from the address Zalo opens)")

    return _run(config, work)


def cmd_zalo_usage(config: Config, args: argparse.Namespace) -> int:
    tz = config.locale.tz
    month = args.month or SystemClock().now().astimezone(tz).strftime("%Y-%m")
    bounds = month_bounds(month, tz)
    if bounds is None:
        raise ZaloFailure(f"--month {month!r}: a month as YYYY-MM, e.g. 2026-12")
    prices = config.zalo_oa or ZaloOaConfig()

    async def run() -> list[str]:
        store = await Store.open(config.database.path)
        try:
            communes = await store.zalo_oa.oa_communes()
            if args.commune:
                communes = [c for c in communes if c[1] == args.commune]
                if not communes:
                    raise ZaloFailure(f"no commune {args.commune!r} with an Official Account")
            lines = [f"month\t{month}", f"commune\toa\t{USAGE_HEADER}"]
            for commune_id, code, oa_id in communes:
                usage = await store.zalo_oa.usage(*bounds, commune_id=commune_id)
                lines.append(f"{code}\t{oa_id}\t" + usage_columns(
                    usage, prices.price_zbs_vnd, prices.price_billable_vnd))
            if not args.commune:
                total = await store.zalo_oa.usage(*bounds)
                lines.append("total\t-\t" + usage_columns(
                    total, prices.price_zbs_vnd, prices.price_billable_vnd))
            return lines
        finally:
            await store.close()

    print("\n".join(asyncio.run(run())))
    return 0


def add_commands(commands: Any, common: argparse.ArgumentParser, command: Command) -> None:
    zalo = commands.add_parser("zalo", parents=[common],
                               help="Zalo Official Account tokens and usage")
    zalo_commands = zalo.add_subparsers(title="commands", metavar="COMMAND", required=True)
    connect = command(zalo_commands, "connect", cmd_zalo_connect,
                      "print the OA admin's consent link (OAuth v4, PKCE), or take its code "
                      "back with --code")
    connect.add_argument("--commune", required=True, help="commune code")
    connect.add_argument("--code", help="the code Zalo sent to the redirect URI")
    connect.add_argument("--redirect-uri", help="the app's redirect URI (default: [zalo_oa] "
                         "redirect_uri)")
    token = command(zalo_commands, "token", cmd_zalo_token,
                    "seed an OA's tokens from a refresh token (used at once: it works once)")
    token.add_argument("--commune", required=True, help="commune code")
    token.add_argument("--refresh-token", required=True, help="the OA's refresh token")
    usage = command(zalo_commands, "usage", cmd_zalo_usage,
                    "a month's sends to OA followers: free, billable, ZBS, skipped, "
                    "unreachable, and the estimated cost")
    usage.add_argument("--month", help="YYYY-MM, local time (default: this month)")
    usage.add_argument("--commune", help="one commune's code (default: every commune's OA)")
