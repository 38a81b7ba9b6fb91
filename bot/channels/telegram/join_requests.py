"""A join request on Telegram: the request to the team's leader (or, when the bot cannot reach
them, to the commune's officers) with "Duyệt" / "Từ chối".

The /thamgia flow (handlers/join.py, on every channel) and onboarding announce the request as
`events.join_requested`; `listener` files it here, answering the person through their turn.
The request goes to the leader's preferred messenger (on Zalo through the outbox, its choices
typed there by number); a leader nowhere to be reached leaves it with the officers. The
decision is an action for every messenger (handlers/team_actions.py), which tells the
applicant through the outbox."""

from __future__ import annotations

import logging
import math

from telegram import Bot
from telegram.error import TelegramError

from bot import replies
from bot.delivery import OutMessage
from bot.dialog import Turn
from bot.events import JoinRequested
from bot.models import Member, Resident, Team
from bot.replies import Markup, inline_keyboard
from bot.services.container import Services
from bot.services.teams import JoinResult, minutes
from handlers.text import esc

log = logging.getLogger(__name__)


def listener(bot: Bot) -> JoinRequested:
    """What `events.join_requested` calls: `request_join` through this bot."""

    async def requested(turn: Turn, code: str) -> None:
        await request_join(bot, turn, code)

    return requested


async def request_join(bot: Bot, turn: Turn, code: str) -> None:
    """Files the request and sends the leader the decision buttons (not for a request refused
    by the rules: throttled, another commune, recently rejected); a leader the bot cannot reach
    (never opened it, or blocked it) leaves the request with the commune's officers, and the
    person is told so rather than promised an answer that cannot come."""
    services, applicant = turn.services, turn.person
    outcome = await services.teams.request_join(applicant, code)
    result, team = outcome.result, outcome.team
    if result is JoinResult.TOO_MANY_TRIES:  # the same answer whether the code exists or not
        await turn.say(turn.t("team.too_many_tries", minutes=minutes(outcome.wait)))
        return
    if result is JoinResult.OTHER_COMMUNE:  # names no team, only the resident's own commune
        commune = outcome.commune.name if outcome.commune else "—"
        await turn.say(turn.t("team.other_commune", commune=esc(commune)))
        return
    if result is JoinResult.UNKNOWN_CODE or team is None:
        await turn.say(turn.t("team.unknown_code"))
        return
    if result is JoinResult.RECENTLY_REJECTED:
        await turn.say(turn.t("team.recently_rejected", team=esc(team.name),
                              hours=math.ceil(minutes(outcome.wait) / 60)))
        return
    key = f"team.{result.value}"
    if result is JoinResult.REQUESTED and outcome.tell_leader and not await _tell_leader(
            bot, services, team, outcome.leader, applicant):
        why = "no_leader" if outcome.leader is None else "leader_unreachable"
        key = f"team.requested_{why}"
        await _tell_officers(bot, services, team, applicant, why)
    await turn.say(turn.t(key, team=esc(team.name)))


def _decisions(
    services: Services, lang: str, team: Team, applicant: Resident
) -> tuple[tuple[tuple[str, str], ...], ...]:
    """"Duyệt" / "Từ chối" (actions for every messenger: handlers/team_actions.py)."""
    data = f"{team.id}:{applicant.id}"
    t = services.i18n.t
    return (((t(lang, "team.approve"), f"tm:ok:{data}"),
             (t(lang, "team.reject"), f"tm:no:{data}")),)


def _decision_buttons(services: Services, lang: str, team: Team, applicant: Resident) -> Markup:
    return inline_keyboard(_decisions(services, lang, team, applicant))


async def _tell_leader(
    bot: Bot, services: Services, team: Team, leader: Member | None, applicant: Resident
) -> bool:
    """The request with "Duyệt" / "Từ chối" to the leader, on their preferred messenger;
    False when it cannot get there (no leader, nowhere to reach them, or Telegram refuses:
    the leader never opened the bot or blocked it). On another messenger it goes through the
    outbox (its choices offered there as numbered lines)."""
    recipient = None if leader is None else await services.relays.recipient(leader.resident_id)
    if leader is None or recipient is None:
        return False
    leader_resident = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(leader_resident.language if leader_resident else None)
    text = services.i18n.t(lang, "team.leader_request",
                           name=esc(applicant.display_name or "?"), team=esc(team.name))
    if recipient.channel != "telegram":
        await services.delivery.enqueue(
            "personal", OutMessage(text=text, buttons=_decisions(services, lang, team,
                                                                 applicant)),
            [recipient], commune_id=team.commune_id, origin=f"join:{team.id}:{applicant.id}")
        return True
    try:
        await replies.send_text(bot, int(recipient.chat_id), text,
                                _decision_buttons(services, lang, team, applicant))
    except TelegramError:
        return False
    return True


async def _tell_officers(
    bot: Bot, services: Services, team: Team, applicant: Resident, why: str
) -> None:
    """The request, with the decision buttons and why the leader did not get it, in the
    commune's staff group (each officer privately when there is no group or it cannot be
    reached): any officer of the commune may decide."""
    lang, t = services.i18n.default, services.i18n.t
    text = t(lang, "team.officer_request", name=esc(applicant.display_name or "?"),
             team=esc(team.name), reason=t(lang, f"team.reason_{why}"))
    markup = _decision_buttons(services, lang, team, applicant)
    commune = await services.store.areas.commune(team.commune_id)
    if commune is not None and commune.staff_chat_id is not None:
        try:
            await replies.send_text(bot, commune.staff_chat_id, text, markup)
        except TelegramError as error:
            log.warning("could not tell the staff group of %s about a join request: %s",
                        commune.code, error)
        else:
            return
    for officer in await services.store.residents.officers(team.commune_id):
        if officer.telegram_id is None:
            continue
        try:
            await replies.send_text(bot, officer.telegram_id, text, markup)
        except TelegramError:
            continue
