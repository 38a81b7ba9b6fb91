"""/thongbao's "Hẹn giờ": quick choices (in 1 or 3 hours, 7:00 tomorrow) or a moment typed
the Vietnamese way ("07:30 25/11", "19h", "hằng ngày 07:30", "thứ 2 19:00"); a moment gone by
is refused with one that would do. Also what the announcement's steps share: its audience,
and where its author hears how it went."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.dialog import END, Choice, Kind, Turn
from bot.models import Audience
from bot.sending import OutMessage
from bot.services.broadcasts import CHAT, PastMoment, parse_when, told_in
from bot.services.cron_words import describe_cron
from handlers.text import esc

IN = "in:"  # a quick choice: in:<minutes>


async def ask(turn: Turn) -> str:
    """Offers quick times; a typed one is read by `answer`."""
    local = turn.services.clock.now().astimezone(turn.services.config.locale.tz)
    tomorrow = (local + timedelta(days=1)).replace(hour=7, minute=0, second=0, microsecond=0)
    rows = (tuple(Choice(turn.t("broadcast.in_hours", hours=h), f"{IN}{h * 60}")
                  for h in (1, 3)),
            (Choice(turn.t("broadcast.tomorrow_morning"),
                    f"{IN}{int((tomorrow - local).total_seconds() // 60)}"),))
    await turn.ask(turn.t("broadcast.ask_when", example=_example(turn)), rows, replace=True)
    return "when"


async def answer(turn: Turn) -> str:
    """A quick choice, or a typed time or repetition; asks again if it cannot be read or
    has passed."""
    services = turn.services
    choice = (turn.input.choice or "") if turn.kind is Kind.CHOICE else ""
    if choice.startswith(IN) and choice[len(IN):].isdigit():
        return await _schedule(turn, services.clock.now() + timedelta(
            minutes=int(choice[len(IN):])))
    if turn.kind is not Kind.TEXT:
        return await ask(turn)
    try:
        moment = parse_when(turn.text, services.clock.now(), services.config.locale.tz)
    except PastMoment as past:
        await _refuse_past(turn, past)
        return "when"
    if moment is None:
        await turn.say(turn.t("broadcast.bad_time", typed=esc(turn.text),
                              example=_example(turn)))
        return "when"
    return await _schedule(turn, moment)


def draft_audience(draft: dict[str, Any]) -> Audience:
    return Audience(draft["commune"], tuple(draft["hamlets"]), tuple(draft["teams"]),
                    tuple(draft["kinds"]), tuple(draft["tags"]))


def progress_of(turn: Turn, shown: str | None) -> tuple[int, int] | None:
    """The message to keep up to date (the progress, a cancel), where the channel edits."""
    if shown is None or not (turn.address.lstrip("-").isdigit() and shown.isdigit()):
        return None
    return int(turn.address), int(shown)


def origin(turn: Turn, progress: tuple[int, int] | None) -> str:
    """Where the officer hears how it went: the edited message, or a new one in this chat."""
    return CHAT if progress is not None else told_in(turn.channel, turn.address)


async def _schedule(turn: Turn, moment: datetime | str) -> str:
    services, draft = turn.services, turn.data
    audience, message = draft_audience(draft), OutMessage.from_json(draft["message"])
    if isinstance(moment, str):
        await services.broadcasts.repeat(audience, message, moment, turn.person.id)
        await turn.ask(turn.t("broadcast.repeating", cron=describe_cron(
            turn.services.i18n, turn.lang, moment)), replace=True)
        return END
    local = moment.astimezone(services.config.locale.tz)
    until = moment + timedelta(days=1)
    shown = await turn.post(turn.t("broadcast.scheduled", when=local.strftime("%H:%M %d/%m/%Y")),
                            (), until=until, replace=True)
    progress = progress_of(turn, shown)
    await services.broadcasts.schedule(audience, message, moment, urgent=draft["urgent"],
                                       created_by=turn.person.id, progress=progress,
                                       origin=origin(turn, progress))
    return END


def _example(turn: Turn) -> str:
    """A moment to show as an example of what to type: 07:30 tomorrow, never one gone by."""
    local = turn.services.clock.now().astimezone(turn.services.config.locale.tz)
    return (local + timedelta(days=1)).strftime("07:30 %d/%m")


async def _refuse_past(turn: Turn, past: PastMoment) -> None:
    """Says that the typed moment has passed, with one that would do; the step stays."""
    local = turn.services.clock.now().astimezone(turn.services.config.locale.tz)
    moment = past.moment
    tomorrow = (local + timedelta(days=1)).replace(hour=moment.hour, minute=moment.minute)
    now, example = local.strftime("%H:%M %d/%m/%Y"), tomorrow.strftime("%H:%M %d/%m")
    if not past.dated:
        await turn.say(turn.t("broadcast.past_time", time=moment.strftime("%H:%M"), now=now,
                              example=example))
        return
    try:
        next_year = moment.replace(year=local.year + 1)
    except ValueError:  # 29/02
        next_year = moment.replace(year=local.year + 1, day=28)
    await turn.say(turn.t("broadcast.past_date", when=moment.strftime("%H:%M %d/%m/%Y"),
                          now=now, example=example,
                          next_year=next_year.strftime("%H:%M %d/%m/%Y")))
