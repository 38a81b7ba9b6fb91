"""/camket (/pledge): a household's commitment to the movement for the year, on every
messenger — the hamlet (the person's own, or chosen), the household's number or address as
typed, then the commitment's words with "Cam kết" / "Hủy". One commitment per household a
year and one per person a year (services.commitments)."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Turn, rows_of
from bot.services.review import HOUSEHOLD_LIMIT
from handlers.text import as_id, esc

HAMLET = "h:"  # a hamlet chosen: h:<hamlet id>
COMMIT, CANCEL = "commit", "cancel"


async def start(turn: Turn) -> str:
    """Says if the person committed already this year; else asks the hamlet or the
    household."""
    services, person = turn.services, turn.person
    if not person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    year = services.commitments.year()
    mine = await services.commitments.mine(person)
    if mine is not None:
        hamlet, household = mine
        await turn.say(turn.t("pledge.already", year=year, household=esc(household),
                              hamlet=esc(hamlet.name)))
        return END
    hamlets = await services.commitments.hamlets(person)
    if not hamlets:
        await turn.say(turn.t("pledge.no_commune"))
        return END
    turn.data = {"year": year}
    own = next((h for h in hamlets if h.id == person.hamlet_id), None)
    if own is not None:
        return await _ask_household(turn, own.id, own.name)
    await turn.ask(turn.t("pledge.ask_hamlet", year=year), rows_of(
        [Choice(h.name, f"{HAMLET}{h.id}") for h in hamlets], 2))
    return "hamlet"


async def hamlet(turn: Turn) -> str:
    """Stores the hamlet chosen; asks for the household."""
    choice = turn.input.choice if turn.kind is Kind.CHOICE else ""
    hamlet_id = as_id((choice or "")[len(HAMLET):]) if (choice or "").startswith(HAMLET) else None
    found = None if hamlet_id is None else await turn.services.store.areas.hamlet(hamlet_id)
    if found is None or found.commune_id != turn.person.commune_id:
        await turn.ask(turn.t("flows.choose_below"), turn.choices)
        return "hamlet"
    return await _ask_household(turn, found.id, found.name, replace=True)


async def household(turn: Turn) -> str:
    """Stores the typed number or address; shows the commitment with "Cam kết" / "Hủy"."""
    if turn.kind is not Kind.TEXT:
        await turn.say(turn.t("pledge.household_expected"))
        return "household"
    typed = await turn.typed(HOUSEHOLD_LIMIT, "pledge.household_too_long")
    if typed is None:
        return "household"
    turn.data["household"] = typed
    await turn.ask(turn.t("pledge.summary", year=turn.data["year"], household=esc(typed),
                          hamlet=esc(turn.data["hamlet_name"])),
                   ((Choice(turn.t("pledge.commit"), COMMIT),
                     Choice(turn.t("pledge.cancel"), CANCEL)),))
    return "confirm"


async def confirm(turn: Turn) -> str:
    """"Cam kết" records it (once); "Hủy" drops it."""
    choice = turn.input.choice if turn.kind is Kind.CHOICE else None
    if choice == CANCEL:
        await turn.ask(turn.t("pledge.cancelled"), replace=True)
        return END
    if choice != COMMIT:
        await turn.ask(turn.t("flows.choose_below"), turn.choices)
        return "confirm"
    result = await turn.services.commitments.commit(
        turn.person, int(turn.data["hamlet"]), str(turn.data["household"]))
    await turn.ask(turn.t(f"pledge.{result.value}", year=turn.data["year"],
                          household=esc(turn.data["household"]),
                          hamlet=esc(turn.data["hamlet_name"])), replace=True)
    return END


async def _ask_household(turn: Turn, hamlet_id: int, name: str, *, replace: bool = False
                         ) -> str:
    turn.data.update(hamlet=hamlet_id, hamlet_name=name)
    await turn.ask(turn.t("pledge.ask_household", year=turn.data["year"], hamlet=esc(name)),
                   replace=replace)
    return "household"


def build_flow() -> Flow:
    """/camket, /pledge; an hour to finish."""
    return Flow(name="pledge", commands=("camket", "pledge"), start=start,
                steps={"hamlet": hamlet, "household": household, "confirm": confirm},
                timeout_minutes=60, label="flows.pledge", cancelled="pledge.cancelled")
