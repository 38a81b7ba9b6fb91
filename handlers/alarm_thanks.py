"""After the gong ends ("Đã an toàn"), its caller (or an officer) confirms who came: each member
who answered "Đang đến" is a choice; confirmed, they are thanked on their own messenger and earn
the gong's points (content/points.toml `gong_came`), once a gong. Nothing is confirmed for
anyone who did not say they were coming."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.delivery import OutMessage
from bot.dialog import Action, Choice, Rows, Turn
from bot.models import Alarm, AlarmRecipient, Resident
from bot.services.points import GONG_CAME
from handlers.text import as_id, clip, esc

if TYPE_CHECKING:
    from bot.services.container import Services

CONFIRM = "al:ok"  # al:ok:<alarm id>:<resident id>
NAME_LIMIT = 40
MAX_CHOICES = 20


async def offer(turn: Turn, alarm: Alarm) -> None:
    """The members who said they were coming, to confirm (a message under the all clear)."""
    coming = await _coming(turn, alarm)
    if coming:
        await turn.offer(turn.t("alarm.confirm_ask"), _choices(alarm, coming))


async def confirm(turn: Turn, parts: tuple[str, ...]) -> None:
    """One member confirmed: thanked, their points; the choice goes from the list."""
    ids = [as_id(part) for part in parts] if len(parts) == 2 else [None]
    services = turn.services
    alarm = None if ids[0] is None else await services.alarms.get(ids[0])
    member_id = ids[-1]
    if alarm is None or member_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    thanked = await thank(services, turn.person, alarm, member_id)
    if thanked is None:
        await turn.refuse(turn.t("alarm.confirm_refused"))
        return
    name = thanked or "?"
    await turn.notify(turn.t("alarm.confirmed", name=esc(name)))
    done = await services.alarms.confirmed(alarm)
    remaining = [r for r in await _coming(turn, alarm) if r.resident_id not in done]
    if remaining:
        await turn.offer(turn.t("alarm.confirm_ask"), _choices(alarm, remaining), in_place=True)
    else:
        await turn.close_press()


async def thank(services: Services, actor: Resident, alarm: Alarm, member_id: int
                ) -> str | None:
    """`actor` confirms the member came (from chat or the console): the gong's points, a
    thank-you on the member's own messenger; the member's name ("" if none), None when
    refused (not over, not theirs to confirm, not coming, confirmed already)."""
    if not await services.alarms.confirm_came(actor, alarm, member_id):
        return None
    await services.points.award(member_id, GONG_CAME, "alarm", alarm.id)
    member = next((r for r in await services.alarms.recipients(alarm)
                   if r.resident_id == member_id), None)
    if member is not None and member.recipient is not None:
        lang = services.i18n.language(member.language)
        await services.delivery.enqueue(
            "personal", OutMessage(text=services.i18n.t(lang, "alarm.thanked",
                                                        scope=esc(alarm.scope_name))),
            [member.recipient], commune_id=alarm.commune_id, origin=f"alarm:{alarm.id}:thanks")
    return member.display_name or "" if member is not None else ""


async def _coming(turn: Turn, alarm: Alarm) -> list[AlarmRecipient]:
    return [r for r in await turn.services.alarms.recipients(alarm)
            if r.response == "coming"][:MAX_CHOICES]


def _choices(alarm: Alarm, coming: list[AlarmRecipient]) -> Rows:
    return tuple((Choice(f"✅ {clip(r.display_name or '?', NAME_LIMIT)}",
                         f"{CONFIRM}:{alarm.id}:{r.resident_id}"),) for r in coming)


def actions() -> list[Action]:
    return [Action(CONFIRM, confirm)]
