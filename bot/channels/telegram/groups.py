"""What the bot answers in group chats, decided in one place before any other handler.

Privately everything works as before. In a group the bot answers only what belongs there:

- in a commune's staff group: presses on the buttons of its messages (each press checks the
  presser's role itself; a refusal is an alert only the presser sees), replies to its messages
  (the relays check that the writer is an officer), and the officer commands
  `STAFF_GROUP_COMMANDS` typed by an officer of that commune (read from the database);
- `/start` in any group gets one line pointing to the private chat;
- nothing else: resident commands, other officer commands, commands by people who may not use
  them (no refusal is said in a group), edits and any other message are left unanswered.
"""

from __future__ import annotations

from telegram import Message, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.ext import ApplicationHandlerStop, BaseHandler, TypeHandler

from bot import replies
from bot.channels.telegram.common import tr
from bot.context import AppContext

# Officer commands that also work in the commune's staff group (about that commune only).
STAFF_GROUP_COMMANDS = frozenset({"tinmo", "openreports", "tin", "lookup", "thongke", "stats",
                                  "lichphat", "campaigns"})


async def gate(update: Update, context: AppContext) -> None:
    """Lets private updates through; in groups lets through only what belongs there (see the
    module's docstring) and stops the rest before any other handler sees it."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    if update.callback_query is not None or update.my_chat_member is not None:
        return
    message = update.message
    if message is None:  # edits, channel posts: nothing to answer in a group
        raise ApplicationHandlerStop
    command = command_of(message, context.bot.username)
    if command == "start":
        await _hint(update, context, message)
    elif command is not None:
        if command in STAFF_GROUP_COMMANDS and await _officer_here(update, context):
            return
    elif message.reply_to_message is not None and await _is_staff_group(context, chat.id):
        return
    raise ApplicationHandlerStop


def command_of(message: Message, bot_username: str | None) -> str | None:
    """The command a message starts with ("/tinmo@anninh_bot x" → "tinmo"); None for a
    message that is no command, or a command for another bot."""
    entity = message.entities[0] if message.entities else None
    text = message.text or ""
    if entity is None or entity.type != MessageEntityType.BOT_COMMAND or entity.offset != 0:
        return None
    name, _, addressee = text[1:entity.length].partition("@")
    if addressee and (bot_username is None or addressee.lower() != bot_username.lower()):
        return None
    return name.lower()


async def _hint(update: Update, context: AppContext, message: Message) -> None:
    user = update.effective_user
    services = context.services
    resident = await services.residents.get(user.id) if user is not None else None
    lang = services.i18n.language(resident.language if resident else None,
                                  user.language_code if user else None)
    link = f"https://t.me/{context.bot.username}"
    await replies.send_text(context.bot, message.chat_id,
                            tr(context, lang, "groups.start_privately", link=link),
                            reply_to=message.message_id)


async def _officer_here(update: Update, context: AppContext) -> bool:
    """Whether the sender is an officer of the commune whose staff group this is."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return False
    store = context.services.store
    commune = await store.areas.commune_by_staff_chat(chat.id)
    resident = await store.residents.by_telegram_id(user.id)
    return commune is not None and resident is not None and await store.residents.has_role(
        resident.id, "officer", commune.id)


async def _is_staff_group(context: AppContext, chat_id: int) -> bool:
    return await context.services.store.areas.commune_by_staff_chat(chat_id) is not None


GATE_GROUP = -3  # before every other handler group (the flows' early group is -2)


def build_gate() -> BaseHandler[Update, AppContext, None]:
    """The gate: registered in GATE_GROUP, so it runs before every other handler."""
    return TypeHandler(Update, gate)
