"""/diem (/points): a person's own points and what earned them, on every messenger. Points of an
anonymous report are listed here, to its reporter only."""

from __future__ import annotations

from datetime import datetime

from bot.dialog import END, Flow, Turn
from bot.models import tracking_code


async def show(turn: Turn) -> str:
    """The month's points, all points, and the latest awards."""
    if not turn.person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    services = turn.services
    month, total, awards = await services.points.mine(turn.person.id)
    if not awards:
        await turn.say(turn.t("points.none"))
        return END
    tz = services.config.locale.tz
    lines = []
    for award in awards:
        rule = services.points.rules.get(award.rule)
        code = tracking_code(award.subject_id) if award.subject_type == "report" else ""
        what = rule.name(turn.lang, code=code) if rule else award.rule
        when = datetime.fromisoformat(award.at).astimezone(tz).strftime("%d/%m")
        lines.append(turn.t("points.line", points=award.points, what=turn.esc(what), when=when))
    await turn.say(turn.t("points.summary", month=month, total=total, lines="\n".join(lines)))
    return END


def build_flow() -> Flow:
    """/diem answers at once."""
    return Flow(name="points", commands=("diem", "points"), start=show)
