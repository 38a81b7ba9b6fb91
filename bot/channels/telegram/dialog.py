"""Telegram ↔ bot/dialog: updates become neutral input for the runner, prompts become
messages with inline buttons (and, for a share, a one-time keyboard under the text field).

A flow's button carries `d:<prompt number>:<choice value>`: the runner knows which prompt is
open, so a button of an older prompt is refused as stale, never taken for a new answer — except
a button whose value is a command ("/tindabao TB-000012"), which is that command whenever it is
pressed. Choices offered outside a flow (`Turn.offer`: actions, like a report card's) carry
their value alone, so anyone they are shown to may press them, however old.

In a group the runner gets presses, the commands of flows that run there, and the messages of
a person whose open flow asked in that group (a reply, where the bot sees only replies)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import CallbackQuery, InputFile, Message, Update, User
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot import replies, telegram_media
from bot.channels.telegram import flows
from bot.context import AppContext
from bot.dialog import Contact, Flow, Input, Kind, Media, Prompt, Rows, Share, as_command
from bot.replies import Markup, inline_keyboard
from bot.sending import OutMessage
from bot.services.media import Fetch
from bot.telegram_sender import TelegramSender
from bot.text import clean
from handlers import help

log = logging.getLogger(__name__)

PREFIX = "d:"
FORCE_REPLY: Markup = {"force_reply": True, "selective": True}
DIALOG_GROUP = -1  # after the gate and the early group, before the flows PTB still runs


class TelegramReplier:
    """Answers in one chat; after a press, can edit or alert over the pressed message."""

    numbered = False
    shares = frozenset(Share)

    def __init__(
        self, bot: Any, chat_id: int, query: CallbackQuery | None = None,
        leave: Callable[[Flow | None], Awaitable[None]] | None = None,
    ) -> None:
        self.bot, self.chat_id, self.query = bot, chat_id, query
        self.answered = query is None
        self._leave = leave

    async def leave_others(self, ended: Flow | None) -> None:
        if self._leave is not None:
            await self._leave(ended)

    async def send(self, prompt: Prompt, *, seq: int | None, remove_keyboard: bool) -> None:
        """The text with its inline buttons; a share keyboard goes under it where there are
        none, else with the share hint in a message of its own."""
        await self.acknowledge()
        markup: Markup | None = buttons(prompt, seq)
        together = markup is None and _shares_alone(prompt)
        if together:
            markup = share_keyboard(prompt)
        elif markup is None and remove_keyboard:
            markup = replies.REMOVE_KEYBOARD
        reply_to = None
        if markup is None and prompt.by_reply:
            markup = FORCE_REPLY
            reply_to = self._pressed_message_id()
        await replies.send_text(self.bot, self.chat_id, prompt.text, markup, reply_to=reply_to)
        if prompt.share is not None and not together:
            await replies.send_text(self.bot, self.chat_id, prompt.share_hint,
                                    share_keyboard(prompt))

    async def replace(self, prompt: Prompt, *, seq: int | None) -> bool:
        message = self._pressed_message()
        if message is None or _shares_alone(prompt):  # an edit cannot bring a keyboard
            return False
        await self.acknowledge()
        await replies.edit_text(self.bot, message.chat.id, message.message_id, prompt.text,
                                buttons(prompt, seq))
        if prompt.share is not None:
            await replies.send_text(self.bot, self.chat_id, prompt.share_hint,
                                    share_keyboard(prompt))
        return True

    async def post(self, prompt: Prompt, *, replace: bool) -> str:
        """A message kept up to date later (`EditingReplier`): its buttons carry actions."""
        await self.acknowledge()
        markup = buttons(prompt, None)
        message = self._pressed_message() if replace else None
        if message is not None:
            await replies.edit_text(self.bot, message.chat.id, message.message_id, prompt.text,
                                    markup)
            return str(message.message_id)
        posted = await replies.send_text(self.bot, self.chat_id, prompt.text, markup)
        return str(posted.message_id)

    async def show(self, message: OutMessage) -> None:
        await self.acknowledge()
        await TelegramSender(self.bot).send(self.chat_id, message)

    def copy_of(self, given: Input) -> OutMessage | None:
        if given.message_id is None or given.pressed:
            return None
        return OutMessage(copy_from=(self.chat_id, int(given.message_id)),
                          forward=given.forwarded)

    def start_link(self, payload: str) -> str:
        return f"https://t.me/{self.bot.username}?start={payload}"

    async def replace_choices(self, choices: Rows) -> bool:
        message = self._pressed_message()
        if message is None:
            return False
        await self.acknowledge()
        await replies.edit_markup(self.bot, message.chat.id, message.message_id,
                                  buttons(Prompt("", choices), None))
        return True

    async def alert(self, text: str) -> bool:
        if self.query is None:
            return False
        self.answered = True
        await replies.answer_press(self.bot, self.query.id, text, alert=True)
        return True

    async def toast(self, text: str) -> bool:
        if self.query is None:
            return False
        self.answered = True
        await replies.answer_press(self.bot, self.query.id, text)
        return True

    async def send_file(self, name: str, body: bytes, caption: str) -> None:
        await self.acknowledge()
        await self.bot.send_document(self.chat_id, InputFile(body, filename=name),
                                     caption=caption)

    async def close_press(self) -> None:
        await self.acknowledge()
        message = self._pressed_message()
        if message is not None:
            await replies.edit_markup(self.bot, message.chat.id, message.message_id, None)

    def fetcher(self, media: Media, max_bytes: int) -> Fetch:
        del max_bytes  # Telegram declares the size; the media service checks it first
        return telegram_media.fetch(self.bot, media.ref)

    async def acknowledge(self) -> None:
        """Stop the pressed button's spinner (once)."""
        if not self.answered and self.query is not None:
            self.answered = True
            await replies.answer_press(self.bot, self.query.id)

    def _pressed_message(self) -> Message | None:
        message = self.query.message if self.query is not None else None
        return message if isinstance(message, Message) else None

    def _pressed_message_id(self) -> int | None:
        message = self._pressed_message()
        return None if message is None else message.message_id


def _shares_alone(prompt: Prompt) -> bool:
    """A share button without inline choices or a hint: the keyboard goes with the text."""
    return prompt.share is not None and not prompt.choices and not prompt.share_hint


def buttons(prompt: Prompt, seq: int | None) -> Markup | None:
    """A flow's prompt's choices (`seq`: its number), or choices offered outside any flow
    (None: each button carries its value alone)."""
    if not prompt.choices:
        return None
    mark = "" if seq is None else f"{PREFIX}{seq}:"
    return inline_keyboard([[(c.label, mark + c.value) for c in row] for row in prompt.choices])


def share_keyboard(prompt: Prompt) -> Markup:
    ask = {"request_location": True} if prompt.share is Share.LOCATION else {
        "request_contact": True}
    rows: list[list[dict[str, Any]]] = [[{"text": prompt.share_label, **ask}]]
    if prompt.cancel_label:
        rows.append([{"text": prompt.cancel_label}])
    return replies.reply_keyboard(rows)


def to_input(update: Update) -> tuple[Input, int | None] | None:
    """The neutral input of an update and, for a flow's button, the prompt number it
    answers; None for what flows never take (another handler's button, a service message)."""
    query = update.callback_query
    if query is not None:
        data = query.data or ""
        message = query.message
        on = str(message.message_id) if message is not None else None
        if not data.startswith(PREFIX):  # an action's button carries the action itself
            return Input(Kind.CHOICE, choice=data, pressed=True, message_id=on), None
        seq, _, value = data[len(PREFIX):].partition(":")
        return Input(Kind.CHOICE, choice=value, pressed=True, message_id=on), (
            int(seq) if seq.isascii() and seq.isdigit() and len(seq) <= 13 else -1)
    message = update.message
    if message is None:
        return None
    return message_input(message, update), None


def message_input(message: Message, update: Update) -> Input:
    content = _content(message, update)
    markup = message.text_html if message.text is not None else (
        message.caption_html if message.caption is not None else None)
    return replace(content, message_id=str(message.message_id),
                   markup=None if markup is None else clean(markup),
                   forwarded=message.forward_origin is not None)


def _content(message: Message, update: Update) -> Input:
    if message.photo:
        largest = message.photo[-1]
        media = Media(largest.file_id, largest.file_unique_id, largest.file_size,
                      message.media_group_id, cache_id=largest.file_id,
                      content_type="image/jpeg")
        return Input(Kind.PHOTO, text=clean(message.caption), media=media)
    voice = message.voice or message.audio
    if voice is not None:
        return Input(Kind.VOICE, media=Media(
            voice.file_id, voice.file_unique_id, voice.file_size, cache_id=voice.file_id,
            content_type=voice.mime_type or "audio/ogg"))
    if message.location is not None:
        return Input(Kind.LOCATION,
                     location=(message.location.latitude, message.location.longitude))
    if message.contact is not None:
        user = update.effective_user
        own = user is not None and message.contact.user_id == user.id
        return Input(Kind.CONTACT, contact=Contact(message.contact.phone_number, own))
    if message.text is not None:
        return Input(Kind.TEXT, text=clean(message.text))
    return Input(Kind.OTHER, text=clean(message.caption))


def command_of(message: Message | None, bot_username: str) -> tuple[str, str] | None:
    """("baotin", "args") for "/baotin@bot args"; None if not a command to this bot."""
    text = message.text if message is not None else None
    if not text or not text.startswith("/"):
        return None
    head, _, args = text.partition(" ")
    name, _, addressee = head[1:].partition("@")
    if addressee and addressee.lower() != bot_username.lower():
        return None
    return name.lower(), args.strip()


async def dialog_update(update: Update, context: AppContext) -> None:
    """Give an update to the runner (a private chat's, or a command of a flow that also
    runs in groups); stop here if a flow took it."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    runner = context.runner
    converted = to_input(update)
    if converted is None:
        return
    given, seq = converted
    pressed_command = as_command(given.choice) if given.pressed else None
    typed = command_of(update.message, context.bot.username)
    if typed is None and update.message is not None and (
            update.message.text or "").startswith("/"):
        return  # a command for another bot (a group's): handlers.errors answers it
    command = typed or pressed_command
    if command is not None and not runner.owns(command[0]):
        return
    private = chat.type == "private"
    query = update.callback_query
    if query is not None and not (query.data or "").startswith(PREFIX) and (
            runner.action_for(query.data or "") is None):
        return  # a button of a handler still on PTB
    if not private and query is None and (
            runner.commands[command[0]].private if command is not None
            else not await _asked_here(context, user.id, chat.id)):
        return
    async def leave(dialog: Flow | None) -> None:
        # A button that starts a flow ends the person's open flows first, as a typed
        # command does (flows.py's early group does that for typed ones).
        await flows.tell_left(update, context, dialog)

    if pressed_command is not None:
        await leave(await flows.end_dialog(update, context))
    services = context.services
    person = await services.residents.ensure(user.id, opened=private)
    lang = services.i18n.language(person.language, user.language_code)
    replier = TelegramReplier(context.bot, chat.id, update.callback_query, leave)
    if await runner.handle(person, lang=lang, channel="telegram", address=str(chat.id),
                           input=given, replier=replier, display_name=user.full_name,
                           command=command, seq=seq, names=names_of(user)):
        await replier.acknowledge()
        raise ApplicationHandlerStop


async def outside_flow(update: Update, context: AppContext) -> None:
    """A private message no flow is waiting for: answered by handlers.help's `outside`."""
    chat, user, message = update.effective_chat, update.effective_user, update.message
    if chat is None or user is None:
        return  # a malformed update: nobody to answer
    services = context.services
    person = await services.residents.ensure(user.id, opened=chat.type == "private")
    given = message_input(message, update) if message is not None else Input(Kind.OTHER)
    await context.runner.once(
        help.outside, person, lang=services.i18n.language(person.language, user.language_code),
        channel="telegram", address=str(chat.id), input=given,
        replier=TelegramReplier(context.bot, chat.id), display_name=user.full_name,
        names=names_of(user))


async def _asked_here(context: AppContext, user_id: int, chat_id: int) -> bool:
    """Whether the person's open flow asked its question in this chat (a group)."""
    store = context.services.store
    person = await store.residents.by_telegram_id(user_id)
    dialog = None if person is None else await store.dialogs.get(person.id)
    return dialog is not None and dialog.channel == "telegram" and dialog.address == str(chat_id)


def names_of(user: User) -> tuple[str, ...]:
    """What else Telegram calls the person: first and last name, @username."""
    handle = f"@{user.username}" if user.username else ""
    return tuple(name for name in (user.first_name, user.last_name or "", handle) if name)


def build_handler() -> BaseHandler[Update, AppContext, None]:
    return TypeHandler(Update, dialog_update)
