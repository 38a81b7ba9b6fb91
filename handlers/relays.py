"""Replies about a report, relayed by the bot so nobody learns anyone's account.

Every bot message about a report is linked to it, with the party a reply is for. In the staff
group an officer's reply to the card or to the reporter's words goes to the reporter, a reply
to the team leader's words goes to the leader. In a private chat the reporter's reply (and the
assigned team leader's) goes to the staff group, as a reply to the card. An anonymous reporter
stays anonymous: officers only ever see the bot.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, Message, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import replies
from bot.context import AppContext, Services
from bot.models import Report, Resident
from bot.replies import Posted
from handlers.common import Caller, caller, display_name, esc
from handlers.help import outside_flow

log = logging.getLogger(__name__)


def t(services: Services, lang: str, key: str, **values: object) -> str:
    return services.i18n.t(lang, key, **values)


# --- from the staff group --------------------------------------------------------------------


async def staff_reply(update: Update, context: AppContext) -> None:
    """An officer's reply to a report's message in the group: to the reporter or the leader."""
    reply = await _replied(update, context)
    services = context.services
    if reply is None or not await services.reports.is_officer(reply.who.resident, reply.report):
        return
    message, report, who, text, photo = (reply.message, reply.report, reply.who, reply.text,
                                         reply.photo)
    lang = services.i18n.default
    if reply.party == "leader":
        await services.reports.relay_note(report, "officer", who.resident, text, photo)
        sent, team = await _relay_to_leader(context.bot, services, report, text, photo)
        note = (t(services, lang, "report.staff.relayed_leader", code=report.code, team=team)
                if sent else t(services, lang, "report.staff.relay_failed_leader"))
        party = "leader"
    else:
        reporter = await services.reports.relay_note(report, "officer", who.resident, text,
                                                     photo)
        sent = await _relay_to_reporter(context.bot, services, reporter, report, text, photo)
        note = (t(services, lang, "report.staff.relayed", code=report.code) if sent
                else t(services, lang, "report.staff.relay_failed"))
        party = "reporter"
    await replies.send_text(context.bot, message.chat_id, note, reply_to=message.message_id)
    if sent is not None:
        await services.reports.link(report.id, [(sent.chat_id, sent.message_id)], party)


async def _relay_to_reporter(
    bot: Bot, services: Services, reporter: Resident | None, report: Report,
    text: str | None, photo: str | None,
) -> Posted | None:
    if reporter is None or reporter.telegram_id is None:
        return None
    lang = services.i18n.language(reporter.language)
    body = t(services, lang, "report.you.from_officer", code=report.code, text=esc(text or ""))
    return await _send(bot, reporter.telegram_id, body, photo)


async def _relay_to_leader(
    bot: Bot, services: Services, report: Report, text: str | None, photo: str | None,
) -> tuple[Posted | None, str]:
    """The officer's words to the assigned team's leader; (where they went, the team's name)."""
    assigned = await services.reports.assigned_leader(report)
    if assigned is None:
        return None, ""
    team, leader = assigned
    if leader is None or leader.telegram_id is None:
        return None, esc(team.name)
    person = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(person.language if person else None)
    body = t(services, lang, "report.leader.from_officer", code=report.code,
             text=esc(text or ""))
    return await _send(bot, leader.telegram_id, body, photo), esc(team.name)


# --- from a private chat ---------------------------------------------------------------------


async def private_reply(update: Update, context: AppContext) -> None:
    """The reporter's (or the assigned leader's) reply to a report's message: to the group.
    A reply to anything else is a message outside any flow."""
    reply = await _replied(update, context)
    if reply is None:
        await outside_flow(update, context)
        return
    services, message, report, who = context.services, reply.message, reply.report, reply.who
    text, photo = reply.text, reply.photo
    if report.reporter_id == who.resident.id:
        await services.reports.relay_note(report, "reporter", who.resident, text, photo)
        await relay_to_staff(context.bot, services, report, who.resident, text, photo)
        key = "report.you.relayed"
    elif await services.reports.is_assigned_leader(who.resident, report):
        await services.reports.relay_note(report, "leader", who.resident, text, photo)
        await _leader_to_staff(update, context, report, text, photo)
        key = "report.leader.relayed"
    else:
        await outside_flow(update, context)
        return
    await replies.send_text(context.bot, message.chat_id, t(services, who.lang, key,
                                                           code=report.code))


async def relay_to_staff(
    bot: Bot, services: Services, report: Report, reporter: Resident,
    text: str | None, photo: str | None,
) -> None:
    """The reporter's words in the group (as a reply to the card), anonymous if filed so."""
    lang = services.i18n.default
    who = (t(services, lang, "report.staff.anonymous") if report.anonymous
           else esc(reporter.display_name or "?"))
    body = t(services, lang, "report.staff.from_reporter", code=report.code, who=who,
             text=esc(text or ""))
    await _to_staff(bot, services, report, body, photo, "reporter")


async def _leader_to_staff(
    update: Update, context: AppContext, report: Report, text: str | None, photo: str | None,
) -> None:
    services = context.services
    assigned = await services.reports.assigned_leader(report)
    team = esc(assigned[0].name) if assigned else ""
    body = t(services, services.i18n.default, "report.staff.from_leader", code=report.code,
             team=team, name=esc(display_name(update)), text=esc(text or ""))
    await _to_staff(context.bot, services, report, body, photo, "leader")


async def _to_staff(
    bot: Bot, services: Services, report: Report, body: str, photo: str | None, party: str,
) -> None:
    """`body` in the staff group as a reply to the card (each officer privately without a
    group), linked so that a reply to it reaches `party`."""
    targets = [report.staff_chat_id] if report.staff_chat_id is not None else [
        o.telegram_id for o in await services.reports.officers(report) if o.telegram_id]
    links = []
    for chat_id in targets:
        reply_to = report.staff_message_id if chat_id == report.staff_chat_id else None
        sent = await _send(bot, chat_id, body, photo, reply_to)
        if sent is not None:
            links.append((sent.chat_id, sent.message_id))
    if links:
        await services.reports.link(report.id, links, party)


# --- shared ----------------------------------------------------------------------------------


async def _send(
    bot: Bot, chat_id: int, body: str, photo: str | None, reply_to: int | None = None
) -> Posted | None:
    """Text, or a photo with the text as its caption; None when it cannot be delivered."""
    try:
        if photo is None:
            return await replies.send_text(bot, chat_id, body, reply_to=reply_to)
        sent = await bot.send_photo(chat_id, photo, caption=body[:1024],
                                    reply_to_message_id=reply_to)
        return Posted(sent.chat_id, sent.message_id)
    except TelegramError:
        log.info("a relayed message could not be delivered to chat %s", chat_id)
        return None


@dataclass(frozen=True)
class _Reply:
    """A reply to a bot message about a report: who wrote what, and whom it is for."""

    message: Message
    report: Report
    party: str
    who: Caller
    text: str | None
    photo: str | None


async def _replied(update: Update, context: AppContext) -> _Reply | None:
    """The reply and the report it answers: by the recorded link, else (while the link is
    being recorded) by the tracking code in the bot's message replied to."""
    message = update.effective_message
    assert message is not None and message.reply_to_message is not None
    replied = message.reply_to_message
    from_bot = replied.from_user is not None and replied.from_user.id == context.bot.id
    linked = await context.services.reports.by_message(
        message.chat_id, replied.message_id, (replied.text or replied.caption) if from_bot
        else None)
    if linked is None:
        return None
    photo = message.photo[-1].file_id if message.photo else None
    return _Reply(message, linked.report, linked.party, await caller(update, context),
                  message.text or message.caption, photo)


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    """Replies to report messages; registered after the conversations (a reply typed during
    a conversation belongs to that conversation)."""
    reply = filters.REPLY & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    return [
        MessageHandler(filters.ChatType.GROUPS & reply, staff_reply),
        MessageHandler(filters.ChatType.PRIVATE & reply, private_reply),
    ]
