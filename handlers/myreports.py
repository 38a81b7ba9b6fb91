"""/tindabao (/myreports): my reports with their state and last update; "Bổ sung" adds text or
a photo to an open one, passed on to the officers.

Each "Bổ sung" choice carries its command ("/tindabao TB-000012"): a button keeps working after
the list (as it did when this flow ran on python-telegram-bot), and where choices are typed by
number the list stays open for the answer."""

from __future__ import annotations

import re
from datetime import datetime

from bot.dialog import END, Choice, Flow, Kind, Turn, as_command, command_value, rows_of
from bot.models import Report, ReportPhoto, tracking_code
from bot.services.relays import notice_in, reporter_words
from bot.services.report_values import Outcome
from handlers import help

COMMAND = "tindabao"
MAX_LISTED = 10
REPORT = "report"  # in the draft: the report being added to
_CODE = re.compile(r"TB-(\d{1,9})", re.IGNORECASE)


async def start(turn: Turn) -> str:
    """Lists the person's reports, a "Bổ sung" choice for each open one; with a tracking code
    (what that choice carries), asks what to add to that report."""
    if not turn.person.has_consented:
        await turn.say(turn.t("consent.required"))
        return END
    code = _CODE.fullmatch(turn.text.strip())
    if code is not None:
        return await _ask_addition(turn, int(code[1]))
    reports = (await turn.services.reports.mine(turn.person))[:MAX_LISTED]
    if not reports:
        await turn.say(turn.t("report.mine.none"))
        return END
    choices = rows_of([
        Choice(turn.t("report.mine.add", code=r.code), command_value(COMMAND, r.code))
        for r in reports if r.is_open])
    await turn.ask(_listing(turn, reports), choices)
    return "chosen" if choices and turn.numbered else END


async def chosen(turn: Turn) -> str:
    """A "Bổ sung" typed by its number or words starts adding to that report; anything else is
    answered as a message outside any flow."""
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    if value is not None and as_command(value) is not None:
        return value
    return await help.outside(turn)


async def adding(turn: Turn) -> str:
    """Stores the text or photo with the report and passes it on to the officers (the person
    is told once it reached them); anything else says what is expected."""
    if turn.kind not in (Kind.TEXT, Kind.PHOTO):
        await turn.say(turn.t("report.mine.addition_expected"))
        return "adding"
    media = turn.input.media if turn.kind is Kind.PHOTO else None
    text = turn.text or None
    if text is None and media is None:  # only spaces or invisible characters
        await turn.say(turn.t("errors.blank_text"))
        return "adding"
    photo = None
    if media is not None:  # kept in the media store at once; the person was told if not
        stored = await turn.keep_media("photo")
        if stored is None:
            return "adding"
        photo = ReportPhoto(media.cache_id, media.unique, stored.key)
    report_id = int(turn.data.get(REPORT, 0))
    added = await turn.services.reports.add_info(turn.person, report_id, text, photo)
    if added.outcome is Outcome.PHOTO_LIMIT:  # text is still welcome: the step stays
        assert photo is not None and photo.media_key is not None
        await turn.services.media.discard([photo.media_key])  # not kept after all
        await turn.say(turn.t("report.mine.photo_limit", code=tracking_code(report_id),
                              max=turn.services.config.reports.max_photos))
        return "adding"
    if added.report is None:
        await turn.say(turn.t("report.mine.closed"))
        return END
    await _pass_on(turn, added.report, text, photo)
    return END


async def _ask_addition(turn: Turn, report_id: int) -> str:
    report = await turn.services.reports.addable(turn.person, report_id)
    if report is None:
        await turn.refuse(turn.t("report.mine.closed"))
        return END
    turn.data[REPORT] = report.id
    await turn.say(turn.t("report.mine.ask_addition", code=report.code))
    return "adding"


async def _pass_on(
    turn: Turn, report: Report, text: str | None, photo: ReportPhoto | None
) -> None:
    """The addition (already stored with the report) to the officers, as the reporter's words
    (anonymous if the report was filed so); a reply to it goes back to the reporter."""
    services = turn.services
    notice = notice_in(turn.channel, turn.address, turn.input.message_id,
                       turn.t("report.mine.added", code=report.code),
                       turn.t("report.mine.add_failed", code=report.code))
    await services.relays.to_staff(
        report, reporter_words(services.i18n, report, turn.person, text),
        photo.file_id if photo else None, party="reporter", note=None, notice=notice,
        photo_key=photo.media_key if photo else None)
    if notice is None:  # the outbox cannot tell this chat the outcome yet: say what is known
        await turn.say(turn.t("report.mine.added_saved", code=report.code))


def _listing(turn: Turn, reports: list[Report]) -> str:
    services = turn.services
    tz = services.config.locale.tz
    lines = [turn.t("report.mine.header")]
    for report in reports:
        updated = datetime.fromisoformat(report.updated_at).astimezone(tz)
        category = services.reports.categories.name(report.category, turn.lang)
        item = turn.t("report.mine.item", code=report.code, category=turn.esc(category),
                      state=turn.t(f"report.mine.state_{report.state}"),
                      updated=updated.strftime("%H:%M %d/%m/%Y"))
        if report.state_note and report.state in ("resolved", "rejected"):
            # what came of it, or why it was not taken up: told when it closed, kept here
            item += "\n" + turn.t(f"report.mine.note_{report.state}",
                                  note=turn.esc(report.state_note))
        lines.append(item)
    return "\n\n".join(lines)


def build_flow() -> Flow:
    """/tindabao, and adding to a report; a command or an hour's silence ends it."""
    return Flow(name="myreports", commands=(COMMAND, "myreports"), start=start,
                steps={"chosen": chosen, "adding": adding}, timeout_minutes=60,
                label="flows.addition")
