"""After "Bắt đầu" (handlers/patrol_actions.py), on every messenger: where the member starts —
a shared location where the channel can, a typed place ("cổng chợ Hưng Nhơn"), or "Bỏ qua" —
then "Kết thúc" and "Báo tin từ ca tuần tra". The place is optional and shows in the leader's
"Ai đã đi tuần"."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Rows, Share, Turn
from bot.services.patrols import ACTION
from handlers.report_choices import is_skip
from handlers.text import as_id, esc

PLACE_LIMIT = 120
SKIP = "skip"


async def start(turn: Turn) -> str:
    """Started with the shift's id once checked in: asks where (optional)."""
    shift_id = as_id(turn.text)
    shift = None if shift_id is None else await turn.services.store.patrols.shift(shift_id)
    if shift is None:
        return END
    turn.data = {"shift": shift.id}
    text = turn.t("patrol.checked_in", when=turn.services.patrols.when(shift, turn.lang))
    skip = ((Choice(turn.t("patrol.skip_note"), SKIP),),)
    if turn.can_share(Share.LOCATION):
        await turn.ask(text, skip, share=Share.LOCATION,
                       share_label=turn.t("patrol.share_location"),
                       share_hint=turn.t("patrol.location_keyboard"),
                       cancel_label=turn.t("patrol.skip_note"))
    else:
        await turn.ask(text, skip, replace=True)
    return "place"


async def place(turn: Turn) -> str:
    """Stores the shared location or the typed place ("Bỏ qua": none); offers "Kết thúc"."""
    services, shift_id = turn.services, int(turn.data["shift"])
    if turn.kind is Kind.LOCATION and turn.input.location is not None:
        await services.patrols.set_place(turn.person, shift_id, None, turn.input.location)
        said = turn.t("patrol.place_shared")
    elif (turn.kind is Kind.CHOICE and turn.input.choice == SKIP) or (
            turn.kind is Kind.TEXT and is_skip(turn, turn.text)):
        said = turn.t("patrol.place_skipped")
    elif turn.kind is Kind.TEXT:
        typed = await turn.typed(PLACE_LIMIT, "patrol.place_too_long")
        if typed is None:
            return "place"
        await services.patrols.set_place(turn.person, shift_id, typed)
        said = turn.t("patrol.place_saved", place=esc(typed))
    else:
        await turn.ask(turn.t("patrol.place_expected"), turn.choices)
        return "place"
    await turn.close_press()
    await turn.say(said, remove_keyboard=True)
    await turn.offer(turn.t("patrol.on_patrol"), on_patrol(turn, shift_id))
    return END


def on_patrol(turn: Turn, shift_id: int) -> Rows:
    """"Kết thúc" and "Báo tin từ ca tuần tra" for a shift the person is on."""
    return ((Choice(turn.t("patrol.finish"), f"{ACTION}:out:{shift_id}"),),
            (Choice(turn.t("patrol.report"), f"{ACTION}:rep:{shift_id}"),))


def build_flow() -> Flow:
    """Entered only from "Bắt đầu" (no command of its own); an hour to answer."""
    return Flow(name="patrol_place", commands=(), start=start, steps={"place": place},
                timeout_minutes=60)
