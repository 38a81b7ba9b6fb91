"""Bot API methods about the bot itself, updates, commands, chats and files."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

from bot.sandbox.api_base import ApiBase
from bot.sandbox.members import chat_member
from bot.sandbox.params import Params
from bot.sandbox.world import ApiError, bad_request

JSON = dict[str, Any]

_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class BotApi(ApiBase):
    async def api_getMe(self, _p: Params) -> JSON:
        return self.world.bot_user

    async def api_logOut(self, _p: Params) -> bool:
        return True

    async def api_close(self, _p: Params) -> bool:
        return True

    # ---- updates and webhooks ----------------------------------------------------------

    async def api_getUpdates(self, p: Params) -> list[JSON]:
        world = self.world
        if world.settings.get("webhook", {}).get("url"):
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = p.integer("offset")
        limit = min(max(p.integer("limit", 100) or 100, 1), 100)
        timeout = max(p.integer("timeout", 0) or 0, 0)
        allowed = p.obj("allowed_updates")
        if isinstance(allowed, list):
            world.allowed_updates = [str(kind) for kind in allowed]
        if offset is not None:
            world.confirm_updates(offset)
        # a newer getUpdates ends an older one with 409, as on Telegram
        world.poll_generation += 1
        generation = world.poll_generation
        world.wake_pollers()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            updates = world.pending_updates(limit)
            if updates or world.closing:
                return updates
            if generation != world.poll_generation:
                raise ApiError(409, CONFLICT)
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            world.polling.set()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(world.updates_event.wait(), remaining)
            finally:
                world.polling.clear()

    async def api_setWebhook(self, p: Params) -> bool:
        url = p.require_str("url", "bad webhook: an HTTPS URL must be provided for webhook")
        self.world.settings["webhook"] = {
            "url": url,
            "secret_token": p.string("secret_token"),
            "allowed_updates": p.obj("allowed_updates") or [],
            "max_connections": p.integer("max_connections", 40),
        }
        if p.flag("drop_pending_updates"):
            self.world.updates.clear()
        self.world.webhook_set.set()
        self.world.wake_pollers()  # long polls end with 409; the webhook pusher starts
        return True

    async def api_deleteWebhook(self, p: Params) -> bool:
        self.world.settings.pop("webhook", None)
        self.world.webhook_set.clear()
        if p.flag("drop_pending_updates"):
            self.world.updates.clear()
        return True

    async def api_getWebhookInfo(self, _p: Params) -> JSON:
        hook = self.world.settings.get("webhook") or {}
        info: JSON = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.world.updates),
        }
        if hook:
            info["max_connections"] = hook["max_connections"]
            if hook["allowed_updates"]:
                info["allowed_updates"] = hook["allowed_updates"]
        return info

    # ---- commands and profile ----------------------------------------------------------

    def command_key(self, p: Params) -> tuple[str, str]:
        scope = p.obj("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad_request("can't parse BotCommandScope JSON object")
        return str(scope["type"]), p.string("language_code") or ""

    async def api_setMyCommands(self, p: Params) -> bool:
        commands = p.obj("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not _COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be 1-256 characters long")
        self.world.commands[self.command_key(p)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def api_getMyCommands(self, p: Params) -> list[JSON]:
        return self.world.commands.get(self.command_key(p), [])

    async def api_deleteMyCommands(self, p: Params) -> bool:
        self.world.commands.pop(self.command_key(p), None)
        return True

    async def api_setChatMenuButton(self, p: Params) -> bool:
        button = p.obj("menu_button") or {"type": "default"}
        self.world.settings.setdefault("menu_button", {})[p.integer("chat_id")] = button
        return True

    async def api_getChatMenuButton(self, p: Params) -> JSON:
        buttons = self.world.settings.get("menu_button", {})
        button: JSON = buttons.get(p.integer("chat_id"), buttons.get(None, {"type": "commands"}))
        return button

    async def api_setMyDescription(self, p: Params) -> bool:
        return self._profile(p, "description")

    async def api_setMyShortDescription(self, p: Params) -> bool:
        return self._profile(p, "short_description")

    async def api_setMyName(self, p: Params) -> bool:
        return self._profile(p, "name")

    def _profile(self, p: Params, field: str) -> bool:
        key = (field, p.string("language_code") or "")
        self.world.settings[f"{key[0]}:{key[1]}"] = p.string(field) or ""
        return True

    async def api_getMyDescription(self, p: Params) -> JSON:
        key = f"description:{p.string('language_code') or ''}"
        return {"description": self.world.settings.get(key, "")}

    async def api_getMyShortDescription(self, p: Params) -> JSON:
        key = f"short_description:{p.string('language_code') or ''}"
        return {"short_description": self.world.settings.get(key, "")}

    async def api_getMyName(self, p: Params) -> JSON:
        key = f"name:{p.string('language_code') or ''}"
        return {"name": self.world.settings.get(key) or self.world.bot_user["first_name"]}

    # ---- chats -------------------------------------------------------------------------

    async def api_getChat(self, p: Params) -> JSON:
        state = self.lookup_chat(p)
        return {
            **state.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": _GIFT_TYPES,
        }

    async def api_getChatMember(self, p: Params) -> JSON:
        state = self.lookup_chat(p)
        user_id = p.require_int("user_id", "user not found")
        if user_id == self.world.bot_user["id"]:
            status = "member" if state.bot_member else "left"
            if state.bot_member and not state.bot_can_post:
                status = "restricted"  # still in the group, may not write
            return chat_member(status, self.world.bot_user)
        user = self.world.users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        if state.is_private:
            status = "member" if user_id == state.id else "left"
        else:
            status = state.members.get(user_id, "left")
        return chat_member(status, user)

    async def api_getChatMemberCount(self, p: Params) -> int:
        state = self.lookup_chat(p)
        if state.is_private:
            return 2
        present = sum(1 for s in state.members.values() if s not in ("left", "kicked"))
        return present + int(state.bot_member)

    async def api_sendChatAction(self, p: Params) -> bool:
        self.target(p)
        return True

    async def api_leaveChat(self, p: Params) -> bool:
        state = self.target(p)
        if state.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        state.bot_member = False
        return True

    async def api_pinChatMessage(self, p: Params) -> bool:
        self.stored(p, "message to pin not found")
        return True

    async def api_unpinChatMessage(self, p: Params) -> bool:
        self.target(p)
        return True

    async def api_setMessageReaction(self, p: Params) -> bool:
        self.stored(p, "message to react not found")
        return True

    # ---- files -------------------------------------------------------------------------

    async def api_getFile(self, p: Params) -> JSON:
        file_id = p.require_str("file_id", "invalid file_id")
        stored = self.world.files.get(file_id)
        if stored is None or file_id.startswith("path:"):
            raise bad_request("invalid file_id")
        if len(stored.data) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {**stored.as_file(), "file_id": file_id}
