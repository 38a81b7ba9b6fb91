"""Swapping a shift, on every messenger: "Nhờ người đổi ca" on /tuantra's card lists the team's
other members; the one chosen gets "Nhận ca" / "Không nhận" on their own messenger; the asker
hears the answer, and the leader hears of the shift changing hands (services.patrol_swaps)."""

from __future__ import annotations

from bot.dialog import Action, Choice, Rows, Turn, rows_of
from bot.services.patrol_swaps import Swap
from bot.services.patrols import ACTION
from handlers.text import as_id, clip, esc

CHOOSE = f"{ACTION}:sx"  # pt:sx:<shift id>:<resident id>
ACCEPT, REFUSE = f"{ACTION}:sa", f"{ACTION}:sd"  # pt:sa:<swap id>, pt:sd:<swap id>
NAME_LIMIT = 30
MAX_LISTED = 20


async def offer(turn: Turn, parts: tuple[str, ...]) -> str | None:
    """"Nhờ người đổi ca": whom to ask, among the team's members not on the shift."""
    shift_id = as_id(parts[0]) if len(parts) == 1 else None
    services = turn.services
    if shift_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return None
    result, shift, others = await services.patrol_swaps.candidates(turn.person, shift_id)
    if result is not Swap.DONE or shift is None:
        await turn.refuse(turn.t(f"patrol.{result.value}"))
        return None
    if not others:
        await turn.say(turn.t("patrol.swap_nobody"))
        return None
    rows: Rows = rows_of([Choice(clip(name, NAME_LIMIT), f"{CHOOSE}:{shift_id}:{member}")
                          for member, name in others[:MAX_LISTED]], 2)
    await turn.offer(turn.t("patrol.swap_ask", when=services.patrols.when(shift, turn.lang)),
                     rows)
    return None


async def choose(turn: Turn, parts: tuple[str, ...]) -> None:
    """The member chosen is asked through the outbox; the asker is told to wait."""
    ids = [as_id(part) for part in parts] if len(parts) == 2 else [None, None]
    shift_id, other = ids
    if shift_id is None or other is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    result = await turn.services.patrol_swaps.ask(turn.person, shift_id, other)
    if result is not Swap.DONE:
        await turn.refuse(turn.t(f"patrol.{result.value}"))
        return
    await turn.close_press()
    await turn.say(turn.t("patrol.swap_sent"))


async def accept(turn: Turn, parts: tuple[str, ...]) -> None:
    await _decide(turn, parts, True)


async def refuse(turn: Turn, parts: tuple[str, ...]) -> None:
    await _decide(turn, parts, False)


async def _decide(turn: Turn, parts: tuple[str, ...], accepted: bool) -> None:
    """"Nhận ca" takes the shift over; "Không nhận" leaves it; the asker is told."""
    swap_id = as_id(parts[0]) if len(parts) == 1 else None
    if swap_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    services = turn.services
    result, shift = await services.patrol_swaps.decide(turn.person, swap_id, accepted)
    if result is not Swap.DONE or shift is None:
        await turn.refuse(turn.t(f"patrol.{result.value}"))
        return
    await turn.close_press()
    key = "patrol.swap_taken" if accepted else "patrol.swap_left"
    await turn.say(turn.t(key, when=esc(services.patrols.when(shift, turn.lang))))


def actions() -> list[Action]:
    return [Action(CHOOSE, choose), Action(ACCEPT, accept), Action(REFUSE, refuse)]
