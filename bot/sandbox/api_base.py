"""What every Bot API method shares: finding the target chat and building a bot message."""

from __future__ import annotations

from typing import Any

from bot.sandbox.markup import check_markup, render_text
from bot.sandbox.params import Params
from bot.sandbox.world import ApiError, ChatState, World, bad_request

JSON = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


def public(message: JSON) -> JSON:
    """The message as Telegram returns it: reply keyboards are never echoed back."""
    markup = message.get("reply_markup")
    if markup is None or "inline_keyboard" in markup:
        return message
    return {key: value for key, value in message.items() if key != "reply_markup"}


class ApiBase:
    def __init__(self, world: World) -> None:
        self.world = world

    # ---- targets -----------------------------------------------------------------------

    def lookup_chat(self, p: Params, name: str = "chat_id") -> ChatState:
        """The chat named by `name`, or Telegram's 400 when the bot cannot see it."""
        chat_id = p.chat_id(name)
        if isinstance(chat_id, str):
            for state in self.world.chats.values():
                if state.chat.get("username", "").lower() == chat_id[1:].lower():
                    return state
            raise bad_request("chat not found")
        state = self.world.chat(chat_id)
        if state.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": state.migrated_to},
            )
        return state

    def target(self, p: Params, name: str = "chat_id") -> ChatState:
        """A chat the bot may write to, or the 400/403 Telegram would answer."""
        state = self.lookup_chat(p, name)
        if state.is_private:
            if state.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if not state.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        elif not state.bot_member:
            if state.chat["type"] == "supergroup":
                raise ApiError(403, "Forbidden: bot is not a member of the supergroup chat")
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        elif not state.bot_can_post:
            raise bad_request("not enough rights to send text messages to the chat")
        return state

    def stored(self, p: Params, not_found: str, chat_name: str = "chat_id") -> JSON:
        """The message named by chat_id + message_id."""
        if "inline_message_id" in p:
            raise bad_request("inline messages are not supported by the sandbox")
        state = self.lookup_chat(p, chat_name)
        message = self.world.message(state.id, p.require_int("message_id", not_found))
        if message is None:
            raise bad_request(not_found)
        return message

    # ---- content -----------------------------------------------------------------------

    def formatted(
        self, p: Params, text: str, *, limit: int, too_long: str, prefix: str = ""
    ) -> tuple[str, list[JSON]]:
        """Apply parse_mode (or explicit entities) and check the length."""
        mode = p.string(f"{prefix}parse_mode") if prefix else p.string("parse_mode")
        visible, entities = render_text(text, mode)
        explicit = p.obj(f"{prefix}entities" if prefix else "entities")
        if explicit and not mode:
            entities = list(explicit)
        if len(visible) > limit:
            raise bad_request(too_long)
        return visible, entities

    def caption(self, p: Params) -> JSON:
        """`caption` and `caption_entities` fields for a media message (possibly empty)."""
        text = p.string("caption")
        if not text:
            return {}
        visible, entities = self.formatted(
            p, text, limit=CAPTION_LIMIT, too_long="message caption is too long"
        )
        if not visible.strip():
            return {}
        fields: JSON = {"caption": visible}
        if entities:
            fields["caption_entities"] = entities
        return fields

    def reply_to(self, state: ChatState, p: Params) -> JSON | None:
        reply = p.obj("reply_parameters")
        message_id = p.integer("reply_to_message_id")
        allow = p.flag("allow_sending_without_reply")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", allow))
        if message_id is None:
            return None
        message = self.world.message(state.id, int(message_id))
        if message is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return public({k: v for k, v in message.items() if k != "reply_to_message"})

    # ---- sending -----------------------------------------------------------------------

    def send(self, state: ChatState, p: Params, content: JSON) -> JSON:
        """Check limits, then store and announce a new bot message; return it as Telegram does."""
        markup = check_markup(p.obj("reply_markup"))
        reply = self.reply_to(state, p)
        self.world.check_rate(state)
        message = self.build(state, content, markup, reply)
        key = (state.id, message["message_id"])
        if p.flag("disable_notification"):
            self.world.silent.add(key)
        if p.flag("protect_content"):
            self.world.protected.add(key)
            message["has_protected_content"] = True
        self.world.record_bot_message(message)
        if markup is not None and "keyboard" in markup:
            state.keyboard = message
        elif markup is not None and markup.get("remove_keyboard"):
            state.keyboard = None
        return public(message)

    def build(
        self, state: ChatState, content: JSON, markup: JSON | None, reply: JSON | None
    ) -> JSON:
        message: JSON = {
            "message_id": self.world.take_message_id(state.id),
            "from": self.world.bot_user,
            "chat": state.chat,
            "date": self.world.now(),
        }
        if reply is not None:
            message["reply_to_message"] = reply
        message.update(content)
        if markup is not None:
            message["reply_markup"] = markup
        return message


def text_fields(text: str, entities: list[JSON]) -> JSON:
    fields: JSON = {"text": text}
    if entities:
        fields["entities"] = entities
    return fields

