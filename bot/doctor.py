"""`anninh doctor`: what would stop the bot from reaching people, one line per problem.

It asks the Bot API (the configured `api_base_url` and token) whether the bot is in each
commune's staff group and may post there; reads from the database whether every officer and
team leader has opened the bot (Telegram refuses messages a bot starts to anyone who has not)
and which recent broadcasts left messages failed or unreachable, and whether messages wait
for a channel that has no sender configured; validates the campaign files as `anninh campaigns
check` does; looks at the media folder (a folder the bot may write to, holding every file
the database names); and warns that photos cannot reach the Zalo Bot Platform, which takes
them only by URL, without `[web] public_url`; and, with `[zalo_oa]`, names each commune's OA
that has no tokens or whose renewal Zalo refused. Exit 0 with one "all good" line, else 1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from bot.cli_broadcast import Command, check_campaigns
from bot.clock import SystemClock
from bot.config import Config, ConfigError
from bot.media import MediaStore
from bot.models import Commune, StaffContact
from bot.store import Store

DEFAULT_HOURS = 24.0
_NOT_IN_GROUP = ("left", "kicked")


class BotApiError(Exception):
    """An answer with "ok": false: Telegram's error code, description and parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any]) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class BotApi:
    """The few Bot API calls the doctor makes, as JSON over aiohttp (no PTB Application)."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str) -> None:
        self._session = session
        self._url = f"{base_url.rstrip('/')}{token}/"

    async def call(self, method: str, **params: Any) -> Any:
        async with self._session.post(self._url + method, json=params) as response:
            try:
                body = await response.json(content_type=None)
            except ValueError:
                body = None
        if not isinstance(body, dict):
            raise BotApiError(response.status, f"HTTP {response.status}, not a Bot API answer", {})
        if not body.get("ok"):
            raise BotApiError(int(body.get("error_code") or response.status),
                              str(body.get("description") or "error"),
                              body.get("parameters") or {})
        return body.get("result")


@dataclass
class Diagnosis:
    problems: list[str] = field(default_factory=list)
    groups: int = 0
    people: int = 0
    campaigns: int = 0
    media: str = ""  # the media folder's line, for the all-good line


async def diagnose(config: Config, store: Store, now: datetime, hours: float) -> Diagnosis:
    """Every check. Without a token (from the environment) the staff groups are not asked."""
    found = Diagnosis()
    communes = await store.areas.communes()
    try:
        token = config.token()
    except ConfigError as error:
        found.problems.append(f"telegram: {error}; the staff groups were not checked")
    else:
        found.problems += await check_staff_groups(config, communes, token)
        found.groups = sum(1 for c in communes if c.staff_chat_id is not None)
    contacts = await store.residents.staff_contacts()
    found.people = len(contacts)
    found.problems += [problem for c in contacts if (problem := _unreachable(c, config.locale.tz))]
    campaigns, errors = check_campaigns(config)
    found.campaigns = len(campaigns)
    found.problems += [f"campaign: {error}" for error in errors]
    found.problems += await check_outbox(store, now, hours, config.locale.tz,
                                         channels=configured_channels(config))
    media_problems, found.media = await check_media(config.media.folder, store)
    found.problems += media_problems
    if warning := photo_address_warning(config):
        found.problems.append(warning)
    if config.zalo_oa_on is not None:
        found.problems += await check_oa_tokens(store, config.locale.tz)
    return found


async def check_oa_tokens(store: Store, tz: ZoneInfo) -> list[str]:
    """Each commune's OA: tokens stored, and no renewal refused since (its admin must consent
    again: the refresh token works once, and a refused one is gone)."""
    problems = []
    for _, code, oa_id in await store.zalo_oa.oa_communes():
        tokens = await store.zalo_oa.tokens(oa_id)
        again = f"anninh zalo connect --commune {code}"
        if tokens is None:
            problems.append(f"zalo_oa: the OA {oa_id} of commune {code} has no tokens: run "
                            f"{again}")
        elif tokens.failed_at is not None:
            when = datetime.fromisoformat(tokens.failed_at).astimezone(tz)
            problems.append(f"zalo_oa: Zalo refused to renew the tokens of OA {oa_id} "
                            f"(commune {code}) at {when:%H:%M %d/%m/%Y} ({tokens.failure}): "
                            f"nothing reaches its followers until its admin runs {again}")
    return problems


def photo_address_warning(config: Config) -> str | None:
    """Why photos cannot reach Zalo, when a Zalo Bot Platform channel is on and anninh's web
    server has no public address (also logged by `anninh run` at start)."""
    if "zalo" not in configured_channels(config) or config.web.public_url:
        return None
    return ("zalo: [web] public_url is not set: photos (a report's, a relay's, an "
            "announcement's, a campaign's) reach Zalo as their caption alone — the Zalo Bot "
            "Platform takes photos only by URL; set public_url to the address Zalo reaches "
            "anninh's web server at")


def configured_channels(config: Config) -> set[str]:
    """The channels `anninh run` drains: Telegram, and each messenger whose section
    ([zalo_bot], [zalo_oa]) is in the config and not turned off."""
    found = {"telegram"}
    for channel, section in (("zalo", "zalo_bot"), ("zalo_oa", "zalo_oa")):
        settings = getattr(config, section, None)
        if settings is not None and getattr(settings, "enabled", True):
            found.add(channel)
    return found


# --- the staff groups, asked of the Bot API ---------------------------------------------------


async def check_staff_groups(config: Config, communes: list[Commune], token: str) -> list[str]:
    base = config.telegram.api_base_url
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        api = BotApi(session, base, token)
        try:
            me = await api.call("getMe")
        except BotApiError as error:
            refused = " (the token was refused)" if error.code in (401, 404) else ""
            return [f"telegram: {base} answered getMe with {error.code} "
                    f"{error.description}{refused}; the staff groups were not checked"]
        except (aiohttp.ClientError, TimeoutError) as error:
            return [f"telegram: cannot reach {base}: {error or type(error).__name__}; "
                    "the staff groups were not checked"]
        problems = []
        for commune in communes:
            try:
                problem = await _staff_group(api, commune, int(me["id"]))
            except (aiohttp.ClientError, TimeoutError) as error:
                problem = (f"staff group: commune {commune.code}: cannot reach {base}: "
                           f"{error or type(error).__name__}")
            if problem:
                problems.append(problem)
        return problems


async def _staff_group(api: BotApi, commune: Commune, bot_id: int) -> str | None:
    """What is wrong with the commune's staff group, if anything."""
    chat_id = commune.staff_chat_id
    where = f"staff group: commune {commune.code}"
    if chat_id is None:
        return (f"{where} has none (staff_chat_id in the areas file): reports and join "
                "requests go to each officer privately")
    where = f"{where} ({chat_id})"
    try:
        chat = await api.call("getChat", chat_id=chat_id)
        if chat.get("type") not in ("group", "supergroup"):
            return f"{where} is a {chat.get('type')} chat, not a group"
        member = await api.call("getChatMember", chat_id=chat_id, user_id=bot_id)
    except BotApiError as error:
        moved = error.parameters.get("migrate_to_chat_id")
        if moved is not None:
            return (f"{where} became the supergroup {moved}: set staff_chat_id = {moved} in "
                    "the areas file and load it")
        return f"{where}: {error.description} (is the bot in the group?)"
    status = member.get("status")
    if status in _NOT_IN_GROUP or (status == "restricted" and not member.get("is_member")):
        return f"{where}: the bot is not a member; add it to the group"
    if status == "restricted" and not member.get("can_send_messages"):
        return f"{where}: the bot may not post (an admin restricted it); let it send messages"
    return None


# --- what the database knows -------------------------------------------------------------------


def _unreachable(contact: StaffContact, tz: ZoneInfo) -> str | None:
    """A line for an officer or leader the bot cannot write to; None if it can."""
    if contact.telegram_id is None:
        return None
    name = f" ({contact.display_name})" if contact.display_name else ""
    where = (f"team {contact.team} of {contact.commune}" if contact.team
             else f"commune {contact.commune}")
    who = f"people: {contact.role} {contact.telegram_id}{name} of {where}"
    if contact.unreachable_at is not None:
        since = datetime.fromisoformat(contact.unreachable_at).astimezone(tz)
        return f"{who} blocked the bot (since {since:%Y-%m-%d %H:%M}): it cannot write to them"
    if contact.opened_at is None:
        return (f"{who} has not opened the bot: Telegram refuses its messages until they send "
                "it /start")
    return None


async def check_outbox(
    store: Store, now: datetime, hours: float, tz: ZoneInfo,
    channels: Collection[str] = ("telegram",),
) -> list[str]:
    """One line per recent broadcast with failed or unreachable messages, and one per
    channel with messages queued but no sender among `channels`."""
    since = (now - timedelta(hours=hours)).astimezone(UTC).isoformat(timespec="seconds")
    lines = [f"outbox: {count} message(s) queued for {channel}, which has no sender "
             "configured: they wait until it has one"
             for channel, count in sorted((await store.outbox.queued_by_channel()).items())
             if channel not in channels]
    # `since` is in the database's stamp format (bot/store/db.py: UTC, seconds)
    for found in await store.outbox.failures_since(since):
        created = datetime.fromisoformat(found.created_at).astimezone(tz)
        error = f"; last error: {found.last_error}" if found.last_error else ""
        lines.append(f"outbox: broadcast #{found.broadcast_id} ({found.lane}, {found.origin}, "
                     f"{created:%Y-%m-%d %H:%M}): {found.failed} failed, "
                     f"{found.unreachable} unreachable{error}")
    return lines


async def check_media(folder: Path, store: Store) -> tuple[list[str], str]:
    """Problems with the media folder, and the folder's line: where, how many files, bytes."""
    problem = await asyncio.to_thread(_media_folder_problem, folder)
    if problem is not None:
        return [f"media: {folder} {problem}"], ""
    files = MediaStore(folder)
    usage = await files.usage()
    missing = await files.missing(await store.media.referenced())
    line = f"media folder {folder}: {usage.files} file(s), {usage.bytes / 1e6:.1f} MB"
    if missing:
        return [f"media: {folder}: {len(missing)} file(s) the database names are missing "
                "(restore them from a backup's .media folder)"], line
    return [], line


def _media_folder_problem(folder: Path) -> str | None:
    """What keeps the bot from writing to the media folder (made with the first photo)."""
    if folder.exists() and not folder.is_dir():
        return "is not a folder ([media] folder)"
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        made = "" if existing == folder else f" (it does not exist yet, and {existing} is not)"
        return f"is not writable by this user{made}: photos cannot be kept"
    return None


# --- the command -------------------------------------------------------------------------------


def cmd_doctor(config: Config, args: argparse.Namespace) -> int:
    async def run() -> Diagnosis:
        store = await Store.open(config.database.path)
        try:
            return await diagnose(config, store, SystemClock().now(), args.hours)
        finally:
            await store.close()

    found = asyncio.run(run())
    for problem in found.problems:
        print(problem)
    if found.problems:
        return 1
    print(f"all good: {found.groups} staff group(s), {found.people} officer(s) and leader(s) "
          f"reachable, {found.campaigns} campaign(s) valid, no failed deliveries in the last "
          f"{args.hours:g} h; {found.media}")
    return 0


def add_command(commands: Any, command: Command) -> None:
    doctor = command(commands, "doctor", cmd_doctor,
                     "check staff groups, leaders and officers, campaigns and recent deliveries")
    doctor.add_argument("--hours", type=float, default=DEFAULT_HOURS,
                        help=f"how far back failed deliveries count (default {DEFAULT_HOURS:g})")
