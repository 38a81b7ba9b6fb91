"""Propaganda campaigns: Markdown files with TOML front matter in <content>/campaigns/.

A campaign's photo is a content file beside it. Each time the campaign is sent (or previewed)
the photo is put into the media store, by its content hash, and the messages name the stored
file: so the one link machinery serves it to Zalo (bot/web: only the media store is ever
served, never the content folder), an edited photo is a new file at once, and the queued
broadcast names it, so the media sweep spares it while it waits — a later send puts it back
should the sweep have taken it since."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.catalog import Catalog
from bot.delivery import OutMessage, Quiz
from bot.media import MediaStore
from bot.models import Commune, Resident
from bot.services.audiences import AudienceError, check_codes
from bot.services.points import QUIZ_RIGHT, PointsService
from bot.store import Store

log = logging.getLogger(__name__)

FENCE = "+++"
_AUDIENCE_KEYS = ("commune", "hamlets", "teams", "team_kinds", "tags")
_KNOWN = {"id", "title", "schedule", "audience", "valid_from", "valid_until", "photo", "quiz"}


class CampaignError(ValueError):
    """A campaign file is wrong; the message names the file and the field."""


@dataclass(frozen=True)
class CampaignAudience:
    commune: str | None  # None: the deployment's only commune (`commune_of`)
    hamlets: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    team_kinds: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Campaign:
    id: str
    title: str
    schedule: tuple[str, ...]
    audience: CampaignAudience
    body: str
    path: Path
    valid_from: date | None = None
    valid_until: date | None = None
    photo: Path | None = None
    quiz: Quiz | None = field(default=None)

    @property
    def source(self) -> str:
        return f"campaign:{self.id}"

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or day >= self.valid_from) and (
            self.valid_until is None or day <= self.valid_until)

    def messages(self, photo_path: str | None = None) -> list[OutMessage]:
        """What each resident gets: the body (with the photo: `photo_path`, its copy in the
        media store, else the content file), then the quiz if any."""
        photo = photo_path or (str(self.photo) if self.photo else None)
        out = [OutMessage(text=self.body, photo_path=photo)]
        if self.quiz is not None:
            out.append(OutMessage(quiz=self.quiz))
        return out


async def kept_messages(campaign: Campaign, files: MediaStore) -> list[OutMessage]:
    """The campaign's messages with its photo put into the media store (see the module's
    docstring); from the content file itself when it cannot be (Telegram still uploads it,
    Zalo gets the text and the delivery says why)."""
    if campaign.photo is None:
        return campaign.messages()
    content_type = mimetypes.guess_type(campaign.photo.name)[0] or "image/jpeg"
    try:
        data = await asyncio.to_thread(campaign.photo.read_bytes)
        kept = await files.put(data, "photo", content_type)
    except OSError as error:
        log.warning("%s: photo: could not keep it in the media folder: %s", campaign.path, error)
        return campaign.messages()
    return campaign.messages(str(files.path(kept.key)))


def cron(expression: str, tz: ZoneInfo) -> CronTrigger | datetime:
    """A five-field cron expression, or a single local moment "YYYY-MM-DD HH:MM", in the
    configured time zone (ValueError if it is neither)."""
    try:
        return datetime.strptime(expression.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    except ValueError:
        pass
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields, got {len(fields)}")
    fields[4] = _weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=tz)


_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(field: str) -> str:
    """Standard cron counts 0 (or 7) as Sunday; APScheduler counts 0 as Monday. Use names."""
    if field == "*" or not any(c.isdigit() for c in field):
        return field
    names: list[str] = []
    for part in field.split(","):
        span, _, step = part.partition("/")
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            low, high = span.split("-")
            first, last = int(low), int(high)
        else:
            first = last = int(span)
        if not 0 <= first <= last <= 7:
            raise ValueError(f"day of week {part!r} is out of 0-7")
        for day in range(first, last + 1, int(step or 1)):
            if _DAY_NAMES[day] not in names:
                names.append(_DAY_NAMES[day])
    return ",".join(names)


def parse_campaign(path: Path, tz: ZoneInfo, catalog: Catalog | None = None) -> Campaign:
    def fail(key: str, expected: str) -> CampaignError:
        return CampaignError(f"{path}: {key}: {expected}")

    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != FENCE or FENCE not in [s.strip() for s in lines[1:]]:
        raise fail("front matter", "the file must start with TOML between +++ lines")
    end = 1 + [s.strip() for s in lines[1:]].index(FENCE)
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise fail("front matter", f"not valid TOML ({error})") from None
    body = "\n".join(lines[end + 1:]).strip()
    for key in meta:
        if key not in _KNOWN:
            raise fail(key, f"unknown field (expected one of {', '.join(sorted(_KNOWN))})")
    campaign_id, title = meta.get("id"), meta.get("title")
    if not isinstance(campaign_id, str) or not campaign_id.strip():
        raise fail("id", "a non-empty string")
    if not isinstance(title, str) or not title.strip():
        raise fail("title", "a non-empty string")
    schedule = meta.get("schedule", [])
    if isinstance(schedule, str):
        schedule = [schedule]
    if not isinstance(schedule, list) or not schedule:
        raise fail("schedule", 'a list of cron expressions or "YYYY-MM-DD HH:MM" moments, '
                               'such as ["0 19 * * 6", "2027-01-25 19:00"]')
    for expression in schedule:
        try:
            cron(str(expression), tz)
        except ValueError as error:
            raise fail("schedule", f"{expression!r} is neither a cron expression nor a "
                                   f"YYYY-MM-DD HH:MM moment ({error})") from None
    dates = {key: meta.get(key) for key in ("valid_from", "valid_until")}
    for key, value in dates.items():
        if value is not None and (not isinstance(value, date) or isinstance(value, datetime)):
            raise fail(key, "a date such as 2026-12-01")
    photo = _photo(path, meta.get("photo"), fail)
    limit = 1024 if photo else 4096
    if not body or len(body) > limit:
        raise fail("body", f"between 1 and {limit} characters after the front matter")
    return Campaign(
        id=campaign_id.strip(), title=title.strip(), schedule=tuple(map(str, schedule)),
        audience=_audience(meta.get("audience"), catalog, fail), body=body, path=path,
        valid_from=dates["valid_from"], valid_until=dates["valid_until"], photo=photo,
        quiz=_quiz(meta.get("quiz"), fail),
    )


def _photo(path: Path, value: Any, fail: Any) -> Path | None:
    if value is None:
        return None
    if not isinstance(value, str) or not (path.parent / value).is_file():
        raise fail("photo", f"a file next to the campaign ({value!r} not found)")
    return (path.parent / value).resolve()


def _audience(value: Any, catalog: Catalog | None, fail: Any) -> CampaignAudience:
    if not isinstance(value, dict) or not isinstance(value.get("commune", ""), str):
        raise fail("audience", 'a table: commune = "CODE" (may be left out where the '
                   "deployment has one commune), and/or hamlets, teams, team_kinds, tags")
    for key, item in value.items():
        if key not in _AUDIENCE_KEYS:
            raise fail(f"audience.{key}", f"unknown (expected {', '.join(_AUDIENCE_KEYS)})")
        if key != "commune" and not (isinstance(item, list)
                                     and all(isinstance(c, str) for c in item)):
            raise fail(f"audience.{key}", "a list of codes")
    audience = CampaignAudience(
        value.get("commune"), *(tuple(value.get(key, ())) for key in _AUDIENCE_KEYS[1:]))
    if catalog is not None:
        try:
            check_codes(catalog, team_kinds=audience.team_kinds, tags=audience.tags)
        except AudienceError as error:
            raise fail("audience", str(error)) from None
    return audience


def _quiz(value: Any, fail: Any) -> Quiz | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise fail("quiz", "a table with question, options, correct, explanation")
    question, options = value.get("question"), value.get("options")
    correct, explanation = value.get("correct"), value.get("explanation", "")
    if not isinstance(question, str) or not 1 <= len(question) <= 300:
        raise fail("quiz.question", "a string of 1 to 300 characters")
    if not isinstance(options, list) or not 2 <= len(options) <= 10 or not all(
            isinstance(o, str) and 1 <= len(o) <= 100 for o in options):
        raise fail("quiz.options", "a list of 2 to 10 strings (each at most 100 characters)")
    if not isinstance(correct, int) or isinstance(correct, bool) or not (
            0 <= correct < len(options)):
        raise fail("quiz.correct", f"the index of the right option, 0 to {len(options) - 1}")
    if not isinstance(explanation, str) or len(explanation) > 200:
        raise fail("quiz.explanation", "a string of at most 200 characters")
    return Quiz(question, tuple(options), correct, explanation)


def load_campaigns(
    folder: Path, tz: ZoneInfo, catalog: Catalog | None = None
) -> tuple[list[Campaign], list[str]]:
    """Every campaign in <folder>/campaigns/*.md, and one error line per bad file."""
    campaigns: list[Campaign] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    for path in sorted((folder / "campaigns").glob("*.md")):
        try:
            campaign = parse_campaign(path, tz, catalog)
        except CampaignError as error:
            errors.append(str(error))
            continue
        if campaign.id in seen:
            errors.append(f"{path}: id: {campaign.id!r} is also used by {seen[campaign.id]}")
            continue
        seen[campaign.id] = path
        campaigns.append(campaign)
    return campaigns, errors


async def commune_of(store: Store, campaign: Campaign) -> Commune | None:
    """The commune a campaign speaks to: the one its audience names, or — where it names
    none, as the shipped sample campaigns do — the deployment's first commune (the first the
    areas file loaded: a one-commune deployment's own); None for an unknown code."""
    if campaign.audience.commune is not None:
        return await store.areas.commune_by_code(campaign.audience.commune)
    return (await store.areas.first_commune())[0]


@dataclass(frozen=True)
class QuizAnswer:
    quiz: Quiz
    correct: bool
    first: bool  # the person's first answer to this quiz (later ones are not recorded)


class CampaignService:
    """What officers change about campaigns, and residents' quiz answers (the first answer,
    if right, earns the quiz's points). Every change is checked against the officer's roles
    in the database and audited."""

    def __init__(self, store: Store, points: PointsService | None = None) -> None:
        self._store, self._points = store, points

    async def may_manage(self, actor: Resident, campaign: Campaign) -> bool:
        """Only officers of the campaign's audience commune may pause, resume or preview it."""
        commune = await commune_of(self._store, campaign)
        return commune is not None and await self._store.residents.has_role(
            actor.id, "officer", commune.id)

    async def set_paused(self, campaign: Campaign, paused: bool, actor: Resident,
                         origin: str | None = None) -> bool:
        """Pause or resume a campaign (audited, with `origin` "web" from the console); False
        if `actor` may not manage it."""
        if not await self.may_manage(actor, campaign):
            return False
        extra = {"origin": origin} if origin else {}
        async with self._store.db.transaction() as tx:
            await self._store.schedules.set_paused(tx, campaign.id, paused, actor.id)
            await self._store.audit.record(
                tx, actor_id=actor.id, actor_label="officer",
                action="campaign.pause" if paused else "campaign.resume",
                subject_type="campaign", subject_id=None, campaign=campaign.id, **extra)
        return True

    async def set_schedule_active(self, schedule_id: int, active: bool, actor: Resident,
                                  origin: str | None = None) -> bool:
        """Stop or restart a repeating announcement (audited, with `origin` "web" from the
        console); only an officer of its commune. Restarting one held because its creator is
        no longer an officer makes `actor` its creator. False if not allowed, no such
        announcement, or nothing changed."""
        schedule = await self._store.schedules.get(schedule_id)
        if schedule is None or not await self._store.residents.has_role(
                actor.id, "officer", schedule.commune_id):
            return False
        take_over = active and schedule.held_reason is not None
        async with self._store.db.transaction() as tx:
            if take_over:
                changed = await self._store.schedules.take_over(tx, schedule_id, actor.id)
            else:
                changed = await self._store.schedules.set_active(tx, schedule_id, active)
            if changed:
                await self._store.audit.record(
                    tx, actor_id=actor.id, actor_label="officer",
                    action="schedule.resume" if active else "schedule.stop",
                    subject_type="schedule", subject_id=schedule_id, took_over=take_over,
                    **({"origin": origin} if origin else {}))
        return changed

    async def record_answer(self, poll_id: str, telegram_id: int, options: list[int]) -> bool:
        """A Telegram quiz poll's answer, recorded against the campaign that sent it; False if
        unknown or not the person's first answer."""
        resident = await self._store.residents.by_telegram_id(telegram_id)
        answered = None if resident is None else await self.answer(poll_id, resident, options)
        return answered is not None and answered.first

    async def answer(
        self, ref: str, resident: Resident, options: list[int]
    ) -> QuizAnswer | None:
        """A quiz answer (a Telegram poll's, or a typed option on a channel without polls),
        recorded against the campaign that sent the message `ref` names; None if unknown."""
        found = await self._store.outbox.by_ref(ref)
        if found is None or not options or found[1] not in (None, resident.id):
            return None
        broadcast = await self._store.broadcasts.get(found[0])
        if broadcast is None or not broadcast.origin.startswith("campaign:"):
            return None
        quiz = OutMessage.from_json(broadcast.payload).quiz
        if quiz is None:
            return None
        correct = options == [quiz.correct]
        async with self._store.db.transaction() as tx:
            first = await self._store.schedules.record_answer(
                tx, resident.id, broadcast.id, broadcast.origin.removeprefix("campaign:"),
                options[0], correct)
        if first and correct and self._points is not None:  # points for the first, right
            await self._points.award(resident.id, QUIZ_RIGHT, "quiz", broadcast.id)
        return QuizAnswer(quiz, correct, first)