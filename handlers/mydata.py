"""/dulieu (/mydata): everything stored, as a JSON file; /xoadulieu (/forget): delete it."""

from __future__ import annotations

import json
from datetime import timedelta

from telegram import InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, filters

from bot.context import AppContext
from handlers.common import answer, as_id, caller, esc, pressed, refuse, tr
from handlers.flows import end_every_flow

CONFIRM_FOR = timedelta(minutes=15)  # an older "Xóa" button is stale


async def my_data(update: Update, context: AppContext) -> None:
    """Sends the resident's data as anninh-du-lieu-<id>.json, with a readable summary."""
    who = await caller(update, context)
    services = context.services
    data = await services.residents.export(who.resident)
    data["exported_at"] = services.clock.now().isoformat(timespec="seconds")
    body = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    chat = update.effective_chat
    assert chat is not None
    none = tr(context, who.lang, "mydata.none")
    teams = [f"{t['team']} ({tr(context, who.lang, 'mydata.role_' + t['role'])})"
             for t in data["teams"]]
    tags = [services.catalog.tags[t].name(who.lang) if t in services.catalog.tags else t
            for t in data["tags"]]
    await context.bot.send_document(
        chat.id, InputFile(body, filename=f"anninh-du-lieu-{who.resident.telegram_id}.json"),
        caption=tr(context, who.lang, "mydata.caption"),
    )
    await answer(
        update, context, who.lang, "mydata.summary",
        telegram_id=who.resident.telegram_id, consent=tr(
            context, who.lang, f"mydata.consent_{who.resident.consent}"),
        name=esc(data["display_name"] or none), phone=esc(data["phone"] or none),
        area=esc(", ".join(p for p in (data["hamlet"], data["commune"]) if p) or none),
        tags=esc(", ".join(tags) or none), teams=esc("; ".join(teams) or none),
    )


async def ask_forget(update: Update, context: AppContext) -> None:
    """/xoadulieu: says what will be deleted and asks for "Xóa" or "Hủy"."""
    who = await caller(update, context)
    stamp = int(context.services.clock.now().timestamp())
    await answer(update, context, who.lang, "mydata.forget_ask", [[
        (tr(context, who.lang, "mydata.forget_yes"), f"fg:yes:{stamp}"),
        (tr(context, who.lang, "mydata.forget_no"), "fg:no"),
    ]])


async def forget_pressed(update: Update, context: AppContext) -> None:
    """"Xóa": deletes the presser's own data and says what was kept and why; "Hủy": nothing."""
    who = await caller(update, context)
    parts = pressed(update)
    if parts[1] == "no":
        await answer(update, context, who.lang, "mydata.forget_cancelled")
        return
    services = context.services
    asked = as_id(parts[2])
    age = services.clock.now().timestamp() - (asked or 0)
    if asked is None or not 0 <= age <= CONFIRM_FOR.total_seconds():  # old, or crafted
        await refuse(update, context, who.lang, "errors.stale_button")
        return
    user = update.effective_user
    assert user is not None
    forgotten = await services.residents.forget(
        who.resident, names=[user.full_name, user.first_name, user.last_name],
        usernames=[user.username])
    if context.user_data is not None:
        context.user_data.clear()  # drafts go too; PTB would otherwise write them back
    await end_every_flow(context, user.id)  # no open flow resumes, or times out, with their data
    await answer(update, context, who.lang, "mydata.forgotten",
                 teams=forgotten.memberships, reports=forgotten.reports_kept)


def build_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    private = filters.ChatType.PRIVATE
    return [
        CommandHandler(["dulieu", "mydata"], my_data, filters=private),
        CommandHandler(["xoadulieu", "forget"], ask_forget, filters=private),
        CallbackQueryHandler(forget_pressed, pattern=r"^fg:(yes:\d+|no)$"),
    ]
