"""/start: welcome, consent (Decree 13/2023), commune, hamlet and tags — then an optional join."""

from __future__ import annotations

import enum

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext
from bot.models import Commune, Hamlet
from bot.text import matches
from handlers import join
from handlers.common import (
    Caller,
    answer,
    caller,
    display_name,
    esc,
    pressed,
    pressed_ids,
    reask,
    stale,
    tr,
    typed,
    user_data,
)
from handlers.flows import Flow, conversation

JOIN_PREFIX = "join_"
PENDING_JOIN = "pending_join"
TAGS_CHOSEN = "✓ "


class Step(enum.IntEnum):
    CONSENT = 1
    COMMUNE = 2
    HAMLET = 3
    TAGS = 4


async def start(update: Update, context: AppContext) -> int:
    """Welcome; remembers a join_CODE payload; asks for consent unless already given."""
    who = await caller(update, context)
    payload = context.args[0] if context.args else ""
    code = payload[len(JOIN_PREFIX):] if payload.lower().startswith(JOIN_PREFIX) else ""
    if who.resident.has_consented:
        if code:
            await join.ask_to_join(update, context, who, code)
        else:
            name = esc(who.resident.display_name or display_name(update))
            await answer(update, context, who.lang, "onboarding.welcome_back", name=name)
        return ConversationHandler.END
    if code:
        user_data(context)[PENDING_JOIN] = code
    await answer(update, context, who.lang, "consent.welcome")
    await _ask_consent(update, context, who.lang)
    return Step.CONSENT


async def consent_language(update: Update, context: AppContext) -> int:
    """Switches the language of the consent text; asks again."""
    language = _pressed(update)
    who = await caller(update, context)
    await context.services.residents.set_language(who.resident, language)
    await _ask_consent(update, context, language)
    return Step.CONSENT


async def consent_given(update: Update, context: AppContext) -> int:
    """Records consent with its time and text version; asks for the commune or hamlet."""
    who = await caller(update, context)
    services = context.services
    version = tr(context, who.lang, "consent.version")
    resident = await services.residents.give_consent(
        who.resident, version, display_name(update), who.lang
    )
    who = Caller(resident, who.lang)
    if resident.commune_id is not None:
        commune = await services.store.areas.commune(resident.commune_id)
        assert commune is not None
        return await _ask_hamlet(update, context, who, commune)
    communes = await services.store.areas.communes()
    if not communes:
        await answer(update, context, who.lang, "onboarding.no_communes")
        return await _finish(update, context, who)
    await _ask_commune(update, context, who.lang, communes)
    return Step.COMMUNE


async def consent_declined(update: Update, context: AppContext) -> int:
    """Keeps only the Telegram id and the refusal; ends."""
    who = await caller(update, context)
    await context.services.residents.decline_consent(
        who.resident, tr(context, who.lang, "consent.version")
    )
    user_data(context).clear()
    await answer(update, context, who.lang, "consent.declined")
    return ConversationHandler.END


async def consent_reminder(update: Update, context: AppContext) -> int:
    """Anything but a press while consent is asked: says which buttons to press, with them."""
    who = await caller(update, context)
    await answer(update, context, who.lang, "consent.press_a_button",
                 _consent_buttons(context, who.lang))
    return Step.CONSENT


async def commune_pressed(update: Update, context: AppContext) -> int:
    """Stores the pressed commune; asks for the hamlet."""
    ids = pressed_ids(update, 2)
    if ids is None:
        await stale(update, context)
        return Step.COMMUNE
    commune = await context.services.store.areas.commune(ids[0])
    return await _commune_chosen(update, context, commune)


async def commune_typed(update: Update, context: AppContext) -> int:
    """Matches a typed commune name (accent-insensitive); asks again if unclear."""
    who = await caller(update, context)
    name = typed(update)
    found = await context.services.residents.match_communes(name)
    if len(found) == 1:
        return await _commune_chosen(update, context, found[0])
    await answer(update, context, who.lang, "onboarding.no_match", typed=esc(name))
    await _ask_commune(update, context, who.lang, found or None)
    return Step.COMMUNE


async def commune_other(update: Update, context: AppContext) -> int:
    """Not a name nor a press (a sticker, a photo …): asks again with the communes."""
    who = await caller(update, context)
    communes = await context.services.store.areas.communes()
    await reask(update, context, who.lang, "onboarding.ask_commune", _commune_buttons(communes))
    return Step.COMMUNE


async def hamlet_pressed(update: Update, context: AppContext) -> int:
    """Stores the pressed hamlet (or none, for later); asks for tags."""
    if _pressed(update) == "later":
        return await _hamlet_chosen(update, context, await caller(update, context), None)
    ids = pressed_ids(update, 2)
    hamlet = await context.services.store.areas.hamlet(ids[0]) if ids is not None else None
    if hamlet is None:  # a crafted or outdated button: the question stays
        await stale(update, context)
        return Step.HAMLET
    return await _hamlet_chosen(update, context, await caller(update, context), hamlet)


async def hamlet_typed(update: Update, context: AppContext) -> int:
    """Matches a typed hamlet name (accent-insensitive); asks again if unclear."""
    who = await caller(update, context)
    commune_id = who.resident.commune_id
    assert commune_id is not None
    name = typed(update)
    found = await context.services.residents.match_hamlets(commune_id, name)
    if len(found) == 1:
        return await _hamlet_chosen(update, context, who, found[0])
    commune = await context.services.store.areas.commune(commune_id)
    assert commune is not None
    await answer(update, context, who.lang, "onboarding.hamlet_no_match", typed=esc(name))
    return await _ask_hamlet(update, context, who, commune, found or None)


async def hamlet_other(update: Update, context: AppContext) -> int:
    """Not a name nor a press: asks again with the hamlets (the question stays optional)."""
    who = await caller(update, context)
    commune = await context.services.store.areas.commune(who.resident.commune_id or 0)
    if commune is None:
        return await _ask_tags(update, context, who)
    hamlets = await context.services.store.areas.hamlets(commune.id)
    await reask(update, context, who.lang, "onboarding.ask_hamlet",
                _hamlet_buttons(context, who.lang, hamlets), commune=esc(commune.name))
    return Step.HAMLET


async def tag_toggled(update: Update, context: AppContext) -> int:
    """Adds or removes one tag; shows the tags again."""
    who = await caller(update, context)
    tag = _pressed(update)
    if tag in context.services.catalog.tags:
        await context.services.residents.toggle_tag(who.resident, tag)
    return await _ask_tags(update, context, who)


async def tags_done(update: Update, context: AppContext) -> int:
    """Ends onboarding; goes on to join a team if /start carried a join code."""
    return await _finish(update, context, await caller(update, context))


async def tags_typed(update: Update, context: AppContext) -> int:
    """A typed "Xong" ends onboarding, a typed group's name toggles it; anything else asks
    again with the groups."""
    who = await caller(update, context)
    name = typed(update)
    if name and matches(tr(context, who.lang, "onboarding.done_button"), name):
        return await _finish(update, context, who)
    tags = context.services.catalog.tags.values()
    tag = next((t for t in tags if name and matches(t.name(who.lang), name)), None)
    if tag is not None:
        await context.services.residents.toggle_tag(who.resident, tag.code)
        return await _ask_tags(update, context, who)
    await reask(update, context, who.lang, "onboarding.ask_tags",
                await _tag_buttons(context, who))
    return Step.TAGS


# --- steps -----------------------------------------------------------------------------------


async def _ask_consent(update: Update, context: AppContext, lang: str) -> None:
    await answer(update, context, lang, "consent.ask", _consent_buttons(context, lang))


def _consent_buttons(context: AppContext, lang: str) -> list[list[tuple[str, str]]]:
    other = "en" if lang == "vi" else "vi"
    return [
        [(tr(context, lang, "consent.agree"), "ob:yes"),
         (tr(context, lang, "consent.decline"), "ob:no")],
        [(tr(context, lang, "consent.switch_language"), f"ob:lang:{other}")],
    ]


async def _ask_commune(
    update: Update, context: AppContext, lang: str, communes: list[Commune] | None = None
) -> None:
    communes = communes or await context.services.store.areas.communes()
    await answer(update, context, lang, "onboarding.ask_commune", _commune_buttons(communes))


def _commune_buttons(communes: list[Commune]) -> list[list[tuple[str, str]]]:
    return [[(c.name, f"ob:c:{c.id}")] for c in communes]


async def _commune_chosen(update: Update, context: AppContext, commune: Commune | None) -> int:
    who = await caller(update, context)
    if commune is None:
        await _ask_commune(update, context, who.lang)
        return Step.COMMUNE
    resident = await context.services.residents.set_area(who.resident, commune.id, None)
    return await _ask_hamlet(update, context, Caller(resident, who.lang), commune)


async def _ask_hamlet(
    update: Update, context: AppContext, who: Caller, commune: Commune,
    hamlets: list[Hamlet] | None = None,
) -> int:
    hamlets = hamlets or await context.services.store.areas.hamlets(commune.id)
    if not hamlets:
        return await _ask_tags(update, context, who)
    await answer(update, context, who.lang, "onboarding.ask_hamlet",
                 _hamlet_buttons(context, who.lang, hamlets), commune=esc(commune.name))
    return Step.HAMLET


def _hamlet_buttons(
    context: AppContext, lang: str, hamlets: list[Hamlet]
) -> list[list[tuple[str, str]]]:
    rows = [[(h.name, f"ob:h:{h.id}")] for h in hamlets]
    rows.append([(tr(context, lang, "onboarding.hamlet_later"), "ob:h:later")])
    return rows


async def _hamlet_chosen(
    update: Update, context: AppContext, who: Caller, hamlet: Hamlet | None
) -> int:
    if hamlet is not None and hamlet.commune_id == who.resident.commune_id:
        resident = await context.services.residents.set_area(
            who.resident, hamlet.commune_id, hamlet.id
        )
        who = Caller(resident, who.lang)
    return await _ask_tags(update, context, who)


async def _ask_tags(update: Update, context: AppContext, who: Caller) -> int:
    await answer(update, context, who.lang, "onboarding.ask_tags",
                 await _tag_buttons(context, who))
    return Step.TAGS


async def _tag_buttons(context: AppContext, who: Caller) -> list[list[tuple[str, str]]]:
    services = context.services
    chosen = set(await services.residents.tags(who.resident))
    rows = [
        [((TAGS_CHOSEN if tag.code in chosen else "") + tag.name(who.lang), f"ob:t:{tag.code}")]
        for tag in services.catalog.tags.values()
    ]
    rows.append([(tr(context, who.lang, "onboarding.done_button"), "ob:done")])
    return rows


async def _finish(update: Update, context: AppContext, who: Caller) -> int:
    services = context.services
    resident = who.resident
    places = []
    if resident.hamlet_id is not None and (hamlet := await services.store.areas.hamlet(
            resident.hamlet_id)):
        places.append(hamlet.name)
    if resident.commune_id is not None and (commune := await services.store.areas.commune(
            resident.commune_id)):
        places.append(commune.name)
    await answer(update, context, who.lang, "onboarding.done", area=esc(", ".join(places) or "—"))
    code = user_data(context).pop(PENDING_JOIN, None)
    if isinstance(code, str) and code:
        await join.ask_to_join(update, context, who, code)
    return ConversationHandler.END


def _pressed(update: Update) -> str:
    return pressed(update)[-1]


def build_conversation() -> Flow:
    """Onboarding: one per (chat, user), persistent, so a restart resumes where it stopped.
    Every step answers every kind of message; a command leaves it (handlers.flows)."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.COMMAND
    return conversation(
        "onboarding",
        entry_points=[CommandHandler("start", start)],
        states={
            Step.CONSENT: [
                CallbackQueryHandler(consent_given, pattern=r"^ob:yes$"),
                CallbackQueryHandler(consent_declined, pattern=r"^ob:no$"),
                CallbackQueryHandler(consent_language, pattern=r"^ob:lang:(vi|en)$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, consent_reminder),
            ],
            Step.COMMUNE: [
                CallbackQueryHandler(commune_pressed, pattern=r"^ob:c:\d+$"),
                MessageHandler(text, commune_typed),
                MessageHandler(other, commune_other),
            ],
            Step.HAMLET: [
                CallbackQueryHandler(hamlet_pressed, pattern=r"^ob:h:(\d+|later)$"),
                MessageHandler(text, hamlet_typed),
                MessageHandler(other, hamlet_other),
            ],
            Step.TAGS: [
                CallbackQueryHandler(tag_toggled, pattern=r"^ob:t:[a-z0-9-]+$"),
                CallbackQueryHandler(tags_done, pattern=r"^ob:done$"),
                MessageHandler(other, tags_typed),
            ],
        },
        fallbacks=[],
        timeout_minutes=24 * 60,
        drafts=[PENDING_JOIN],
        cancelled="onboarding.cancelled",
    )
