"""Bot API methods that change what is already there: edits, deletions, callback answers."""

from __future__ import annotations

from typing import Any

from bot.sandbox.api_base import CAPTION_LIMIT, TEXT_LIMIT, ApiBase, public
from bot.sandbox.markup import check_markup
from bot.sandbox.params import Params
from bot.sandbox.views import Event
from bot.sandbox.world import bad_request

JSON = dict[str, Any]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class EditApi(ApiBase):
    def editable(self, p: Params) -> JSON:
        message = self.stored(p, "message to edit not found")
        if message["from"]["id"] != self.world.bot_user["id"]:
            raise bad_request("message can't be edited")
        return message

    def inline_markup(self, p: Params) -> JSON | None:
        markup = check_markup(p.obj("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        return markup

    def replace(self, old: JSON, changes: JSON, markup: JSON | None) -> JSON:
        """Store the edited message (a new dict: earlier snapshots stay as they were)."""
        new = {k: v for k, v in old.items() if k not in changes and k != "reply_markup"}
        new.update({k: v for k, v in changes.items() if v})
        if markup is not None and markup.get("inline_keyboard"):
            new["reply_markup"] = markup
        same = all(old.get(k) == new.get(k) for k in (*changes, "reply_markup"))
        if same:
            raise bad_request(NOT_MODIFIED)
        new["edit_date"] = self.world.now()
        self.world.record_bot_message(new, edited=True)
        return public(new)

    async def api_editMessageText(self, p: Params) -> JSON:
        old = self.editable(p)
        if "text" not in old:
            raise bad_request("there is no text in the message to edit")
        raw = p.string("text") or ""
        if not raw.strip():
            raise bad_request("message text is empty")
        text, entities = self.formatted(p, raw, limit=TEXT_LIMIT, too_long="message is too long")
        return self.replace(old, {"text": text, "entities": entities}, self.inline_markup(p))

    async def api_editMessageCaption(self, p: Params) -> JSON:
        old = self.editable(p)
        if "text" in old or "location" in old or "poll" in old:
            raise bad_request("there is no caption in the message to edit")
        text, entities = "", list[JSON]()
        if p.string("caption"):
            text, entities = self.formatted(
                p, p.string("caption") or "", limit=CAPTION_LIMIT,
                too_long="message caption is too long",
            )
        changes = {"caption": text, "caption_entities": entities}
        return self.replace(old, changes, self.inline_markup(p))

    async def api_editMessageReplyMarkup(self, p: Params) -> JSON:
        old = self.editable(p)
        return self.replace(old, {}, self.inline_markup(p))

    async def api_deleteMessage(self, p: Params) -> bool:
        message = self.stored(p, "message to delete not found")
        state = self.world.chats[message["chat"]["id"]]
        own = message["from"]["id"] == self.world.bot_user["id"]
        if not own and not state.is_private:
            raise bad_request("message can't be deleted")
        key = (state.id, message["message_id"])
        self.world.deleted.add(key)
        self.world.emit(Event("delete", state.name, "bot", message, private=state.is_private))
        return True

    async def api_deleteMessages(self, p: Params) -> bool:
        state = self.lookup_chat(p)
        for message_id in p.obj("message_ids") or []:
            message = self.world.message(state.id, int(message_id))
            if message is not None:
                self.world.deleted.add((state.id, int(message_id)))
                self.world.emit(
                    Event("delete", state.name, "bot", message, private=state.is_private)
                )
        return True

    async def api_answerCallbackQuery(self, p: Params) -> bool:
        query_id = p.require_str("callback_query_id", QUERY_TOO_OLD)
        world = self.world
        query = world.callback_queries.get(query_id)
        if query is None or query_id in world.callback_answers:
            raise bad_request(QUERY_TOO_OLD)
        text = p.string("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        answer: JSON = {"text": text, "show_alert": p.flag("show_alert"), "url": p.string("url")}
        world.callback_answers[query_id] = answer
        waiter = world.answer_waiters.pop(query_id, None)
        if waiter is not None:
            waiter.set()
        shown = f'"{text}"' if text else "(nothing shown)"
        if answer["show_alert"]:
            shown += " (alert)"
        world.emit(Event("callback_answer", "", query["from"]["first_name"], None, shown))
        return True
