"""Residents: consent, area, tags, language, mute, phone, and their data (export, delete)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

import phonenumbers

from bot.catalog import Catalog
from bot.models import Channel, Commune, Hamlet, Resident
from bot.services.media import MediaService
from bot.services.redaction import Redactor
from bot.store import Store
from bot.text import clean, fold

A = TypeVar("A", Commune, Hamlet)


class PhoneError(ValueError):
    """The typed or shared phone number is not a valid number."""


@dataclass(frozen=True)
class Forgotten:
    memberships: int
    reports_kept: int


def normalise_phone(raw: str, region: str = "VN") -> str:
    """E.164 form of a phone number (+84…); PhoneError if it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(raw) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str) -> str:
    """A stored number as people write it: "0900 003 001" for a Vietnamese one, "+1 202-555-0123"
    for another country's; as stored if it does not parse."""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    national = number.country_code == 84 and phonenumbers.is_valid_number(number)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL if national
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _best_matches(areas: list[A], typed: str) -> list[A]:
    """Exact (folded) name or code first, else every area whose name contains the words."""
    wanted = fold(typed)
    if not wanted:
        return []
    exact = [a for a in areas if fold(a.name) == wanted or a.code == typed.strip()]
    return exact or [a for a in areas if wanted in fold(a.name)]


def _stale(stamp: str | None, now: str) -> bool:
    """Whether an account's last-seen stamp is more than a minute old (ISO 8601, UTC): a
    stamp that precise is all the routing and the reply windows need."""
    return stamp is None or stamp[:16] < now[:16]


class ResidentService:
    def __init__(self, store: Store, catalog: Catalog, media: MediaService) -> None:
        self._store = store
        self._catalog = catalog
        self._media = media

    async def get(self, telegram_id: int) -> Resident | None:
        return await self._store.residents.by_telegram_id(telegram_id)

    async def ensure(self, telegram_id: int, *, opened: bool = False) -> Resident:
        """The resident for a Telegram user; a new one is stored as the bare id only.

        `opened`: the person is writing to the bot privately, so the bot may write to them
        from now on (recorded once: leaders and officers who never did cannot be reached)."""
        found = await self._store.residents.by_telegram_id_seen(telegram_id)
        if found is not None and (found[0].opened_at is not None or not opened):
            resident, seen = found
            if opened and _stale(seen, self._store.db.now_iso()):
                # the account they used last is where the outbox reaches them
                await self._store.accounts.stamp_seen("telegram", str(telegram_id))
            return resident
        async with self._store.db.transaction() as tx:
            resident_id = await self._store.residents.ensure(tx, telegram_id)
            if opened:
                await self._store.residents.mark_opened(tx, resident_id)
                await self._store.accounts.seen(tx, "telegram", str(telegram_id))
        stored = await self._store.residents.get(resident_id)
        assert stored is not None
        return stored

    async def ensure_account(
        self, channel: Channel, external_id: str, *, opened: bool = False
    ) -> Resident:
        """The person behind an account on any messenger (a bare person if new); `opened` as
        for `ensure`, and the account's last message is stamped."""
        if channel == "telegram":
            return await self.ensure(int(external_id), opened=opened)
        accounts = self._store.accounts
        found = await accounts.person_of(channel, external_id)
        resident = None if found is None else await self._store.residents.get(found[0])
        if resident is None or (opened and resident.opened_at is None):
            async with self._store.db.transaction() as tx:
                resident_id = await self._store.residents.ensure_account(tx, channel, external_id)
                if opened:
                    await self._store.residents.mark_opened(tx, resident_id)
                    await accounts.seen(tx, channel, external_id)
            resident = await self._store.residents.get(resident_id)
        elif opened and _stale(found[1] if found else None, self._store.db.now_iso()):
            await accounts.stamp_seen(channel, external_id)  # at most once a minute
        assert resident is not None
        return resident

    async def give_consent(
        self, resident: Resident, version: str, display_name: str, language: str
    ) -> Resident:
        """Record consent; in a one-commune deployment the resident belongs to it at once."""
        communes = await self._store.areas.communes()
        async with self._store.db.transaction() as tx:
            await self._store.residents.set_consent(tx, resident.id, "given", version)
            fields: dict[str, object] = {"display_name": clean(display_name)[:128] or None,
                                         "language": language}
            if len(communes) == 1 and resident.commune_id is None:
                fields["commune_id"] = communes[0].id
            await self._store.residents.update(tx, resident.id, **fields)
            await self._record(tx, resident.id, "consent.given", version=version)
        return await self._reload(resident)

    async def decline_consent(self, resident: Resident, version: str) -> Resident:
        """Keep only the Telegram id and the refusal."""
        async with self._store.db.transaction() as tx:
            await self._store.residents.erase(tx, resident.id)
            await self._store.residents.set_consent(tx, resident.id, "declined", version)
            await self._record(tx, resident.id, "consent.declined", version=version)
        return await self._reload(resident)

    async def set_language(self, resident: Resident, language: str) -> Resident:
        async with self._store.db.transaction() as tx:
            await self._store.residents.update(tx, resident.id, language=language)
        return await self._reload(resident)

    async def set_area(
        self, resident: Resident, commune_id: int, hamlet_id: int | None
    ) -> Resident:
        async with self._store.db.transaction() as tx:
            await self._store.residents.update(
                tx, resident.id, commune_id=commune_id, hamlet_id=hamlet_id
            )
        return await self._reload(resident)

    async def toggle_tag(self, resident: Resident, tag: str) -> list[str]:
        if tag not in self._catalog.tags:
            raise KeyError(tag)
        tags = set(await self._store.residents.tags(resident.id))
        tags ^= {tag}
        async with self._store.db.transaction() as tx:
            await self._store.residents.set_tags(tx, resident.id, tags)
        return sorted(tags)

    async def tags(self, resident: Resident) -> list[str]:
        return await self._store.residents.tags(resident.id)

    async def set_mute(self, resident: Resident, muted: bool) -> Resident:
        async with self._store.db.transaction() as tx:
            await self._store.residents.update(tx, resident.id, mute_propaganda=int(muted))
        return await self._reload(resident)

    async def set_on_board(self, resident: Resident, shown: bool) -> Resident:
        """Whether the person's name may appear on the honour board (their choice only)."""
        async with self._store.db.transaction() as tx:
            await self._store.residents.update(tx, resident.id, on_board=int(shown))
        return await self._reload(resident)

    async def set_phone(self, resident: Resident, raw: str | None) -> Resident:
        """Store the phone in E.164 (PhoneError if invalid); None removes it."""
        phone = None if raw is None else normalise_phone(raw)
        async with self._store.db.transaction() as tx:
            await self._store.residents.update(tx, resident.id, phone=phone)
        return await self._reload(resident)

    async def match_communes(self, typed: str) -> list[Commune]:
        """Communes named by the typed words, ignoring accents and case."""
        return _best_matches(await self._store.areas.communes(), typed)

    async def match_hamlets(self, commune_id: int, typed: str) -> list[Hamlet]:
        """Hamlets of the commune named by the typed words, ignoring accents and case."""
        return _best_matches(await self._store.areas.hamlets(commune_id), typed)

    async def export(self, resident: Resident) -> dict[str, Any]:
        """Everything stored about the resident, as plain JSON-ready data."""
        areas = self._store.areas
        commune = await areas.commune(resident.commune_id) if resident.commune_id else None
        hamlet = await areas.hamlet(resident.hamlet_id) if resident.hamlet_id else None
        memberships = await self._store.memberships.of_resident(resident.id)
        audit = await self._store.audit.entries("resident", resident.id)
        accounts = await self._store.accounts.of_resident(resident.id)
        return {
            "telegram_id": resident.telegram_id,
            "accounts": [{"channel": a.channel, "id": a.external_id,
                          "last_message_at": a.last_seen_at} for a in accounts],
            "display_name": resident.display_name,
            "language": resident.language,
            "phone": resident.phone,
            "commune": commune.name if commune else None,
            "hamlet": hamlet.name if hamlet else None,
            "tags": await self._store.residents.tags(resident.id),
            "mute_propaganda": resident.mute_propaganda,
            "consent": {
                "state": resident.consent,
                "at": resident.consent_at,
                "text_version": resident.consent_version,
            },
            "teams": [
                {"team": team.name, "role": m.role, "state": m.state, "since": m.requested_at}
                for team, m in memberships
            ],
            "household_commitments": [
                {"year": year, "hamlet": hamlet_name, "household": household}
                for year, hamlet_name, household in
                await self._store.review.commitments_of(resident.id)
            ],
            "history": [{"at": e.at, "action": e.action} for e in audit],
            "created_at": resident.created_at,
        }

    async def forget(
        self, resident: Resident, names: Iterable[str | None] = (),
        usernames: Iterable[str | None] = (),
    ) -> Forgotten:
        """Delete the person: nothing left identifies them or links anything to them. Reports
        stay, unlinked, with their names (the stored one and `names`, e.g. the messenger's),
        `usernames` and phone redacted from what was written in them; their photos and voice
        notes go, from the database first, then from the media folder (a crash in between
        leaves files no row names, which the next sweep removes). The sweep runs here too:
        a draft of theirs dropped on the way (a command ends it) leaves files no one names."""
        memberships = await self._store.memberships.of_resident(resident.id)
        reports = await self._store.reports.count_of_reporter(resident.id)
        redact = Redactor([resident.display_name, *names], usernames, resident.phone)
        async with self._store.db.transaction() as tx:
            dropped = await self._store.erasure.forget(tx, resident.id, redact)
            await self._store.audit.record(  # that a deletion happened, not whose
                tx, actor_id=None, actor_label="resident", action="data.forgotten",
                subject_type="resident", subject_id=None,
            )
            for team, membership in memberships:  # a leader's leadership ends with the data
                if membership.role == "leader":
                    await self._store.audit.record(
                        tx, actor_id=None, actor_label="resident",
                        action="team.leader_forgotten", subject_type="team", subject_id=team.id,
                    )
        await self._media.discard(dropped)
        await self._media.sweep()
        return Forgotten(memberships=len(memberships), reports_kept=reports)

    async def _record(self, tx: Any, resident_id: int, action: str, **detail: Any) -> None:
        await self._store.audit.record(
            tx, actor_id=resident_id, actor_label="resident", action=action,
            subject_type="resident", subject_id=resident_id, **detail,
        )

    async def _reload(self, resident: Resident) -> Resident:
        found = await self._store.residents.get(resident.id)
        assert found is not None
        return found
