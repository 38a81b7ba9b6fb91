"""The web console's logins, without passwords: an officer asks the bot (/web) or an operator
runs `anninh web link`, and gets a one-time link valid LINK_MINUTES; opening it starts a
session of SESSION_HOURS. Only hashes of the link's and the session's tokens are stored.

Every request is checked against the database: a session counts only while its person is an
officer of some commune (`officer`), so a removed officer's sessions end at once."""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, timedelta

from bot.clock import Clock
from bot.models import Commune, Resident, WebSession
from bot.store import Store

__all__ = ["LINK_MINUTES", "Issued", "LoggedIn", "Refusal", "Staff", "WebAuthService"]

LINK_MINUTES = 10
LINKS_PER_HOUR = 5  # per officer: a link is a key; asking for many is not normal
SESSION_HOURS = 12  # a working day; then a new link


class Refusal(enum.Enum):
    NOT_OFFICER = "not_officer"
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class Issued:
    token: str | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True)
class LoggedIn:
    token: str  # the cookie's value, never stored
    session: WebSession


@dataclass(frozen=True)
class Staff:
    """A session's officer as the database says now."""

    session: WebSession
    person: Resident
    communes: tuple[Commune, ...]

    @property
    def name(self) -> str:
        """How the officer is named on the card ("" when nobody said)."""
        return self.session.name or self.person.display_name or ""

    def serves(self, commune_id: int | None) -> bool:
        return any(commune.id == commune_id for commune in self.communes)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebAuthService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store, self._clock = store, clock

    def _stamp(self, delta: timedelta = timedelta()) -> str:
        return (self._clock.now() + delta).astimezone(UTC).isoformat(timespec="seconds")

    async def issue(self, person: Resident, via: str, name: str | None = None) -> Issued:
        """A one-time login token for an officer (checked in the database), at most
        LINKS_PER_HOUR an hour; `name`: how their messenger names them, for the card."""
        if not await self._store.areas.staff_communes(person.id):
            return Issued(refusal=Refusal.NOT_OFFICER)
        if await self._store.web.logins_since(
                person.id, self._stamp(-timedelta(hours=1))) >= LINKS_PER_HOUR:
            return Issued(refusal=Refusal.TOO_MANY)
        token = secrets.token_urlsafe(32)
        async with self._store.db.transaction() as tx:
            await self._store.web.forget_logins_before(tx, self._stamp(-timedelta(days=1)))
            await self._store.web.put_login(tx, digest(token), person.id, via, name or None,
                                            self._stamp(),
                                            self._stamp(timedelta(minutes=LINK_MINUTES)))
        return Issued(token=token)

    async def usable(self, token: str) -> bool:
        return await self._store.web.login_usable(digest(token), self._stamp())

    async def log_in(self, token: str) -> LoggedIn | None:
        """Take the link (once) and open a session for its officer; None for a link used,
        expired or unknown, or a person who is no longer an officer."""
        session_token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
        async with self._store.db.transaction() as tx:
            taken = await self._store.web.take_login(tx, digest(token), self._stamp())
            if taken is None:
                return None
            resident_id, via, name = taken
            session_id = await self._store.web.put_session(
                tx, digest(session_token), resident_id, csrf, via, name, self._stamp(),
                self._stamp(timedelta(hours=SESSION_HOURS)))
            await self._store.audit.record(
                tx, actor_id=resident_id, actor_label="officer", action="web.login",
                subject_type="web_session", subject_id=session_id, via=via)
        staff = await self.staff(session_token)
        return None if staff is None else LoggedIn(session_token, staff.session)

    async def staff(self, token: str) -> Staff | None:
        """The officer a session cookie stands for, read now; a session whose person serves
        no commune any more is ended on the spot."""
        now = self._stamp()
        session = await self._store.web.session(digest(token), now)
        if session is None:
            return None
        person = await self._store.residents.get(session.resident_id)
        communes = await self._store.areas.staff_communes(session.resident_id)
        if person is None or not communes:
            async with self._store.db.transaction() as tx:
                await self._store.web.revoke(tx, session.id, now)
            return None
        if session.last_seen_at[:16] != now[:16]:  # at most one write a minute
            await self._store.web.touch(session.id, now)
        return Staff(session, person, tuple(communes))

    async def log_out(self, session: WebSession) -> None:
        async with self._store.db.transaction() as tx:
            await self._store.web.revoke(tx, session.id, self._stamp())

    async def sessions(self) -> list[WebSession]:
        return await self._store.web.sessions(self._stamp())

    async def revoke(self, session_id: int) -> bool:
        async with self._store.db.transaction() as tx:
            return await self._store.web.revoke(tx, session_id, self._stamp())

    async def revoke_of(self, resident_id: int) -> int:
        async with self._store.db.transaction() as tx:
            return await self._store.web.revoke_of(tx, resident_id, self._stamp())
