"""The staff group's side of a report: the card, triage buttons, teams, relays, escalation."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler

from bot import replies, telegram_media
from bot.context import AppContext, Services
from bot.delivery import OutMessage
from bot.models import Report, Resident, tracking_code
from bot.replies import Buttons, Markup, Posted, inline_keyboard
from bot.services.relays import Notice
from bot.services.report_values import Acted, Action, Outcome
from handlers.common import caller, display_name, esc, pressed, pressed_ids, refuse, stale

log = logging.getLogger(__name__)

VERBS = {"acc": Action.ACCEPT, "res": Action.RESOLVE, "reo": Action.REOPEN}
# "Từ chối" asks for a reason first (handlers/reject.py).


def t(services: Services, lang: str, key: str, **values: object) -> str:
    return services.i18n.t(lang, key, **values)


# --- the card --------------------------------------------------------------------------------


async def card_text(services: Services, report: Report, status: str) -> str:
    """The report as officers read it. The hamlet is the incident's (never the reporter's
    home); an anonymous reporter is never named, nor where they live."""
    lang, store = services.i18n.default, services.store
    hamlet = await store.areas.hamlet(report.hamlet_id) if report.hamlet_id else None
    reporter = t(services, lang, "report.staff.anonymous")
    if not report.anonymous and report.reporter_id is not None:
        person = await store.residents.get(report.reporter_id)
        if person is not None and person.display_name:
            home = await store.areas.hamlet(person.hamlet_id) if person.hamlet_id else None
            reporter = " · ".join(esc(part) for part in (
                person.display_name, person.phone, home.name if home else None) if part)
    duplicate = "" if report.duplicate_of is None else t(
        services, lang, "report.staff.duplicate", code=tracking_code(report.duplicate_of))
    return t(
        services, lang, "report.staff.card", code=report.code,
        category=esc(services.reports.categories.name(report.category, lang)),
        urgency=t(services, lang, f"report.staff.urgency_{report.urgency}"),
        hamlet=esc(hamlet.name) if hamlet else t(services, lang, "report.staff.unknown"),
        place=place_text(services, lang, report), reporter=reporter,
        photos=len(await services.reports.photos(report)),
        description=esc(report.description), duplicate=duplicate, status=status,
    )


def place_text(services: Services, lang: str, report: Report) -> str:
    """A map link for a shared location, else the typed address."""
    if report.latitude is not None and report.longitude is not None:
        lat, lon = f"{report.latitude:.6f}", f"{report.longitude:.6f}"
        return f'<a href="https://maps.google.com/?q={lat},{lon}">{lat}, {lon}</a>'
    if report.address:
        return esc(report.address)
    return t(services, lang, "report.no_place")


def status_text(services: Services, report: Report, name: str, team: str = "") -> str:
    now = services.clock.now().astimezone(services.config.locale.tz)
    lang = services.i18n.default
    status = t(services, lang, f"report.staff.status_{report.state}",
               name=esc(name), team=esc(team), time=now.strftime("%H:%M %d/%m"))
    if report.state == "rejected" and report.state_note:
        status += "\n" + t(services, lang, "report.staff.reason", reason=esc(report.state_note))
    return status


def card_buttons(services: Services, report: Report) -> Buttons:
    lang = services.i18n.default

    def b(key: str, verb: str) -> tuple[str, str]:
        return t(services, lang, f"report.staff.{key}"), f"tr:{verb}:{report.id}"

    if report.state == "submitted":
        return [[b("accept", "acc"), b("assign", "asg")],
                [b("resolve", "res"), b("reject", "rej")]]
    if report.state == "accepted":
        return [[b("assign", "asg")], [b("resolve", "res"), b("reject", "rej")]]
    if report.state == "assigned":
        return [[b("assign", "asg"), b("resolve", "res")]]
    return [[b("reopen", "reo")]]  # closed: it can be taken up again


def markup_of(buttons: Buttons) -> Markup | None:
    return inline_keyboard(buttons) if buttons else None


# --- posting a new report --------------------------------------------------------------------


async def post_report(
    bot: Bot, services: Services, report: Report, duplicate: Report | None
) -> None:
    """Send the card to the commune's staff group (photos as a reply); without a group, or
    when the group cannot be reached, to each officer privately."""
    del duplicate  # shown on the card through report.duplicate_of
    commune = await services.store.areas.commune(report.commune_id or 0)
    text = await card_text(services, report, t(services, services.i18n.default,
                                               "report.staff.status_submitted"))
    markup = markup_of(card_buttons(services, report))
    if commune is not None and commune.staff_chat_id is not None:
        try:
            card = await replies.send_text(bot, commune.staff_chat_id, text, markup)
        except TelegramError:
            log.warning("could not post %s to the staff group", report.code, exc_info=True)
        else:
            await services.reports.posted_to_staff(report.id, card.chat_id, card.message_id)
            extra = await _send_media(bot, services, report, card)
            if extra:
                await services.reports.link(report.id, [(card.chat_id, m) for m in extra])
            return
    note = t(services, services.i18n.default, "report.staff.no_group")
    await to_officers(bot, services, report, f"{note}\n\n{text}", markup)


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


async def to_officers(
    bot: Bot, services: Services, report: Report, text: str,
    markup: Markup | None,
) -> None:
    links = []
    for officer in await services.reports.officers(report):
        if officer.telegram_id is None:
            continue
        try:
            sent = await replies.send_text(bot, officer.telegram_id, text, markup)
        except TelegramError:
            log.info("officer %s could not be told about %s", officer.id, report.code)
            continue
        links.append((sent.chat_id, sent.message_id))
    if links:
        await services.reports.link(report.id, links)


# --- presses ---------------------------------------------------------------------------------


async def triage_pressed(update: Update, context: AppContext) -> None:
    """"Tiếp nhận", "Đã xử lý", "Từ chối": an officer of the commune only; reporter told."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    acted = await context.services.reports.act(who.resident, ids[0], VERBS[pressed(update)[1]])
    if await refused(update, context, who.lang, acted):
        return
    await after_change(update, context, acted, display_name(update))


async def assign_pressed(update: Update, context: AppContext) -> None:
    """"Giao tổ": shows the hamlet's teams as buttons (officers only, open reports only)."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    services = context.services
    report = await services.reports.get(ids[0])
    if report is None or not await services.reports.is_officer(who.resident, report):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    if not services.reports.fits(report, Action.ASSIGN):
        await refuse(update, context, who.lang, "report.staff.wrong_state")
        return
    teams = await services.reports.teams_for(report)
    if not teams:
        await refuse(update, context, who.lang, "report.staff.no_teams")
        return
    rows = [[(f"👥 {team.name}", f"tr:team:{report.id}:{team.id}")] for team in teams[:20]]
    rows.append([(t(services, who.lang, "report.staff.back"), f"tr:back:{report.id}")])
    await edit_pressed_markup(update, context, inline_keyboard(rows))


async def back_pressed(update: Update, context: AppContext) -> None:
    """"Quay lại" from the team list: the buttons of the report's current state again
    (officers of its commune only)."""
    ids = pressed_ids(update, 2)
    report = await context.services.reports.get(ids[0]) if ids is not None else None
    if report is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    if not await context.services.reports.is_officer(who.resident, report):
        await refuse(update, context, who.lang, "errors.not_allowed")
        return
    await edit_pressed_markup(update, context, markup_of(card_buttons(context.services, report)))


async def team_pressed(update: Update, context: AppContext) -> None:
    """A team chosen: the report is assigned, the leader gets the task, the reporter is told."""
    ids = pressed_ids(update, 2, 3)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    report_id, team_id = ids
    acted = await context.services.reports.act(who.resident, report_id, Action.ASSIGN, team_id)
    if await refused(update, context, who.lang, acted):
        return
    await after_change(update, context, acted, display_name(update))
    await _send_task(context, acted)


async def refused(update: Update, context: AppContext, lang: str, acted: Acted) -> bool:
    if acted.outcome in (Outcome.NOT_ALLOWED, Outcome.NOT_FOUND):
        await refuse(update, context, lang, "errors.not_allowed")
        return True
    if acted.outcome is not Outcome.DONE:
        await refuse(update, context, lang, "report.staff.wrong_state")
        return True
    return False


async def after_change(update: Update, context: AppContext, acted: Acted, name: str) -> None:
    """Edit the pressed card (or the group's card) to the new state; tell the reporter (a
    rejection with its reason; a closed report taken up again as reopened)."""
    services, report = context.services, acted.report
    assert report is not None
    team = acted.team.name if acted.team else ""
    text = await card_text(services, report, status_text(services, report, name, team))
    markup = markup_of(card_buttons(services, report))
    bot, query = context.bot, update.callback_query
    if query is not None:
        await replies.answer_press(bot, query.id)
    if query is not None and query.message is not None and _is_card(report, query.message):
        await replies.edit_text(bot, query.message.chat.id, query.message.message_id, text,
                                markup)
    else:
        await _edit_card(bot, report, text, markup)
    key = "report.you.reopened" if acted.action is Action.REOPEN else (
        f"report.you.{report.state}")
    reason = esc(report.state_note or "")
    await tell_reporter(context.bot, services, acted.reporter, key, code=report.code,
                        team=esc(team), reason=reason)


def _is_card(report: Report, message: object) -> bool:
    return (getattr(message, "chat_id", None) == report.staff_chat_id
            and getattr(message, "message_id", None) == report.staff_message_id) or (
        report.staff_chat_id is None)


async def _edit_card(bot: Bot, report: Report, text: str, markup: Markup | None) -> None:
    if report.staff_chat_id is None or report.staff_message_id is None:
        return
    try:
        await replies.edit_text(bot, report.staff_chat_id, report.staff_message_id, text, markup)
    except TelegramError:
        log.info("could not update the card of %s", report.code)


async def edit_pressed_markup(
    update: Update, context: AppContext, markup: Markup | None
) -> None:
    """Answer the press and put these buttons on its message (the same text)."""
    query = update.callback_query
    assert query is not None
    await replies.answer_press(context.bot, query.id)
    if query.message is not None:
        await replies.edit_markup(context.bot, query.message.chat.id, query.message.message_id,
                                  markup)


async def tell_reporter(
    bot: Bot, services: Services, reporter: Resident | None, key: str, **values: object
) -> None:
    """A message to the reporter in their language, through the outbox (paced, retried,
    recorded); nothing if the report is unlinked from its reporter."""
    del bot  # the delivery engine sends it, on the reporter's preferred messenger
    recipient = None if reporter is None else await services.relays.recipient(reporter.id)
    if reporter is None or recipient is None:
        return
    lang = services.i18n.language(reporter.language)
    await services.delivery.enqueue(
        "personal", OutMessage(text=t(services, lang, key, **values)),
        [recipient], commune_id=reporter.commune_id,
        origin=f"report:{values.get('code', '')}:{key.rsplit('.', 1)[-1]}")


# --- the team leader -------------------------------------------------------------------------


async def _send_task(context: AppContext, acted: Acted) -> None:
    services, report, team, leader = context.services, acted.report, acted.team, acted.leader
    assert report is not None and team is not None
    recipient = None if leader is None else await services.relays.recipient(leader.resident_id)
    if leader is None or recipient is None:
        await group_note(services, report, t(services, services.i18n.default,
                                              "report.staff.leader_unreachable",
                                              team=esc(team.name)), "leader")
        return
    person = await services.store.residents.get(leader.resident_id)
    lang = services.i18n.language(person.language if person else None)
    text = t(services, lang, "report.leader.task", team=esc(team.name), code=report.code,
             category=esc(services.reports.categories.name(report.category, lang)),
             place=place_text(services, lang, report), description=esc(report.description))
    buttons = ((
        (t(services, lang, "report.leader.arrived"), f"ld:arr:{report.id}"),
        (t(services, lang, "report.leader.resolved"), f"ld:res:{report.id}"),
    ),)
    # Through the outbox (paced, retried, durable); a reply to it reaches the officers. Should
    # it not arrive, the staff group is told under the card.
    unreachable = t(services, services.i18n.default, "report.staff.leader_unreachable",
                    team=esc(team.name))
    notice = (Notice(report.staff_chat_id, report.staff_message_id, "", unreachable)
              if report.staff_chat_id is not None else None)
    await services.relays.to_person(
        report, recipient, text, None, party="leader",
        note=None, notice=notice, buttons=buttons)


async def leader_pressed(update: Update, context: AppContext) -> None:
    """The leader's "Đã đến" / "Đã xử lý": checked, the group and the reporter told."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return
    who = await caller(update, context)
    services = context.services
    action = Action.ARRIVED if pressed(update)[1] == "arr" else Action.RESOLVE
    acted = await services.reports.leader_update(who.resident, ids[0], action)
    query = update.callback_query
    assert query is not None
    if acted.outcome is Outcome.ALREADY:  # the police already know: no second group post
        await replies.answer_press(context.bot, query.id,
                                   t(services, who.lang, "report.leader.arrived_already"))
        return
    if await refused(update, context, who.lang, acted):
        return
    report, team = acted.report, acted.team
    assert report is not None and team is not None
    name = display_name(update)
    if action is Action.ARRIVED:
        await replies.answer_press(context.bot, query.id,
                                   t(services, who.lang, "report.leader.arrived_noted"))
        now = services.clock.now().astimezone(services.config.locale.tz)
        await group_note(services, report, t(
            services, services.i18n.default, "report.staff.arrived", team=esc(team.name),
            code=report.code, name=esc(name), time=now.strftime("%H:%M")), "leader")
        return
    await after_change(update, context, acted, name)
    chat = update.effective_chat
    assert chat is not None
    await replies.send_text(context.bot, chat.id,
                            t(services, who.lang, "report.leader.resolved_noted"))


async def group_note(services: Services, report: Report, text: str, party: str) -> None:
    """A line in the staff group, as a reply to the report's card, through the outbox (paced
    with the relays, retried, its failure recorded); an officer's reply to it is for `party`."""
    if report.staff_chat_id is None:
        return
    await services.relays.to_staff(report, text, None, party=party, note=None, notice=None)


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    return [
        CallbackQueryHandler(triage_pressed, pattern=r"^tr:(acc|res|reo):\d+$"),
        CallbackQueryHandler(assign_pressed, pattern=r"^tr:asg:\d+$"),
        CallbackQueryHandler(back_pressed, pattern=r"^tr:back:\d+$"),
        CallbackQueryHandler(team_pressed, pattern=r"^tr:team:\d+:\d+$"),
        CallbackQueryHandler(leader_pressed, pattern=r"^ld:(arr|res):\d+$"),
        CallbackQueryHandler(stale, pattern=r"^(rp|mr):"),  # buttons of ended flows
    ]
