"""The sounded gong, for every messenger: a member's "Đang đến" / "Không thể", the caller's
(or an officer's) "Đã an toàn", the alarm and its all-clear queued for every member, the police
group's copy, and the repeating check (escalation, expiry). Answers are actions (bot/dialog):
a Telegram button, or on Zalo a number or the words typed in answer to the alarm — which never
take an open report's answers.

The caller's live count listens to `events.alarm_answered` and `events.alarm_ended`: edited in
place on Telegram (bot/channels/telegram/alarm_live.py), new short messages elsewhere
(handlers/alarm_count.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.delivery import OutMessage
from bot.dialog import Action, Turn
from bot.models import Alarm, AlarmRecipient, AlarmResponse, Recipient
from bot.services.alarms import AnswerResult, Tally
from bot.services.container import Services
from handlers import alarm_thanks
from handlers.text import clip, esc

MAX_NAMED = 30  # responders named in the caller's message; the others are counted
NAME_LIMIT = 40
ANSWER, ALL_CLEAR = "al:a", "al:end"
# A typed "Đã an toàn" this soon after the gong sounded is "Phát kẻng" sent twice (on Zalo both
# are "1"): it is not taken for the end.
REPEAT_SECONDS = 10


async def respond(turn: Turn, parts: tuple[str, ...]) -> None:
    """A member's "Đang đến" / "Không thể"; the caller's count is refreshed soon after."""
    alarm_id = _id(parts[0]) if len(parts) == 2 and parts[1] in ("coming", "cannot") else None
    if alarm_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    response: AlarmResponse = "coming" if parts[1] == "coming" else "cannot"
    result, alarm = await turn.services.alarms.answer(alarm_id, turn.person, response)
    if result is not AnswerResult.RECORDED or alarm is None:
        await turn.refuse(turn.t(f"alarm.answer_{result.value}"))
        return
    await turn.notify(turn.t(f"alarm.answer_{parts[1]}"))
    await turn.services.events.alarm_answered(alarm)


async def end(turn: Turn, parts: tuple[str, ...]) -> None:
    """"Đã an toàn": only the caller or an officer of the commune; everyone is told."""
    alarm_id = _id(parts[0]) if len(parts) == 1 else None
    services = turn.services
    alarm = None if alarm_id is None else await services.alarms.get(alarm_id)
    if alarm is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    if not await services.alarms.may_end(alarm, turn.person):
        await turn.refuse(turn.t("alarm.not_yours"))
        return
    if alarm.state == "active" and not turn.input.pressed and _just_sounded(turn, alarm):
        await turn.refuse(turn.t("alarm.end_too_soon"))
        return
    ended = await services.alarms.all_clear(alarm.id, turn.person)
    if ended is None:  # over already: ended, or expired
        await turn.refuse(turn.t("alarm.answer_ended"))
        return
    recipients = await services.alarms.recipients(ended)
    await services.events.alarm_ended(ended)
    await deliver_alarm(services, ended, recipients, all_clear=True)
    await tell_staff_ended(services, ended)
    await alarm_thanks.offer(turn, ended)


def _just_sounded(turn: Turn, alarm: Alarm) -> bool:
    sent = datetime.fromisoformat(alarm.sent_at)
    return turn.services.clock.now() - sent < timedelta(seconds=REPEAT_SECONDS)


async def check(services: Services) -> None:
    """Escalates alarms too few answered and ends expired ones (`events.alarm_ended` tells
    the caller); run every `[alarms] check_seconds`."""
    for alarm, tally in await services.alarms.escalations_due():
        await tell_staff(services, alarm, "alarm.escalation", tally.total, tally)
    for alarm in await services.alarms.expire_due():
        await services.events.alarm_ended(alarm)
        await tell_staff_ended(services, alarm)


def actions() -> list[Action]:
    return [Action(ANSWER, respond), Action(ALL_CLEAR, end)]


async def deliver_alarm(
    services: Services, alarm: Alarm, recipients: list[AlarmRecipient], *,
    all_clear: bool = False,
) -> None:
    """Queues the alarm (or its all clear) on the delivery engine's alarm lane, one message per
    language, with sound: never silent, whatever a recipient's propaganda mute says."""
    by_language: dict[str, list[Recipient]] = {}
    for member in recipients:  # each on their preferred messenger (the outbox routes them)
        if (recipient := member.recipient) is not None:
            lang = services.i18n.language(member.language)
            by_language.setdefault(lang, []).append(recipient)
    for lang, group in by_language.items():
        await services.delivery.enqueue(
            "alarm", _alarm_message(services, lang, alarm, len(recipients), all_clear), group,
            commune_id=alarm.commune_id, created_by=alarm.caller_id, urgent=True,
            origin=f"alarm:{alarm.id}" + (":all-clear" if all_clear else ""),
        )


def _alarm_message(
    services: Services, lang: str, alarm: Alarm, total: int, all_clear: bool
) -> OutMessage:
    values = alarm_values(services, lang, alarm, Tally(total, [], []))
    if all_clear:
        return OutMessage(text=services.i18n.t(lang, "alarm.all_clear_members", **values))
    return OutMessage(
        text=services.i18n.t(lang, "alarm.member_alert", **values),
        buttons=(((services.i18n.t(lang, "alarm.coming"), f"{ANSWER}:{alarm.id}:coming"),
                  (services.i18n.t(lang, "alarm.cannot"), f"{ANSWER}:{alarm.id}:cannot")),),
    )


async def tell_staff(
    services: Services, alarm: Alarm, key: str, total: int, tally: Tally | None = None
) -> None:
    """The police group's copy, on the alarm lane: paced with the group's other messages
    (never starved by relays), retried, and recorded and logged if it cannot be delivered."""
    commune = await services.store.areas.commune(alarm.commune_id)
    if commune is None or commune.staff_chat_id is None:
        return
    lang = services.i18n.default
    values = alarm_values(services, lang, alarm, tally or Tally(total, [], []))
    values["role"] = services.i18n.t(lang, f"alarm.role_{alarm.caller_role}")
    await services.delivery.enqueue(
        "alarm", OutMessage(text=services.i18n.t(lang, key, **values)),
        [Recipient(None, commune.staff_chat_id)], commune_id=alarm.commune_id,
        created_by=alarm.caller_id, urgent=True, origin=f"alarm:{alarm.id}:staff")


async def tell_staff_ended(services: Services, alarm: Alarm) -> None:
    """The police group sees the gong's end too ("Đã an toàn", or expired), with who came."""
    tally = await services.alarms.tally(alarm.id)
    key = "alarm.staff_expired" if alarm.state == "expired" else "alarm.staff_all_clear"
    await tell_staff(services, alarm, key, tally.total, tally)


def alarm_values(services: Services, lang: str, alarm: Alarm, tally: Tally) -> dict[str, Any]:
    kind = services.catalog.alarm_kinds.get(alarm.kind)
    note = services.i18n.t(lang, "alarm.note_line", note=esc(alarm.note)) if alarm.note else ""
    call = services.i18n.t(lang, "alarm.call_line", number=kind.emergency) if (
        kind is not None and kind.emergency) else ""
    place = ""
    if alarm.latitude is not None and alarm.longitude is not None:
        url = f"https://maps.google.com/?q={alarm.latitude:.6f},{alarm.longitude:.6f}"
        place = services.i18n.t(lang, "alarm.map_link", url=url)
    return {
        "kind": esc(f"{kind.emoji} {kind.name(lang)}" if kind else alarm.kind),
        "scope": esc(alarm.scope_name), "caller": esc(alarm.caller_name), "total": tally.total,
        "coming_count": len(tally.coming), "coming": named(services, lang, tally.coming),
        "cannot_count": len(tally.cannot), "silent": tally.silent, "note": note,
        "call": call, "place": place,
    }


def named(services: Services, lang: str, names: list[str], limit: int = MAX_NAMED) -> str:
    """At most `limit` names, then "và X người khác": the caller's message is edited with
    this list, and must stay within Telegram's 4,096 characters however many answer."""
    if not names:
        return "—"
    shown = esc(", ".join(clip(name, NAME_LIMIT) for name in names[:limit]))
    if len(names) > limit:
        shown += services.i18n.t(lang, "alarm.and_others", count=len(names) - limit)
    return shown


def _id(part: str) -> int | None:
    """An id from an action's value; None for anything crafted (zero, too long, not digits)."""
    value = int(part) if part.isascii() and part.isdigit() and len(part) < 19 else 0
    return value or None
