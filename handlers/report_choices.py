"""The report flow's choices: what each step offers, and the typed words that stand for them
("bỏ qua", "xong" typed instead of chosen)."""

from __future__ import annotations

from bot.dialog import Choice, Rows, Turn, rows_of
from bot.text import fold

SKIP, DONE, ANONYMOUS, NAMED, SEND, CANCEL = "skip", "done", "anon", "named", "send", "cancel"
EDIT, BACK = "edit", "back"
PARTS = ("category", "description", "place", "identity")  # what "Sửa" may change, one at a time


def category_choices(turn: Turn) -> Rows:
    categories = turn.services.reports.categories.items.values()
    return rows_of([Choice(c.label(turn.lang), c.code) for c in categories], 2)


def skip_choice(turn: Turn) -> Rows:
    return ((Choice(turn.t("report.skip"), SKIP),),)


def photo_choices(turn: Turn) -> Rows:
    return ((Choice(turn.t("report.done"), DONE), Choice(turn.t("report.skip"), SKIP)),)


def done_choice(turn: Turn) -> Rows:
    return ((Choice(turn.t("report.done"), DONE),),)


def identity_choices(turn: Turn) -> Rows:
    return ((Choice(turn.t("report.anonymous"), ANONYMOUS),
             Choice(turn.t("report.named"), NAMED)),)


def confirm_choices(turn: Turn) -> Rows:
    return ((Choice(turn.t("report.send"), SEND), Choice(turn.t("report.cancel"), CANCEL)),
            (Choice(turn.t("report.edit"), EDIT),))


def edit_choices(turn: Turn) -> Rows:
    """The parts "Sửa" may change (anonymity only for someone registered)."""
    parts = [p for p in PARTS if p != "identity" or not turn.data.get("unregistered")]
    return (*rows_of([Choice(turn.t(f"report.edit_{part}"), part) for part in parts], 2),
            (Choice(turn.t("report.edit_back"), BACK),))


def is_skip(turn: Turn, text: str) -> bool:
    i18n = turn.services.i18n
    return fold(text) in {fold(v) for v in i18n.all("report.skip").values()} | {
        "bo qua", "skip"}


def is_done_or_skip(turn: Turn, text: str) -> bool:
    done = {fold(v) for v in turn.services.i18n.all("report.done").values()}
    return is_skip(turn, text) or fold(text) in done | {"xong", "done"}
