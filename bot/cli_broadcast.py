"""`anninh broadcast send|status` and `anninh campaigns list|check` (registered by bot/cli.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.config import Config, ZaloOaConfig
from bot.delivery import DeliveryEngine, OutMessage
from bot.i18n import I18n
from bot.markup import TEXT_LIMIT, MarkupError, visible_length, visible_text
from bot.scheduler import slots_between
from bot.services.audiences import AudienceError, from_codes
from bot.services.broadcasts import BroadcastService
from bot.services.campaigns import Campaign, load_campaigns
from bot.services.oa_reach import USAGE_HEADER, usage_columns
from bot.store import Store
from bot.text import clean

Command = Callable[[Any, str, Callable[[Config, argparse.Namespace], int], str],
                   argparse.ArgumentParser]


class BroadcastFailure(Exception):
    """Said in one line by bot/cli.py (exit code 1)."""


def check_text(text: str) -> None:
    """BroadcastFailure (one line) unless Telegram would take `text` as a message."""
    try:
        visible = visible_text(text)
    except MarkupError as error:
        raise BroadcastFailure(f"nothing queued: the text is not HTML Telegram accepts: "
                               f"{error}") from None
    if not clean(visible):  # nothing, or only spaces and invisible characters
        raise BroadcastFailure("nothing queued: the text is empty")
    if (length := visible_length(text)) > TEXT_LIMIT:  # as Telegram counts (UTF-16 units)
        raise BroadcastFailure(
            f"nothing queued: the text is {length:,} characters long once its HTML is "
            f"read; Telegram takes at most {TEXT_LIMIT:,}")


def cmd_broadcast_send(config: Config, args: argparse.Namespace) -> int:
    """Queue an announcement; a running bot picks it up from the database within a second."""
    text = clean(args.text)  # NFC, no control characters: as the bot stores what it is given
    check_text(text)
    catalog = Catalog.load(config.content.folder)

    async def run() -> tuple[int, int]:
        store = await Store.open(config.database.path)
        try:
            audience = await from_codes(
                store, catalog, args.commune, hamlets=args.hamlet or (), teams=args.team or (),
                team_kinds=args.team_kind or (), tags=args.tag or ())
            engine = DeliveryEngine(store, config.broadcast, SystemClock(), config.locale.tz)
            service = BroadcastService(store, engine, I18n.load(config.content.folder))
            if await service.count(audience, urgent=args.urgent) == 0:
                unmuted = "" if args.urgent else " and have not muted announcements"
                raise BroadcastFailure(
                    "nothing queued: the audience has 0 recipients (residents there who "
                    f"consented, can be reached{unmuted})")
            # sent exactly as given: another system's text (it signs it if it wishes)
            broadcast_id = await service.send(
                audience, OutMessage(text=text), urgent=args.urgent, origin="cli")
            broadcast = await store.broadcasts.get(broadcast_id)
            return broadcast_id, broadcast.total if broadcast else 0
        finally:
            await store.close()

    try:
        broadcast_id, total = asyncio.run(run())
    except AudienceError as error:
        raise BroadcastFailure(f"nothing queued: {error}") from None
    print(f"queued announcement #{broadcast_id} for {total} recipient(s); "
          "a running bot sends it now")
    return 0


def cmd_broadcast_status(config: Config, args: argparse.Namespace) -> int:
    """The recent broadcasts one per line, or one broadcast with its counts per channel."""
    tz = config.locale.tz

    def local(moment: str | None) -> str:
        return datetime.fromisoformat(moment).astimezone(tz).isoformat() if moment else "-"

    async def run(store: Store) -> list[str]:
        if args.id is None:
            lines = ["id\tstate\tlane\torigin\tcreated\trecipients\tsent\tfailed\t"
                     "unreachable\tqueued"]
            for b in await store.broadcasts.recent(args.limit):
                c = await store.outbox.counts(b.id)
                lines.append(f"{b.id}\t{b.state}\t{b.lane}\t{b.origin}\t{local(b.created_at)}"
                             f"\t{c.total}\t{c.sent}\t{c.failed}\t{c.unreachable}\t{c.queued}")
            return lines
        broadcast = await store.broadcasts.get(args.id)
        if broadcast is None:
            raise BroadcastFailure(f"no broadcast #{args.id}")
        text = visible_text(OutMessage.from_json(broadcast.payload).text or "")
        lines = [f"broadcast #{broadcast.id}", f"state\t{broadcast.state}",
                 f"lane\t{broadcast.lane}", f"origin\t{broadcast.origin}",
                 f"created\t{local(broadcast.created_at)}", f"send at\t{local(broadcast.send_at)}",
                 f"finished\t{local(broadcast.finished_at)}",
                 f"text\t{' '.join(text.split())[:80] or '-'}",
                 "channel\tsent\tfailed\tunreachable\tqueued"]
        for channel, c in (await store.outbox.counts_by_channel(broadcast.id)).items():
            lines.append(f"{channel}\t{c.sent}\t{c.failed}\t{c.unreachable}\t{c.queued}")
        usage = await store.zalo_oa.usage_of(broadcast.id)
        if usage is not None:  # how the OA's followers were reached, and what it cost
            prices = config.zalo_oa or ZaloOaConfig()
            lines += [f"zalo_oa reach\t{USAGE_HEADER}",
                      "zalo_oa\t" + usage_columns(usage, prices.price_zbs_vnd,
                                                   prices.price_billable_vnd)]
        return lines

    async def opened() -> list[str]:
        store = await Store.open(config.database.path)
        try:
            return await run(store)
        finally:
            await store.close()

    print("\n".join(asyncio.run(opened())))
    return 0


def cmd_campaigns_list(config: Config, _args: argparse.Namespace) -> int:
    campaigns, errors = load_campaigns(config.content.folder, config.locale.tz,
                                       Catalog.load(config.content.folder))
    now = SystemClock().now()
    for campaign in campaigns:
        upcoming = slots_between(campaign.schedule, now, now.replace(year=now.year + 2), config)
        valid = [s for s in upcoming if campaign.valid_on(s.astimezone(config.locale.tz).date())]
        next_slot = valid[0].astimezone(config.locale.tz).strftime("%Y-%m-%d %H:%M") if valid \
            else "-"
        print(f"{campaign.id}\t{campaign.title}\t{' | '.join(campaign.schedule)}\t"
              f"next {next_slot}\t{campaign.path.name}")
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


def check_campaigns(config: Config) -> tuple[list[Campaign], list[str]]:
    """The valid campaign files and one line per bad one (`campaigns check`, `doctor`)."""
    return load_campaigns(config.content.folder, config.locale.tz,
                          Catalog.load(config.content.folder))


def cmd_campaigns_check(config: Config, _args: argparse.Namespace) -> int:
    campaigns, errors = check_campaigns(config)
    for error in errors:
        print(error, file=sys.stderr)
    if errors:
        return 1
    print(f"{len(campaigns)} campaign(s) OK in {config.content.folder / 'campaigns'}")
    return 0


def add_commands(commands: Any, common: argparse.ArgumentParser, command: Command) -> None:
    broadcast = commands.add_parser("broadcast", parents=[common], help="announcements")
    broadcast_commands = broadcast.add_subparsers(title="commands", metavar="COMMAND",
                                                  required=True)
    send = command(broadcast_commands, "send", cmd_broadcast_send,
                   "queue an announcement; a running bot delivers it within seconds")
    send.add_argument("--commune", required=True, help="commune code")
    send.add_argument("--hamlet", action="append", help="hamlet code (repeatable)")
    send.add_argument("--team", action="append", help="team code (repeatable)")
    send.add_argument("--team-kind", action="append", help="team kind code (repeatable)")
    send.add_argument("--tag", action="append", help="resident tag (repeatable; narrows)")
    send.add_argument("--urgent", action="store_true",
                      help="also to residents who muted announcements, and ring at night")
    send.add_argument("--text", required=True,
                      help="the text in Telegram's HTML subset, at most 4,096 characters shown")
    status = command(broadcast_commands, "status", cmd_broadcast_status,
                     "the recent broadcasts, or one with its counts per channel")
    status.add_argument("id", nargs="?", type=int, help="a broadcast's number")
    status.add_argument("--limit", type=int, default=20,
                        help="how many recent broadcasts to list (default 20)")

    campaigns = commands.add_parser("campaigns", parents=[common], help="propaganda campaigns")
    campaign_commands = campaigns.add_subparsers(title="commands", metavar="COMMAND",
                                                 required=True)
    command(campaign_commands, "list", cmd_campaigns_list,
            "list campaigns in <content folder>/campaigns with their next slot")
    command(campaign_commands, "check", cmd_campaigns_check,
            "validate campaign files (a bad one is named with its field)")
