"""The end of /baotin: anonymous or named, the summary with "Gửi" / "Hủy" / "Sửa", filing the
report and announcing it to the officers; cancelling (handlers/report.py has the first steps,
and goes back to one of them for "Sửa")."""

from __future__ import annotations

from bot.dialog import END, Kind, Rows, Turn
from bot.services.report_values import Draft, Outcome
from handlers import report_photos
from handlers.report_choices import (
    ANONYMOUS,
    CANCEL,
    EDIT,
    NAMED,
    SEND,
    confirm_choices,
    edit_choices,
    identity_choices,
)


async def ask_identity(turn: Turn) -> str:
    """Asks "Ẩn danh" or "Gửi kèm tên" (the step after the photos); someone who has not
    registered reports anonymously, so the summary comes at once."""
    if turn.data.get("unregistered"):
        return await summary(turn)
    await turn.ask(turn.t("report.ask_identity"), identity_choices(turn))
    return "identity"


async def identity(turn: Turn) -> str:
    """Stores anonymous or named; shows the summary with "Gửi" and "Hủy". Anything else asks
    again (the rest of an album past the limit: says how many photos were kept)."""
    if turn.kind is not Kind.CHOICE or turn.input.choice not in (ANONYMOUS, NAMED):
        if not await _album_overflow(turn):
            await _reask(turn, identity_choices(turn))
        return "identity"
    turn.data["anonymous"] = turn.input.choice == ANONYMOUS
    return await summary(turn)


async def summary(turn: Turn) -> str:
    """The report as it will be sent, with "Gửi", "Hủy" and "Sửa"."""
    draft = turn.data
    categories = turn.services.reports.categories
    who = (turn.t("report.identity_anonymous") if draft["anonymous"] else
           turn.t("report.identity_named",
                  name=turn.esc(turn.person.display_name or turn.display_name)))
    await turn.ask(turn.t(
        "report.summary", category=turn.esc(categories.name(str(draft.get("category")),
                                                            turn.lang)),
        description=turn.esc(draft.get("description", "")), place=_place(turn),
        photos=len(draft.get("photos", [])), identity=who,
    ), confirm_choices(turn), replace=True)
    return "confirm"


async def confirm(turn: Turn) -> str:
    """"Gửi" files the report, "Hủy" drops it, "Sửa" asks which part to change; anything
    else asks again."""
    if turn.kind is Kind.CHOICE and turn.input.choice == SEND:
        return await _send(turn)
    if turn.kind is Kind.CHOICE and turn.input.choice == EDIT:
        await turn.ask(turn.t("report.ask_edit"), edit_choices(turn), replace=True)
        return "edit"
    if turn.kind is Kind.CHOICE and turn.input.choice == CANCEL:
        await turn.close_press()
        await turn.say(turn.t("report.cancelled"), remove_keyboard=True)
        return END
    if not await _album_overflow(turn):
        await _reask(turn, confirm_choices(turn))
    return "confirm"


async def _send(turn: Turn) -> str:
    """Stores the report (before answering), answers with the code, then the officers are
    told. The draft's token makes a second "Gửi" answer with the code already filed."""
    filed = await turn.services.reports.file(turn.person, Draft.from_data(turn.data))
    if filed.outcome is Outcome.ALREADY and filed.report is not None:
        await turn.refuse(turn.t("report.already_sent", code=filed.report.code))
        return END
    if filed.outcome is Outcome.RATE_LIMITED:
        await refuse_rate(turn)
        return END
    if filed.report is None:
        await turn.ask(turn.t("report.no_commune"), replace=True)
        return END
    if turn.data.get("patrol") and not filed.report.anonymous:  # a link would narrow it down
        await turn.services.patrols.link_report(turn.person, int(turn.data["patrol"]),
                                                filed.report.id)
    await turn.ask(turn.t("report.sent", code=filed.report.code), replace=True)
    await turn.services.events.report_filed(filed.report, filed.duplicate)
    return END


async def _album_overflow(turn: Turn) -> bool:
    """A photo once the photo step is over, with the draft at the limit (the rest of an
    album): the resident is told how many were kept. False for anything else."""
    if turn.kind is not Kind.PHOTO or report_photos.count(turn) < (
            turn.services.config.reports.max_photos):
        return False
    await report_photos.over_limit(turn)
    return True


async def _reask(turn: Turn, choices: Rows) -> None:
    """An answer the step cannot use: says so and shows the step's choices again."""
    await turn.ask(turn.t("flows.choose_below"), choices)


async def refuse_rate(turn: Turn) -> None:
    """The resident filed [reports] max_per_hour reports in the last hour."""
    services = turn.services
    again = await services.reports.may_report_again_at(turn.person)
    at = (again or services.clock.now()).astimezone(services.config.locale.tz)
    await turn.ask(turn.t("report.rate_limited", max=services.config.reports.max_per_hour,
                          time=at.strftime("%H:%M")), replace=True)


def _place(turn: Turn) -> str:
    draft = turn.data
    if draft.get("lat") is not None:
        return f"{turn.t('report.map_point')} ({draft['lat']:.5f}, {draft['long']:.5f})"
    if draft.get("address"):
        return turn.esc(draft["address"])
    return turn.t("report.no_place")
