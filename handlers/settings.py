"""/caidat (/settings): language, hamlet, groups, muting propaganda, and the optional phone
number (handlers/phone.py).

The menu is a flow: each choice changes one thing at once and shows the menu (or a list)
again, so nothing is ever half done, and anything but a choice lets go of it (answered as a
message outside any flow). It stays open a day: an older menu's choices work that long, or
until another flow starts; then they are stale."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn, rows_of
from bot.models import Commune
from bot.services.residents import display_phone
from handlers import help, phone

CHOSEN = "✓ "
LANGUAGES = (("vi", "Tiếng Việt"), ("en", "English"))  # each in its own language
LANG, COMMUNE, HAMLET, TAG = "lang:", "c:", "h:", "t:"
AREA, TAGS, MUTE, UNMUTE, PHONE, NO_PHONE, DONE, BACK = (
    "area", "tags", "mute", "unmute", "phone", "nophone", "done", "back")
BOARD_ON, BOARD_OFF = "board-on", "board-off"


async def show(turn: Turn) -> str:
    """/caidat: the current settings with a choice for each change."""
    return await _menu(turn)


async def menu(turn: Turn) -> str:
    """A language (anyone); after consent also the area, groups, mute, phone; "Xong" closes
    the menu. Anything else lets go of it."""
    choice = _chosen(turn)
    if choice is None:
        return await help.outside(turn)
    if choice.startswith(LANG) and choice[len(LANG):] in turn.services.i18n.texts:
        turn.person = await turn.services.residents.set_language(turn.person, choice[len(LANG):])
        turn.lang = choice[len(LANG):]
        return await _menu(turn)
    if not await _consented(turn):
        return "menu"
    residents = turn.services.residents
    if choice in (MUTE, UNMUTE):
        turn.person = await residents.set_mute(turn.person, choice == MUTE)
    elif choice in (BOARD_ON, BOARD_OFF):
        turn.person = await residents.set_on_board(turn.person, choice == BOARD_ON)
    elif choice == NO_PHONE:
        turn.person = await residents.set_phone(turn.person, None)
    elif choice == TAGS:
        return await _tags(turn)
    elif choice == AREA:
        return await _areas(turn)
    elif choice == PHONE:
        return f"/{phone.NAME}"
    elif choice == DONE:
        await turn.ask(turn.t("settings.saved"), replace=True)
        return END
    return await _menu(turn)


async def tags(turn: Turn) -> str:
    """A group chosen toggles it and shows the groups again; "Quay lại" shows the menu."""
    choice = _chosen(turn)
    if choice is None:
        return await help.outside(turn)
    if not await _consented(turn):
        return "tags"
    code = choice[len(TAG):] if choice.startswith(TAG) else ""
    if code in turn.services.catalog.tags:
        await turn.services.residents.toggle_tag(turn.person, code)
        return await _tags(turn)
    return await _menu(turn)


async def area(turn: Turn) -> str:
    """A commune chosen lists its hamlets; a hamlet chosen is stored and shows the menu;
    "Quay lại" shows the menu."""
    choice = _chosen(turn)
    if choice is None:
        return await help.outside(turn)
    if not await _consented(turn):
        return "area"
    areas, residents = turn.services.store.areas, turn.services.residents
    if choice.startswith(COMMUNE):
        commune = await areas.commune(_as_id(choice[len(COMMUNE):]))
        if commune is None:
            return await _stale(turn, "area")
        turn.person = await residents.set_area(turn.person, commune.id, None)
        return await _areas(turn)
    if choice.startswith(HAMLET):
        hamlet = await areas.hamlet(_as_id(choice[len(HAMLET):]))
        if hamlet is None or hamlet.commune_id != turn.person.commune_id:
            return await _stale(turn, "area")
        turn.person = await residents.set_area(turn.person, hamlet.commune_id, hamlet.id)
    return await _menu(turn)


# --- what is shown -----------------------------------------------------------------------------


async def _menu(turn: Turn) -> str:
    person, t = turn.person, turn.t
    languages = tuple(Choice((CHOSEN if turn.lang == code else "") + name, LANG + code)
                      for code, name in LANGUAGES)
    if not person.has_consented:
        await turn.ask(t("settings.menu_no_consent"), (languages,), replace=True)
        return "menu"
    services = turn.services
    chosen = [services.catalog.tags[code].name(turn.lang)
              for code in await services.residents.tags(person) if code in services.catalog.tags]
    muted = person.mute_propaganda
    rows: Rows = (
        languages,
        (Choice(t("settings.area_button"), AREA), Choice(t("settings.tags_button"), TAGS)),
        (Choice(t("settings.unmute_button"), UNMUTE) if muted
         else Choice(t("settings.mute_button"), MUTE),),
        (Choice(t("settings.phone_button"), PHONE),
         *((Choice(t("settings.phone_remove"), NO_PHONE),) if person.phone else ())),
        (Choice(t("settings.board_off_button"), BOARD_OFF) if person.on_board
         else Choice(t("settings.board_on_button"), BOARD_ON),),
        (Choice(t("settings.done_button"), DONE),),
    )
    await turn.ask(t(
        "settings.menu", area=turn.esc(await _place(turn) or t("settings.none")),
        tags=turn.esc(", ".join(chosen) or t("settings.none")),
        propaganda=t("settings.muted" if muted else "settings.receiving"),
        phone=turn.esc(display_phone(person.phone) if person.phone else t("settings.no_phone")),
        board=t("settings.on_board" if person.on_board else "settings.off_board"),
    ), rows, replace=True)
    return "menu"


async def _place(turn: Turn) -> str:
    areas, person = turn.services.store.areas, turn.person
    hamlet = await areas.hamlet(person.hamlet_id) if person.hamlet_id else None
    commune = await areas.commune(person.commune_id) if person.commune_id else None
    return ", ".join(a.name for a in (hamlet, commune) if a is not None)


async def _tags(turn: Turn) -> str:
    services = turn.services
    chosen = set(await services.residents.tags(turn.person))
    choices = [Choice((CHOSEN if tag.code in chosen else "") + tag.name(turn.lang),
                      TAG + tag.code) for tag in services.catalog.tags.values()]
    await turn.ask(turn.t("settings.ask_tags"),
                   rows_of([*choices, Choice(turn.t("settings.back_button"), BACK)]),
                   replace=True)
    return "tags"


async def _areas(turn: Turn) -> str:
    """The communes (none chosen yet), or the hamlets of the person's commune and up to three
    other communes."""
    areas = turn.services.store.areas
    communes = await areas.communes()
    commune_id = turn.person.commune_id
    back = (Choice(turn.t("settings.back_button"), BACK),)
    if commune_id is None:
        await turn.ask(turn.t("settings.ask_commune"), (*_communes(communes), back),
                       replace=True)
        return "area"
    rows: Rows = tuple((Choice(h.name, HAMLET + str(h.id)),)
                       for h in await areas.hamlets(commune_id))
    others = tuple(c for row in _communes(communes) for c in row
                   if c.value != COMMUNE + str(commune_id))[:3]
    await turn.ask(turn.t("settings.ask_hamlet"), (*rows, *((others,) if others else ()), back),
                   replace=True)
    return "area"


def _communes(communes: list[Commune]) -> Rows:
    return rows_of([Choice(c.name, COMMUNE + str(c.id)) for c in communes])


# --- helpers -----------------------------------------------------------------------------------


def _chosen(turn: Turn) -> str | None:
    return turn.input.choice if turn.kind is Kind.CHOICE and turn.input.choice else None


async def _consented(turn: Turn) -> bool:
    """Everything but the language waits for consent (checked at every step)."""
    if turn.person.has_consented:
        return True
    await turn.refuse(turn.t("consent.required"))
    return False


async def _stale(turn: Turn, step: str) -> str:
    await turn.refuse(turn.t("errors.stale_button"))
    return step


def _as_id(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def build_flows() -> list[Flow]:
    """The settings menu (open a day: see the module's docstring) and the phone number."""
    return [
        Flow(name="settings", commands=("caidat", "settings"), start=show,
             steps={"menu": menu, "tags": tags, "area": area}, timeout_minutes=24 * 60,
             cancelled="settings.saved"),
        phone.build_flow(),
    ]
