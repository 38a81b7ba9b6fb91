"""One open flow per person: every conversation is a `Flow`, and what ends it comes first.

A flow (onboarding, a report, an announcement …) is a persistent PTB ConversationHandler. Two
rules hold for all of them, here and nowhere else:

- a command (typed or from the menu) ends the open flows of the person who sent it — in that
  chat and in their private chat, where their flows live — before any other handler sees it,
  and then runs as usual: nothing the person sends afterwards goes to the old flow. `/huy`
  (`/cancel`) ends them and says so, once. Starting a flow from a button (a new flow's entry
  point) ends the others the same way;
- an edited message is never new input: Telegram sends an `edited_message` when someone edits
  an old message, and no handler may take it for an answer or relay it again.

Ending is written to the database at once (not only on PTB's next persistence run), so it
holds across a restart or a crash.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.ext._utils.types import ConversationKey
from telegram.warnings import PTBUserWarning

from bot import replies
from bot.context import AppContext
from bot.dialog import Flow as DialogFlow
from bot.sending import chat_label
from handlers.common import caller, tr, user_data

log = logging.getLogger(__name__)

CANCEL_COMMANDS = ("huy", "cancel")
EARLY_GROUP = -2  # before every flow and command (PTB runs groups in ascending order)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class Flow(ConversationHandler[AppContext]):
    """A conversation that knows what to drop and what to say when it is ended from outside.

    `drafts` are the user_data keys the flow keeps its answers in; `cancelled` is the text key
    /huy answers with; `label` names the flow in the note a person gets when another command
    ends it while something was half done (None: ended silently, nothing is lost)."""

    __slots__ = ("cancelled", "drafts", "label")

    def __init__(
        self, *args: Any, drafts: Sequence[str], cancelled: str, label: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.drafts = tuple(drafts)
        self.cancelled = cancelled
        self.label = label

    def is_open(self, key: ConversationKey) -> bool:
        return key in self._conversations

    async def end(self, application: AnyApplication, key: ConversationKey) -> None:
        """End one conversation now: state, timeout and the persisted row.

        PTB has no public way to end a conversation from outside its own handlers; this does
        what ConversationHandler does when a callback returns END (python-telegram-bot 22.8:
        `_conversations`, `timeout_jobs` under `_timeout_jobs_lock`)."""
        self._conversations.pop(key, None)  # tracked: PTB's next persistence run agrees
        async with self._timeout_jobs_lock:
            job = self.timeout_jobs.pop(key, None)
        if job is not None:
            job.schedule_removal()
        persistence = application.persistence
        if persistence is not None and self.name is not None:
            await persistence.update_conversation(self.name, key, None)

    async def handle_update(
        self, update: Update, application: AnyApplication, check_result: Any,
        context: AppContext,
    ) -> object | None:
        """A flow entered by a button ends the person's other flows first."""
        handler = check_result[2]
        if handler in self.entry_points:
            ended = await end_flows(update, context, keep=self)
            await tell_left(update, context, ended, await end_dialog(update, context))
        return await super().handle_update(update, application, check_result, context)


def conversation(
    name: str,
    entry_points: Sequence[BaseHandler[Update, AppContext, Any]],
    states: Mapping[object, Sequence[BaseHandler[Update, AppContext, Any]]],
    fallbacks: Sequence[BaseHandler[Update, AppContext, Any]],
    *,
    timeout_minutes: float,
    drafts: Sequence[str] = (),
    cancelled: str = "errors.cancelled",
    label: str | None = None,
) -> Flow:
    """The shape of every flow: persistent (a restart resumes it), re-enterable, timed out.

    PTB warns that buttons in a per-chat conversation are tracked per chat, not per message:
    that is what anninh wants, so the warning is silenced here, in one place."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        return Flow(
            entry_points=list(entry_points),
            states={state: list(handlers) for state, handlers in states.items()},
            fallbacks=list(fallbacks),
            allow_reentry=True,
            name=name,
            persistent=True,
            conversation_timeout=timeout_minutes * 60,
            drafts=drafts, cancelled=cancelled, label=label,
        )


def flows(application: AnyApplication) -> list[Flow]:
    return [h for group in application.handlers.values() for h in group if isinstance(h, Flow)]


async def end_flows(
    update: Update, context: AppContext, *, keep: Flow | None = None,
) -> list[tuple[Flow, ConversationKey]]:
    """End every flow but `keep` the sender has open in this chat or in their private chat
    (where their flows live), dropping the flows' drafts."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return []
    keys = list(dict.fromkeys([(chat.id, user.id), (user.id, user.id)]))
    ended: list[tuple[Flow, ConversationKey]] = []
    for flow in flows(context.application):
        for key in keys:
            if flow is not keep and flow.is_open(key):
                await flow.end(context.application, key)
                ended.append((flow, key))
                for draft in flow.drafts:
                    user_data(context).pop(draft, None)
    return ended


async def end_dialog(update: Update, context: AppContext) -> DialogFlow | None:
    """End the sender's open flow in bot/dialog's runner (the flows already moved there)."""
    user = update.effective_user
    if user is None:
        return None
    person = await context.services.residents.get(user.id)
    return None if person is None else await context.runner.end(person.id)


async def end_every_flow(application: AnyApplication, user_id: int) -> None:
    """End every flow of this Telegram user in every chat, with its expiry and persisted row,
    and drop their user data (drafts): after their data is deleted nothing may resume, time
    out or be written back for them."""
    for flow in flows(application):
        for key in [k for k in list(flow._conversations) if user_id in k]:
            await flow.end(application, key)
    application.drop_user_data(user_id)


async def tell_left(
    update: Update, context: AppContext, ended: list[tuple[Flow, ConversationKey]],
    dialog: DialogFlow | None = None,
) -> None:
    """Say which half-done flows were left, in their own chat (taking off a reply keyboard
    they showed). Flows without a label end silently. `dialog`: the runner's flow that was
    ended (it lives in the person's private chat)."""
    labelled = [(str(flow.label), key[0]) for flow, key in ended if flow.label is not None]
    user = update.effective_user
    if dialog is not None and dialog.label is not None and user is not None:
        labelled.append((dialog.label, user.id))
    if not labelled:
        return
    who = await caller(update, context)
    for chat_id in dict.fromkeys(chat for _, chat in labelled):
        names = ", ".join(tr(context, who.lang, label)
                          for label, chat in labelled if chat == chat_id)
        try:
            await replies.send_text(context.bot, int(chat_id),
                                    tr(context, who.lang, "flows.left", flows=names),
                                    replies.REMOVE_KEYBOARD)
        except TelegramError:
            log.info("could not tell %s that a flow was left", chat_label(int(chat_id)))


async def command_sent(update: Update, context: AppContext) -> None:
    """Any command to this bot: ends the sender's open flows, then lets the command run.
    /huy ends them and answers (what was cancelled, or that nothing was open), and stops."""
    message, user = update.effective_message, update.effective_user
    command = _command(message.text if message is not None else None, context.bot.username)
    if message is None or user is None or command is None:
        return
    ended = await end_flows(update, context)
    dialog = await end_dialog(update, context)
    if command not in CANCEL_COMMANDS:
        await tell_left(update, context, ended, dialog)
        return
    if ended or dialog is not None or message.chat.type == "private":
        who = await caller(update, context)
        keys = {flow.cancelled for flow, _ in ended} | (
            {dialog.cancelled} if dialog is not None else set())
        ended_any = bool(ended) or dialog is not None
        key = (keys.pop() if len(keys) == 1 else "errors.cancelled") if ended_any else (
            "errors.nothing_to_cancel")
        await replies.send_text(context.bot, message.chat_id, tr(context, who.lang, key),
                                replies.REMOVE_KEYBOARD)
    raise ApplicationHandlerStop


async def edit_dropped(update: Update, context: AppContext) -> None:
    """An edit of an old message: not new input for any handler."""
    del context
    log.debug("ignoring an edited message in update %s", update.update_id)
    raise ApplicationHandlerStop


def _command(text: str | None, bot_username: str) -> str | None:
    """The command's name ("/Baotin@anninh_bot x" → "baotin"), None if it is for another
    bot (groups may hold several)."""
    if not text or not text.startswith("/"):
        return None
    name, _, addressee = text.split(maxsplit=1)[0][1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower()


def build_early_handlers() -> list[BaseHandler[Update, AppContext, None]]:
    """Handlers for EARLY_GROUP, in this order: edits are dropped, commands end flows."""
    return [
        MessageHandler(filters.UpdateType.EDITED, edit_dropped),
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, command_sent),
    ]
