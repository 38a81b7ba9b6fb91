"""The optional phone number, from /caidat's "Số điện thoại". Where the channel has a contact
button (Telegram) only the person's own number, shared with it, is taken; where it has none
(Zalo) the person types it, and the question says plainly that it is stored as their own."""

from __future__ import annotations

from bot.dialog import END, Flow, Kind, Share, Turn
from bot.services.residents import PhoneError, display_phone
from bot.text import matches

NAME = "settings_phone"  # entered from the settings menu (a step returns "/settings_phone")
SETTINGS = "/caidat"


async def ask(turn: Turn) -> str:
    """Asks for the number: the contact button and "Hủy" under the text, or to type it."""
    if not turn.person.has_consented:
        await turn.ask(turn.t("consent.required"))
        return END
    if turn.can_share(Share.CONTACT):
        await turn.ask(turn.t("settings.phone_ask"), share=Share.CONTACT,
                       share_label=turn.t("settings.phone_share"),
                       cancel_label=turn.t("settings.phone_cancel"))
    else:  # typed; where the channel has a form of its own for it (a Zalo OA), that too
        await turn.ask(turn.t("settings.phone_ask_typed"), share=Share.CONTACT,
                       share_label=turn.t("settings.phone_form_title"),
                       share_hint=turn.t("settings.phone_form_hint"))
    return "number"


async def number(turn: Turn) -> str:
    """Stores the sender's own number in E.164 (a shared contact, or typed where the channel
    has no contact button) and shows the settings again; "Hủy" stores nothing; anything
    else says what is expected."""
    if not turn.person.has_consented:
        await turn.refuse(turn.t("consent.required"))
        return END
    if turn.kind is Kind.TEXT and matches(turn.t("settings.phone_cancel"), turn.text):
        await turn.say(turn.t("settings.phone_cancelled"), remove_keyboard=True)
        return END
    button = turn.can_share(Share.CONTACT)
    if turn.kind is Kind.CONTACT and turn.input.contact is not None:
        if not turn.input.contact.own:
            await turn.say(turn.t("settings.phone_not_yours"))
            return "number"
        return await _store(turn, turn.input.contact.phone, "settings.phone_invalid")
    if turn.kind is Kind.TEXT and turn.text and not button:
        return await _store(turn, turn.text, "settings.phone_invalid_typed")
    await turn.say(turn.t("settings.phone_press" if button else "settings.phone_type"))
    return "number"


async def contact_outside(turn: Turn) -> str:
    """A contact no flow waits for (the phone keyboard of a flow that has ended): stored, as
    in the flow, when it is the sender's own."""
    await number(turn)
    return END


async def _store(turn: Turn, raw: str, invalid: str) -> str:
    try:
        turn.person = await turn.services.residents.set_phone(turn.person, raw)
    except PhoneError:
        await turn.say(turn.t(invalid))
        return "number"
    shown = display_phone(turn.person.phone or "")
    await turn.say(turn.t("settings.phone_saved", phone=turn.esc(shown)), remove_keyboard=True)
    return SETTINGS


def build_flow() -> Flow:
    return Flow(name=NAME, commands=(), start=ask, steps={"number": number},
                timeout_minutes=15, label="flows.phone", cancelled="settings.phone_cancelled")
