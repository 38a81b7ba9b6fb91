"""Accounts: how the areas file, the CLI and the web name a person on a messenger
("telegram:<id>", "zalo:<id>", "zalo_oa:<id>", or a bare Telegram id), and linking a second
account to a person with a one-time code issued on the account they already use (/lienket)."""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from bot.clock import Clock
from bot.models import CHANNELS, Channel, Resident
from bot.store import Store

AccountRef = tuple[Channel, str]

_TELEGRAM_ID = re.compile(r"^-?[0-9]{1,19}$")
_OTHER_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone
CODE_LENGTH = 8
CODE_MINUTES = 15


def parse_account(value: object) -> AccountRef | None:
    """("telegram", "1001") for 1001 or "telegram:1001"; ("zalo", "ab12…") for "zalo:ab12…";
    None for anything else (a bool, an unknown channel, an id with other characters)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return ("telegram", str(value)) if 0 < value < 2**63 else None
    if not isinstance(value, str) or ":" not in value:
        return None
    channel, _, external = value.strip().partition(":")
    if channel not in CHANNELS:
        return None
    pattern = _TELEGRAM_ID if channel == "telegram" else _OTHER_ID
    return (channel, external) if pattern.match(external) else None


def account_label(ref: AccountRef) -> str:
    return f"{ref[0]}:{ref[1]}"


class LinkResult(enum.Enum):
    LINKED = "linked"
    BAD_CODE = "bad_code"  # unknown, used or expired
    SAME_PERSON = "same_person"  # the code was issued to this very account's person
    HAS_DATA = "has_data"  # this account's person has data of their own: not merged
    SAME_CHANNEL = "same_channel"  # the person already has an account on this messenger


@dataclass(frozen=True)
class Linked:
    result: LinkResult
    resident: Resident | None = None  # the person the account now belongs to


class AccountService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def issue_code(self, person: Resident) -> str:
        """A one-time code, valid CODE_MINUTES, to type on the other messenger; only its hash
        is kept, and a new code replaces the person's older one."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        expires = (self._clock.now() + timedelta(minutes=CODE_MINUTES)).astimezone(UTC)
        async with self._store.db.transaction() as tx:
            await self._store.accounts.put_link_code(
                tx, _hash(code), person.id, expires.isoformat(timespec="seconds"))
        return code

    async def link(self, person: Resident, channel: Channel, external_id: str,
                   code: str) -> Linked:
        """Give this account to the person the code was issued to, and drop the bare person
        it had (a new account has nothing but its row). An account whose person has data of
        their own (consent, roles, teams, reports) is not merged: that needs their deletion
        first, so nothing is silently lost or mixed up."""
        wanted = re.sub(r"[^A-Za-z0-9]", "", code).upper()
        accounts = self._store.accounts
        async with self._store.db.transaction() as tx:
            owner = await accounts.take_link_code(tx, _hash(wanted))
            if owner is None:
                return Linked(LinkResult.BAD_CODE)
            if owner == person.id:
                return Linked(LinkResult.SAME_PERSON, person)
            if not await accounts.is_bare(tx, person.id):
                return Linked(LinkResult.HAS_DATA)
            if await accounts.has_channel(tx, owner, channel):
                return Linked(LinkResult.SAME_CHANNEL)
            await accounts.merge(tx, channel, external_id, owner, person.id)
        return Linked(LinkResult.LINKED, await self._store.residents.get(owner))


def _hash(code: str) -> str:
    return hashlib.sha256(f"anninh-link:{code}".encode()).hexdigest()
