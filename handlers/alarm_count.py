"""The gong's live count for a caller whose message cannot be edited (a gong sounded on Zalo):
a short new message with the count and "Đã an toàn" — at most once per `[alarms]
refresh_seconds` per alarm, and only when the count changed — and, when the gong is over, one
with how it ended. They go through the outbox to the caller's messenger; where choices are
typed, the sender keeps "Đã an toàn" open for its number or words.

A gong whose caller has a message kept up to date in place (Telegram) is left to that
channel (bot/channels/telegram/alarm_live.py). The wait is in memory: a restart in the middle
of one loses that message, and the next answer brings the count again."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.delivery import OutMessage
from bot.models import Alarm, Broadcast
from bot.services.alarms import Tally
from bot.services.container import Services
from handlers.alarm_answers import ALL_CLEAR, alarm_values, named

log = logging.getLogger(__name__)

MAX_NAMED = 10  # the names of those coming in a count message; the others are counted


class CallerCount:
    """Listens to `events.alarm_answered` and `events.alarm_ended` (wired in bot/app.py)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._waiting: dict[int, asyncio.Task[None]] = {}
        self._told: dict[int, tuple[int, int]] = {}  # alarm → (coming, cannot) last told

    async def answered(self, alarm: Alarm) -> None:
        """A member answered: the count goes out once the refresh interval is over, with
        whatever else came in meanwhile."""
        if not _by_new_messages(alarm) or alarm.id in self._waiting:
            return
        self._waiting[alarm.id] = asyncio.create_task(self._tell_later(alarm.id),
                                                      name=f"alarm-count-{alarm.id}")

    async def ended(self, alarm: Alarm) -> None:
        """"Đã an toàn", or the gong expired: the caller gets the final count."""
        waiting = self._waiting.pop(alarm.id, None)
        if waiting is not None:
            waiting.cancel()
        self._told.pop(alarm.id, None)
        if _by_new_messages(alarm):
            key = "alarm.expired_caller" if alarm.state == "expired" else (
                "alarm.all_clear_caller")
            await self._tell(alarm, key, await self.services.alarms.tally(alarm.id))

    async def close(self) -> None:
        """Stop the waits (at shutdown)."""
        waiting = list(self._waiting.values())
        self._waiting.clear()
        for task in waiting:
            task.cancel()
        for task in waiting:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _tell_later(self, alarm_id: int) -> None:
        services = self.services
        try:
            await asyncio.sleep(services.config.alarms.refresh_seconds)
        finally:
            self._waiting.pop(alarm_id, None)
        try:
            alarm = await services.alarms.get(alarm_id)
            if alarm is None or alarm.state != "active":
                return
            tally = await services.alarms.tally(alarm_id)
            counts = (len(tally.coming), len(tally.cannot))
            if self._told.get(alarm_id, (0, 0)) == counts:
                return  # answers changed and changed back: nothing new to say
            self._told[alarm_id] = counts
            await self._tell(alarm, "alarm.caller_count", tally, choices=True)
        except Exception:
            log.exception("could not tell the caller of alarm %s the count", alarm_id)

    async def _tell(self, alarm: Alarm, key: str, tally: Tally, *, choices: bool = False
                    ) -> None:
        services = self.services
        recipient = await services.relays.recipient(alarm.caller_id)
        if recipient is None:
            return
        caller = await services.store.residents.get(alarm.caller_id or 0)
        lang = services.i18n.language(caller.language if caller else None)
        values = alarm_values(services, lang, alarm, tally)
        values["coming"] = named(services, lang, tally.coming, MAX_NAMED)
        buttons = (((services.i18n.t(lang, "alarm.all_clear_button"),
                     f"{ALL_CLEAR}:{alarm.id}"),),) if choices else ()
        await services.delivery.enqueue(
            "alarm", OutMessage(text=services.i18n.t(lang, key, **values), buttons=buttons),
            [recipient], commune_id=alarm.commune_id, created_by=alarm.caller_id,
            urgent=True, origin=f"alarm:{alarm.id}:caller")


async def reached_by_zbs(services: Services, broadcast: Broadcast) -> None:
    """The gong's messages to its members are all settled (registered with the delivery
    engine for origins 'alarm:…'): the caller learns how many members on a Zalo OA were
    outside its 7-day window and got a paid ZBS template instead (they cannot press
    "Đang đến" under it, but may write it), and how many the OA could not reach at all."""
    parts = broadcast.origin.split(":")
    if len(parts) != 2:  # the all-clear, the staff group's copy, the caller's own messages
        return
    usage = await services.store.zalo_oa.usage_of(broadcast.id)
    alarm = await services.alarms.get(int(parts[1])) if parts[1].isdigit() else None
    if usage is None or alarm is None or not (usage.zbs or usage.failed):
        return
    recipient = await services.relays.recipient(alarm.caller_id)
    if recipient is None:
        return
    caller = await services.store.residents.get(alarm.caller_id or 0)
    lang = services.i18n.language(caller.language if caller else None)
    lines = []
    if usage.zbs:
        lines.append(services.i18n.t(lang, "alarm.zbs_fallback", count=usage.zbs))
    if usage.failed:
        lines.append(services.i18n.t(lang, "alarm.oa_not_reached", count=usage.failed))
    await services.delivery.enqueue(
        "alarm", OutMessage(text="\n".join(lines)), [recipient], commune_id=alarm.commune_id,
        created_by=alarm.caller_id, urgent=True, origin=f"alarm:{alarm.id}:zbs")


def _by_new_messages(alarm: Alarm) -> bool:
    """The caller's count goes as new messages: no message of theirs is edited with it."""
    return alarm.caller_id is not None and alarm.caller_message_id is None
