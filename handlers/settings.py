"""/caidat (/settings): language, hamlet, tags, muting propaganda, and the optional phone."""

from __future__ import annotations

import enum

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import replies
from bot.context import AppContext
from bot.replies import Buttons
from bot.services.residents import PhoneError
from bot.text import matches
from handlers.common import (
    Caller,
    answer,
    as_id,
    caller,
    esc,
    pressed,
    refuse,
    stale,
    tr,
)
from handlers.flows import Flow, conversation

CHOSEN = "✓ "


class Step(enum.IntEnum):
    PHONE = 1


async def show_settings(update: Update, context: AppContext) -> None:
    """/caidat: the current settings with a button for each change."""
    await _menu(update, context, await caller(update, context), edit=False)


async def settings_pressed(update: Update, context: AppContext) -> None:
    """Any press on the settings menu: change one thing, then show the menu (or a list)."""
    who = await caller(update, context)
    action, *rest = pressed(update)[1:]
    services = context.services
    if action == "lang" and rest and rest[0] in services.i18n.texts:
        resident = await services.residents.set_language(who.resident, rest[0])
        await _menu(update, context, Caller(resident, rest[0]))
        return
    if not who.resident.has_consented:
        await refuse(update, context, who.lang, "consent.required")
        return
    if action == "mute" and rest not in (["0"], ["1"]):
        await stale(update, context)  # a crafted or corrupted press: nothing changes
    elif action == "mute":
        resident = await services.residents.set_mute(who.resident, rest == ["1"])
        await _menu(update, context, Caller(resident, who.lang))
    elif action == "nophone":
        resident = await services.residents.set_phone(who.resident, None)
        await _menu(update, context, Caller(resident, who.lang))
    elif action == "t" and rest and rest[0] in services.catalog.tags:
        await services.residents.toggle_tag(who.resident, rest[0])
        await _tags(update, context, who)
    elif action == "tags":
        await _tags(update, context, who)
    elif action in ("c", "h"):
        await _area_pressed(update, context, who, action, rest)
    elif action == "area":
        await _areas(update, context, who)
    elif action == "done":
        await answer(update, context, who.lang, "settings.saved")
    else:
        await _menu(update, context, who)


async def ask_phone(update: Update, context: AppContext) -> int:
    """A press on "Số điện thoại": shows the share-contact keyboard; waits for the contact."""
    who = await caller(update, context)
    if not who.resident.has_consented:
        await refuse(update, context, who.lang, "consent.required")
        return ConversationHandler.END
    if update.callback_query is not None:
        await replies.answer_press(context.bot, update.callback_query.id)
    markup = replies.reply_keyboard(
        [[{"text": tr(context, who.lang, "settings.phone_share"), "request_contact": True}],
         [{"text": tr(context, who.lang, "settings.phone_cancel")}]])
    text = tr(context, who.lang, "settings.phone_ask")
    await replies.send_text(context.bot, _chat(update), text, markup)
    return Step.PHONE


async def contact_shared(update: Update, context: AppContext) -> int:
    """Stores the sender's own phone number in E.164; refuses anyone else's."""
    who = await caller(update, context)
    message, user = update.effective_message, update.effective_user
    contact = message.contact if message is not None else None
    if contact is None or user is None:
        return ConversationHandler.END
    if not who.resident.has_consented:
        await refuse(update, context, who.lang, "consent.required")
        return ConversationHandler.END
    if contact.user_id != user.id:
        await _say(update, context, tr(context, who.lang, "settings.phone_not_yours"))
        return Step.PHONE
    try:
        resident = await context.services.residents.set_phone(who.resident, contact.phone_number)
    except PhoneError:
        await _say(update, context, tr(context, who.lang, "settings.phone_invalid"))
        return Step.PHONE
    await _say(update, context, tr(context, who.lang, "settings.phone_saved",
                                   phone=esc(resident.phone)), replies.REMOVE_KEYBOARD)
    await _menu(update, context, Caller(resident, who.lang), edit=False)
    return ConversationHandler.END


async def phone_text(update: Update, context: AppContext) -> int:
    """Anything but a contact while it is awaited: a typed "Hủy" ends, the rest is a
    reminder."""
    who = await caller(update, context)
    message = update.effective_message
    typed = message.text if message is not None and message.text else ""
    if matches(tr(context, who.lang, "settings.phone_cancel"), typed):
        return await phone_cancelled(update, context)
    await _say(update, context, tr(context, who.lang, "settings.phone_press"))
    return Step.PHONE


async def phone_cancelled(update: Update, context: AppContext) -> int:
    """"Hủy" typed or tapped while the contact is awaited: nothing stored."""
    who = await caller(update, context)
    await _say(update, context, tr(context, who.lang, "settings.phone_cancelled"),
               replies.REMOVE_KEYBOARD)
    return ConversationHandler.END


# --- views -----------------------------------------------------------------------------------


async def _menu(update: Update, context: AppContext, who: Caller, *, edit: bool = True) -> None:
    r, lang = who.resident, who.lang
    rows: list[list[tuple[str, str]]] = [[
        ((CHOSEN if lang == "vi" else "") + "Tiếng Việt", "st:lang:vi"),
        ((CHOSEN if lang == "en" else "") + "English", "st:lang:en"),
    ]]
    if not r.has_consented:
        await answer(update, context, lang, "settings.menu_no_consent", rows, edit=edit)
        return
    services = context.services
    tags = [services.catalog.tags[t].name(lang) for t in await services.residents.tags(r)
            if t in services.catalog.tags]
    rows += [
        [(tr(context, lang, "settings.area_button"), "st:area"),
         (tr(context, lang, "settings.tags_button"), "st:tags")],
        [(tr(context, lang, "settings.unmute_button" if r.mute_propaganda
             else "settings.mute_button"), f"st:mute:{0 if r.mute_propaganda else 1}")],
        [(tr(context, lang, "settings.phone_button"), "st:phone")]
        + ([(tr(context, lang, "settings.phone_remove"), "st:nophone")] if r.phone else []),
        [(tr(context, lang, "settings.done_button"), "st:done")],
    ]
    await answer(
        update, context, lang, "settings.menu", rows, edit=edit,
        area=esc(await _place(context, who) or tr(context, lang, "settings.none")),
        tags=esc(", ".join(tags) or tr(context, lang, "settings.none")),
        propaganda=tr(context, lang, "settings.muted" if r.mute_propaganda
                      else "settings.receiving"),
        phone=esc(r.phone or tr(context, lang, "settings.no_phone")),
    )


async def _place(context: AppContext, who: Caller) -> str:
    areas, r = context.services.store.areas, who.resident
    hamlet = await areas.hamlet(r.hamlet_id) if r.hamlet_id else None
    commune = await areas.commune(r.commune_id) if r.commune_id else None
    return ", ".join(a.name for a in (hamlet, commune) if a is not None)


async def _tags(update: Update, context: AppContext, who: Caller) -> None:
    services = context.services
    chosen = set(await services.residents.tags(who.resident))
    rows: Buttons = [
        [((CHOSEN if tag.code in chosen else "") + tag.name(who.lang), f"st:t:{tag.code}")]
        for tag in services.catalog.tags.values()
    ] + [[(tr(context, who.lang, "settings.back_button"), "st:menu")]]
    await answer(update, context, who.lang, "settings.ask_tags", rows)


async def _areas(update: Update, context: AppContext, who: Caller) -> None:
    areas = context.services.store.areas
    communes = await areas.communes()
    commune_id = who.resident.commune_id
    back = [(tr(context, who.lang, "settings.back_button"), "st:menu")]
    if commune_id is None:
        rows = [[(c.name, f"st:c:{c.id}")] for c in communes] + [back]
        await answer(update, context, who.lang, "settings.ask_commune", rows)
        return
    rows = [[(h.name, f"st:h:{h.id}")] for h in await areas.hamlets(commune_id)]
    if len(communes) > 1:
        rows.append([(c.name, f"st:c:{c.id}") for c in communes if c.id != commune_id][:3])
    await answer(update, context, who.lang, "settings.ask_hamlet", [*rows, back])


async def _area_pressed(
    update: Update, context: AppContext, who: Caller, action: str, rest: list[str]
) -> None:
    area_id = as_id(rest[0]) if rest else None
    if area_id is None:  # a crafted or corrupted press: nothing changes
        await stale(update, context)
    elif action == "c":
        await _commune_chosen(update, context, who, area_id)
    else:
        await _hamlet_chosen(update, context, who, area_id)


async def _commune_chosen(update: Update, context: AppContext, who: Caller, cid: int) -> None:
    commune = await context.services.store.areas.commune(cid)
    if commune is None:
        await refuse(update, context, who.lang, "errors.stale_button")
        return
    resident = await context.services.residents.set_area(who.resident, commune.id, None)
    await _areas(update, context, Caller(resident, who.lang))


async def _hamlet_chosen(update: Update, context: AppContext, who: Caller, hid: int) -> None:
    hamlet = await context.services.store.areas.hamlet(hid)
    if hamlet is None or hamlet.commune_id != who.resident.commune_id:
        await refuse(update, context, who.lang, "errors.stale_button")
        return
    resident = await context.services.residents.set_area(who.resident, hamlet.commune_id,
                                                         hamlet.id)
    await _menu(update, context, Caller(resident, who.lang))


async def _say(
    update: Update, context: AppContext, text: str, markup: replies.Markup | None = None,
) -> None:
    await replies.send_text(context.bot, _chat(update), text, markup)


def _chat(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None
    return chat.id


def build_conversation() -> Flow:
    """The phone conversation: "Số điện thoại" pressed, then the contact."""
    return conversation(
        "settings_phone",
        entry_points=[CallbackQueryHandler(ask_phone, pattern=r"^st:phone$")],
        states={Step.PHONE: [
            MessageHandler(filters.CONTACT, contact_shared),
            MessageHandler(~filters.COMMAND, phone_text),
        ]},
        fallbacks=[],
        timeout_minutes=15,
        cancelled="settings.phone_cancelled",
        label="flows.phone",
    )


def build_handlers() -> list[BaseHandler[Update, AppContext, object]]:
    """The command, the menu's presses, and a contact shared outside any flow (registered
    after the flows: a contact sent during a report is the report's)."""
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["caidat", "settings"], show_settings, filters=private),
        CallbackQueryHandler(settings_pressed, pattern=r"^st:[a-z]+(:[a-z0-9-]+)?$"),
        MessageHandler(filters.CONTACT & private, contact_shared),
    ]
