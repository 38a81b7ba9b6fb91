"""The report flow's choices: the buttons each step offers, and the typed words that stand for
them ("bỏ qua", "xong" typed instead of pressed)."""

from __future__ import annotations

from bot.context import AppContext
from bot.replies import Buttons
from bot.text import fold
from handlers.common import tr


def category_buttons(context: AppContext, lang: str) -> Buttons:
    categories = context.services.reports.categories.items.values()
    buttons = [(c.label(lang), f"rp:cat:{c.code}") for c in categories]
    return [buttons[i:i + 2] for i in range(0, len(buttons), 2)]


def photo_buttons(context: AppContext, lang: str) -> Buttons:
    return [[(tr(context, lang, "report.done"), "rp:ph:done"),
             (tr(context, lang, "report.skip"), "rp:ph:skip")]]


def identity_buttons(context: AppContext, lang: str) -> Buttons:
    return [[(tr(context, lang, "report.anonymous"), "rp:id:anon"),
             (tr(context, lang, "report.named"), "rp:id:named")]]


def confirm_buttons(context: AppContext, lang: str) -> Buttons:
    return [[(tr(context, lang, "report.send"), "rp:send"),
             (tr(context, lang, "report.cancel"), "rp:cancel")]]


def is_skip(context: AppContext, text: str) -> bool:
    return fold(text) in {fold(v) for v in context.services.i18n.all("report.skip").values()} | {
        "bo qua", "skip"}


def is_done_or_skip(context: AppContext, text: str) -> bool:
    done = {fold(v) for v in context.services.i18n.all("report.done").values()}
    return is_skip(context, text) or fold(text) in done | {"xong", "done"}
