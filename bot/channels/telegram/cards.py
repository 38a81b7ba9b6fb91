"""A report's card on Telegram: posted into the commune's staff group when the report is filed
(its photos and voice note under it), and edited in place with every change — there, on the
officers' private copies on Telegram (delivered through the outbox: bot/services/triage.py),
and on the message the change was pressed on (a /tin answer, say).

`listen` registers these on `events.report_filed` and `events.report_changed`, and tells the
triage service that copies on Telegram are kept up to date here (so no new message is sent
about each change, as on Zalo). The actions themselves are handlers/triage.py's and
handlers/reject.py's, for every channel."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot import replies, telegram_media
from bot.models import Channel, Report
from bot.replies import Markup, Posted, inline_keyboard
from bot.services.container import Services
from bot.services.report_values import ReportChange
from bot.services.triage import CARD

log = logging.getLogger(__name__)

CHANNEL: Channel = "telegram"


def listen(bot: Bot, services: Services) -> None:
    """Post and edit cards on Telegram from now on."""

    async def filed(report: Report, duplicate: Report | None) -> None:
        del duplicate  # shown on the card through report.duplicate_of
        await post_report(bot, services, report)

    async def changed(change: ReportChange) -> None:
        await show_change(bot, services, change)

    services.events.report_filed_listeners.append(filed)
    services.events.report_changed_listeners.append(changed)
    services.triage.edited_in_place.add(CHANNEL)


async def post_report(bot: Bot, services: Services, report: Report) -> None:
    """The card in the commune's staff group (photos as a reply); when the group cannot be
    reached, to each officer on Telegram privately (the others get theirs anyway)."""
    commune = await services.store.areas.commune(report.commune_id or 0)
    if commune is None or commune.staff_chat_id is None:
        return  # every officer gets a private copy (bot/services/triage.py)
    cards = services.cards
    text = await cards.text(report, cards.waiting())
    try:
        card = await replies.send_text(bot, commune.staff_chat_id, text, _markup(services, report))
    except TelegramError:
        log.warning("could not post %s to the staff group", report.code, exc_info=True)
        seated = [route for route in await services.triage.officer_routes(report)
                  if route.channel == CHANNEL]
        await services.triage.send_copies(report, cards.t("report.staff.no_group"), seated)
        return
    await services.reports.posted_to_staff(report.id, card.chat_id, card.message_id)
    extra = await _send_media(bot, services, report, card)
    if extra:
        await services.reports.link(report.id, [(card.chat_id, m) for m in extra])


async def _send_media(bot: Bot, services: Services, report: Report, card: Posted) -> list[int]:
    """The report's photos and voice note under the card: by Telegram's cached ids, else
    uploaded from the media store (and the ids Telegram gives them cached)."""
    photos = await services.reports.photos(report)
    try:
        sent = await telegram_media.send_report_media(
            bot, services.media.files, report, photos, card.chat_id, card.message_id)
    except TelegramError:
        log.warning("could not send the media of %s", report.code, exc_info=True)
        return []
    await services.reports.remember_file_ids(report.id, sent.uploaded_photos,
                                             sent.uploaded_voice)
    return sent.message_ids


async def show_change(bot: Bot, services: Services, change: ReportChange) -> None:
    """The card with its new state and buttons, wherever it is on Telegram: the staff group,
    the officers' private copies, and the message it was pressed on."""
    report = change.report
    text = await services.cards.text(report, change.status)
    markup = _markup(services, report)
    where: list[tuple[int, int]] = []
    if report.staff_chat_id is not None and report.staff_message_id is not None:
        where.append((report.staff_chat_id, report.staff_message_id))
    # Outcomes are written in batches (bot/ledger.py): a copy delivered a moment ago is found
    # once what the engine knows is written.
    await services.delivery.ledger.flush()
    for broadcast in await services.store.broadcasts.by_origin(f"{CARD}:{report.id}"):
        where.extend((d.chat_id, d.message_id)
                     for d in await services.store.outbox.deliveries(broadcast.id)
                     if d.channel == CHANNEL and d.state == "sent"
                     and isinstance(d.chat_id, int) and isinstance(d.message_id, int))
    pressed = change.pressed
    if pressed is not None and pressed.channel == CHANNEL:
        where.append((int(pressed.address), int(pressed.message_id)))
    for chat_id, message_id in dict.fromkeys(where):
        try:
            await replies.edit_text(bot, chat_id, message_id, text, markup)
        except TelegramError:
            log.info("could not update a card of %s", report.code)


def _markup(services: Services, report: Report) -> Markup | None:
    buttons = services.cards.choices(report)
    return inline_keyboard(buttons) if buttons else None
