"""/bangvang (/honour): the honour board of the person's commune (an officer's: their first),
this month and this quarter — teams always, people only if they chose to appear (/caidat).
Points of anonymous reports count for nobody on it."""

from __future__ import annotations

from bot.dialog import END, Flow, Turn


async def show(turn: Turn) -> str:
    """Both boards in one message."""
    services = turn.services
    commune_id = turn.person.commune_id
    if commune_id is None:
        communes = await services.officers.communes_of(turn.person)
        commune_id = communes[0].id if communes else None
    commune = None if commune_id is None else await services.store.areas.commune(commune_id)
    if commune is None:
        await turn.say(turn.t("honour.no_commune"))
        return END
    parts = []
    for quarter in (False, True):
        teams, people = await services.points.board(commune.id, quarter)
        period = turn.t("honour.quarter" if quarter else "honour.month")
        parts.append(turn.t("honour.period", period=period,
                            teams=_lines(turn, teams), people=_lines(turn, people)))
    await turn.say(turn.t("honour.board", commune=turn.esc(commune.name),
                          periods="\n\n".join(parts)))
    return END


def _lines(turn: Turn, ranked: list[tuple[str, int]]) -> str:
    if not ranked:
        return turn.t("honour.empty")
    medals = ("🥇", "🥈", "🥉")
    return "\n".join(turn.t("honour.line", rank=medals[i] if i < 3 else f"{i + 1}.",
                            name=turn.esc(name), points=points)
                     for i, (name, points) in enumerate(ranked))


def build_flow() -> Flow:
    """/bangvang answers at once."""
    return Flow(name="honour", commands=("bangvang", "honour"), start=show)
