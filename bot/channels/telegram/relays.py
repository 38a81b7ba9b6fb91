"""Replies about a report, relayed by the bot so nobody learns anyone's account.

Every bot message about a report is linked to it, with the party a reply is for. In the staff
group an officer's reply to the card or to the reporter's words goes to the reporter, a reply
to the team leader's words goes to the leader. In a private chat the reporter's reply (and the
assigned team leader's) goes to the staff group, as a reply to the card. An anonymous reporter
stays anonymous: officers only ever see the bot.

Relays go through the outbox (bot/services/relays.py): paced, retried, durable, split to fit.
The writer is told "✓ Đã chuyển" once it was delivered, or that it could not be.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from telegram import Message, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from bot import replies
from bot.channels.telegram.common import Caller, caller, display_name, esc, keep_media, typed
from bot.channels.telegram.dialog import outside_flow
from bot.context import AppContext, Services
from bot.models import Recipient, Report
from bot.services.relays import Note, Notice, reporter_words


def t(services: Services, lang: str, key: str, **values: object) -> str:
    return services.i18n.t(lang, key, **values)


# --- from the staff group --------------------------------------------------------------------


async def staff_reply(update: Update, context: AppContext) -> None:
    """An officer's reply to a report's message in the group: to the reporter or the leader."""
    reply = await _replied(update, context)
    services = context.services
    if reply is None or not await services.reports.is_officer(reply.who.resident, reply.report):
        return
    if await _blank(context, reply):
        return
    if (reply := await _photo_kept(update, context, reply)) is None:
        return
    message, report = reply.message, reply.report
    note = Note("officer", reply.who.resident.id, reply.text, reply.photo, reply.media_key)
    lang = services.i18n.default
    if reply.party == "leader":
        recipient, person_lang, team = await _leader(services, report)
        key = "report.leader.from_officer"
        notice = Notice(message.chat_id, message.message_id,
                        t(services, lang, "report.staff.relayed_leader", code=report.code,
                          team=team),
                        t(services, lang, "report.staff.relay_failed_leader"))
    else:
        recipient, person_lang = await _reporter(services, report)
        key = "report.you.from_officer"
        notice = Notice(message.chat_id, message.message_id,
                        t(services, lang, "report.staff.relayed", code=report.code),
                        t(services, lang, "report.staff.relay_failed", code=report.code))
    body = t(services, person_lang, key, code=report.code, text=esc(reply.text or ""))
    await services.relays.to_person(report, recipient, body, reply.photo, party=reply.party,
                                    note=note, notice=notice, photo_key=reply.media_key)


async def _reporter(services: Services, report: Report) -> tuple[Recipient | None, str]:
    """The reporter on their preferred account, any messenger (None when unlinked or
    unreachable), and their language."""
    person = await services.store.residents.get(report.reporter_id or 0)
    recipient = None if person is None else await services.relays.recipient(person.id)
    if person is None or recipient is None:
        return None, services.i18n.default
    return recipient, services.i18n.language(person.language)


async def _leader(services: Services, report: Report) -> tuple[Recipient | None, str, str]:
    """The assigned team leader's chat, language, and the team's name (escaped)."""
    assigned = await services.reports.assigned_leader(report)
    if assigned is None:
        return None, services.i18n.default, ""
    team, leader = assigned
    recipient = None if leader is None else await services.relays.recipient(leader.resident_id)
    if leader is None or recipient is None:
        return None, services.i18n.default, esc(team.name)
    person = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(person.language if person else None)
    return recipient, lang, esc(team.name)


# --- from a private chat ---------------------------------------------------------------------


async def private_reply(update: Update, context: AppContext) -> None:
    """The reporter's (or the assigned leader's) reply to a report's message: to the group.
    A reply to anything else is a message outside any flow."""
    reply = await _replied(update, context)
    if reply is None:
        await outside_flow(update, context)
        return
    if await _blank(context, reply):
        return
    services, message, report, who = context.services, reply.message, reply.report, reply.who
    if report.reporter_id == who.resident.id:
        if reply.photo is not None and not await services.reports.photo_room(report):
            await replies.send_text(context.bot, message.chat_id, t(
                services, who.lang, "report.you.photo_limit", code=report.code,
                max=services.config.reports.max_photos))
            return
        author = "reporter"
        body = reporter_words(services.i18n, report, who.resident, reply.text)
    elif await services.reports.is_assigned_leader(who.resident, report):
        author = "leader"
        assigned = await services.reports.assigned_leader(report)
        body = t(services, services.i18n.default, "report.staff.from_leader", code=report.code,
                 team=esc(assigned[0].name) if assigned else "",
                 name=esc(display_name(update)), text=esc(reply.text or ""))
    else:
        await outside_flow(update, context)
        return
    if (reply := await _photo_kept(update, context, reply)) is None:
        return
    prefix = "report.you" if author == "reporter" else "report.leader"
    notice = Notice(message.chat_id, message.message_id,
                    t(services, who.lang, f"{prefix}.relayed", code=report.code),
                    t(services, who.lang, f"{prefix}.relay_failed", code=report.code))
    await services.relays.to_staff(
        report, body, reply.photo, party=author,
        note=Note(author, who.resident.id, reply.text, reply.photo, reply.media_key),
        notice=notice, photo_key=reply.media_key)


# --- shared ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reply:
    """A reply to a bot message about a report: who wrote what, and whom it is for."""

    message: Message
    report: Report
    party: str
    who: Caller
    text: str | None
    photo: str | None  # Telegram's file id
    media_key: str | None = None  # the photo in the media store, once kept


async def _photo_kept(update: Update, context: AppContext, reply: _Reply) -> _Reply | None:
    """The reply with its photo, if any, downloaded into the media store; None when the photo
    could not be kept (its writer was told, nothing is relayed)."""
    if reply.photo is None:
        return reply
    stored = await keep_media(update, context, reply.who.lang, "photo")
    return None if stored is None else replace(reply, media_key=stored.key)


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
                  typed(update) or None, photo)


async def _blank(context: AppContext, reply: _Reply) -> bool:
    """A reply with nothing visible in it (only spaces or invisible characters, no photo) is
    not relayed: its writer is asked to type it again."""
    if reply.text is not None or reply.photo is not None:
        return False
    await replies.send_text(context.bot, reply.message.chat_id,
                            t(context.services, reply.who.lang, "errors.blank_text"),
                            reply_to=reply.message.message_id)
    return True


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    """Replies to report messages; registered after the conversations (a reply typed during
    a conversation belongs to that conversation)."""
    reply = filters.REPLY & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND
    return [
        MessageHandler(filters.ChatType.GROUPS & reply, staff_reply),
        MessageHandler(filters.ChatType.PRIVATE & reply, private_reply),
    ]
