"""/lichphat (/campaigns): the campaigns aimed at an officer's communes, and their communes'
repeating and scheduled announcements — pause, resume or preview a campaign, stop or restart
a repeating announcement (restarting one held takes it over), cancel a scheduled one.

The list's choices are actions (`pc:<what>:<id>`): buttons on Telegram, where the list is
edited in place after each; numbered lines elsewhere, where the new list comes as a message.
Every action reads the officer's role from the database and is audited by the services.
(A campaign's quiz answered in a Telegram poll: bot/channels/telegram/members.py; typed:
handlers/quiz_answers.py.)"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.dialog import END, Action, Choice, Flow, Rows, Turn
from bot.models import Commune
from bot.services.campaigns import Campaign, commune_of, kept_messages
from bot.services.cron_words import describe_cron
from handlers.text import as_id, clip, esc

PREFIX = "pc"
CAMPAIGN_ACTIONS = ("pause", "resume", "view")
OPEN_HOURS = 24  # where choices are typed, the list's stay open this long


async def show(turn: Turn) -> str:
    """Officers: the list with its choices, as a new message."""
    communes = await _communes(turn)
    if communes:
        text, rows = await _listing(turn, communes)
        await turn.offer(text, rows)
    return END


async def act(turn: Turn, parts: tuple[str, ...]) -> None:
    """Pause, resume or preview a campaign, stop or restart a repeating announcement, cancel
    a scheduled one; then the list again (in place where the channel edits)."""
    communes = await _communes(turn)
    if not communes:
        return
    action, key = parts if len(parts) == 2 else ("", "")
    number = as_id(key)
    campaign = _find(turn, key) if action in CAMPAIGN_ACTIONS else None
    if (campaign is None and action in CAMPAIGN_ACTIONS) or (
            action not in CAMPAIGN_ACTIONS and (number is None or action not in (
                "stop", "start", "cancel"))):
        await turn.refuse(turn.t("errors.stale_button"))  # crafted or outdated
        return
    if campaign is not None:
        done = await _campaign_action(turn, action, campaign)
    elif number is not None and action == "cancel":
        done = await _cancel(turn, number)
    else:
        assert number is not None
        done = await turn.services.campaigns.set_schedule_active(
            number, action == "start", turn.person)
        if not done:
            await turn.refuse(turn.t("errors.not_allowed"))
    if not done:
        return
    text, rows = await _listing(turn, communes)
    if action == "view":
        await turn.offer(text, rows)
        return
    until = turn.services.clock.now() + timedelta(hours=OPEN_HOURS)
    await turn.post(text, rows, until=until, replace=True)


async def _campaign_action(turn: Turn, action: str, campaign: Campaign) -> bool:
    """Preview, pause or resume a campaign of the officer's commune; False when refused."""
    campaigns = turn.services.campaigns
    if action == "view" and await campaigns.may_manage(turn.person, campaign):
        for message in await kept_messages(campaign, turn.services.media.files):
            await turn.show(message)
        return True
    if action != "view" and await campaigns.set_paused(campaign, action == "pause",
                                                       turn.person):
        return True
    await turn.refuse(turn.t("errors.not_allowed"))
    return False


async def _cancel(turn: Turn, broadcast_id: int) -> bool:
    """Cancel a scheduled announcement; its "scheduled" message says so where it can be
    edited. False when it was no longer waiting or is another commune's."""
    broadcasts = turn.services.broadcasts
    cancelled = await broadcasts.cancel(broadcast_id, turn.person.id)
    if cancelled is None:
        await turn.refuse(turn.t("campaign.cancel_gone"))
        return False
    await broadcasts.note_cancelled(cancelled, turn.t("campaign.cancelled_note"))
    return True


async def _communes(turn: Turn) -> list[Commune]:
    """The communes the officer acts for here (in a staff group, that one); refused if none."""
    communes = await turn.services.officers.acting_communes(turn.person, turn.channel,
                                                            turn.address)
    if not communes:
        await turn.refuse(turn.t("campaign.officers_only"))
    return communes


def _find(turn: Turn, campaign_id: str) -> Campaign | None:
    return next((c for c in turn.services.scheduler.campaigns() if c.id == campaign_id), None)


async def _listing(turn: Turn, communes: list[Commune]) -> tuple[str, Rows]:
    lines: list[str] = []
    rows: list[tuple[Choice, ...]] = []
    await _campaign_lines(turn, {c.code for c in communes}, lines, rows)
    for commune in communes:
        await _announcement_lines(turn, commune.id, lines, rows)
    body = "\n".join(lines) or turn.t("campaign.none")
    return turn.t("campaign.list", lines=body), tuple(rows)


async def _campaign_lines(
    turn: Turn, codes: set[str], lines: list[str], rows: list[tuple[Choice, ...]]
) -> None:
    """The campaigns aimed at these communes: state, schedule, pause/resume and preview."""
    services = turn.services
    paused = await services.store.schedules.paused()
    for campaign in services.scheduler.campaigns():
        commune = await commune_of(services.store, campaign)
        if commune is None or commune.code not in codes:
            continue  # another commune's: not theirs to see or touch
        stopped = campaign.id in paused
        state = turn.t("campaign.paused" if stopped else "campaign.active")
        lines.append(turn.t("campaign.line", title=esc(campaign.title), state=state,
                            schedule="; ".join(_when(turn, c) for c in campaign.schedule)))
        key, action = ("campaign.resume_button", "resume") if stopped else (
            "campaign.pause_button", "pause")
        title = clip(campaign.title, 30)
        view = turn.t("campaign.preview_button")  # beside its campaign's, where it is a button
        rows.append((Choice(f"{turn.t(key)}: {title}", f"{PREFIX}:{action}:{campaign.id}"),
                     Choice(f"{view}: {title}" if turn.numbered else view,
                            f"{PREFIX}:view:{campaign.id}")))


async def _announcement_lines(
    turn: Turn, commune_id: int, lines: list[str], rows: list[tuple[Choice, ...]]
) -> None:
    """The commune's repeating and scheduled announcements, held ones marked as such."""
    services = turn.services
    for schedule in await services.store.schedules.all(commune_id):
        if schedule.held_reason is not None:
            lines.append(turn.t("campaign.held_repeat_line", id=schedule.id,
                                schedule=_when(turn, schedule.cron),
                                preview=_preview(turn, schedule.payload)))
        else:
            state = turn.t("campaign.active" if schedule.active else "campaign.paused")
            lines.append(turn.t("campaign.repeat_line", id=schedule.id, state=state,
                                schedule=_when(turn, schedule.cron),
                                preview=_preview(turn, schedule.payload)))
        action = "stop" if schedule.active else "start"
        rows.append((Choice(turn.t(f"campaign.{action}_button", id=schedule.id),
                            f"{PREFIX}:{action}:{schedule.id}"),))
    tz = services.config.locale.tz
    for waiting in await services.broadcasts.scheduled(commune_id):
        when = datetime.fromisoformat(waiting.send_at or "").astimezone(tz)
        key = "campaign.held_scheduled_line" if waiting.held_reason else "campaign.scheduled_line"
        lines.append(turn.t(key, id=waiting.id, when=when.strftime("%H:%M %d/%m/%Y"),
                            preview=_preview(turn, waiting.payload)))
        rows.append((Choice(turn.t("campaign.cancel_button", id=waiting.id),
                            f"{PREFIX}:cancel:{waiting.id}"),))


def _preview(turn: Turn, payload: str) -> str:
    return turn.services.broadcasts.excerpt(payload, 60)


def build_flow() -> Flow:
    """/lichphat: one answer; in a commune's staff group too (about that commune)."""
    return Flow(name="campaigns", commands=("lichphat", "campaigns"), start=show,
                private=False)


def actions() -> list[Action]:
    return [Action(PREFIX, act)]


def _when(turn: Turn, cron: str) -> str:
    """A schedule in the officer's words ("19:00 thứ Bảy hằng tuần")."""
    return describe_cron(turn.services.i18n, turn.lang, cron)
