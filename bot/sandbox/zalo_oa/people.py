"""`SimOaUser`: a simulated follower of one Official Account.

The Zalo Bot Platform's `SimZaloUser` already reads the bot's messages, waits for them and
answers numbered choices (`wait_for`, `choose`); here the same person speaks the OA's
webhook events instead: `send` (user_send_text), `send_location` (coordinates as strings, as
Zalo sends them), `send_image`, `press` (an `oa.query` button: the person sends its
payload), `submit_info` (the OA's information form sent back), `follow` and `unfollow`.
Each counts as an interaction (the 7-day window)."""

from __future__ import annotations

from typing import Any

from bot.sandbox.people import fake_jpeg
from bot.sandbox.zalo.people import SimZaloUser
from bot.sandbox.zalo.world import ZaloEvent
from bot.sandbox.zalo_oa.world import OaChat, OaWorld
from bot.text import fold, matches

JSON = dict[str, Any]


class SimOaUser(SimZaloUser):
    def __init__(self, world: OaWorld, chat: OaChat) -> None:
        super().__init__(world, chat)
        self.oa_world, self.oa_chat = world, chat

    @property
    def oa_id(self) -> str:
        return self.oa_chat.oa_id

    def _event(self, event_name: str, message: JSON | None, shown: str) -> JSON:
        world, chat = self.oa_world, self.oa_chat
        event: JSON = {"app_id": world.app_id, "user_id_by_app": f"app-{chat.id}",
                       "event_name": event_name, "timestamp": str(world.now_ms())}
        if message is None:  # follow, unfollow
            event.update(oa_id=chat.oa_id, source="oa_popup", follower={"id": chat.id})
        else:
            event.update(sender={"id": chat.id}, recipient={"id": chat.oa_id},
                         message={"msg_id": world.new_id(), **message})
        chat.last_interaction = world.now()
        world.emit(ZaloEvent("user_message", chat.name, chat.name, shown, event_name))
        world.queue_event(event)
        return event

    async def send(self, text: str) -> JSON:
        """A text message; returns the event as the bot receives it."""
        return self._event("user_send_text", {"text": text}, text)

    async def send_location(self, latitude: float, longitude: float, place: str = "") -> JSON:
        """A shared location: Zalo sends the coordinates as strings, the place name as text."""
        payload = {"coordinates": {"latitude": str(latitude), "longitude": str(longitude)}}
        return self._event("user_send_location", {
            "text": place, "attachments": [{"type": "location", "payload": payload}]},
            f"[location] {latitude}, {longitude}")

    async def send_image(self, data: bytes | None = None, *, caption: str | None = None) -> JSON:
        """An image: the bot gets a URL the sandbox serves (no authentication, as on Zalo)."""
        world = self.oa_world
        if not world.base_url:
            raise RuntimeError("start the OA sandbox before sending images")
        name = f"{world.new_id()}.jpg"
        world.images[name] = data if data is not None else fake_jpeg(1280, 960, 20_000)
        url = f"{world.base_url}/files/{name}"
        return self._event("user_send_image", {
            "text": caption or "",
            "attachments": [{"type": "image", "payload": {"thumbnail": url, "url": url}}]},
            caption or "")

    async def send_file(self, data: bytes, name: str) -> JSON:
        """A file (`user_send_file`): its name and size, and a URL the sandbox serves."""
        world = self.oa_world
        if not world.base_url:
            raise RuntimeError("start the OA sandbox before sending files")
        stored = f"{world.new_id()}-{name}"
        world.images[stored] = data
        payload = {"url": f"{world.base_url}/files/{stored}", "name": name,
                   "size": str(len(data)), "type": name.rsplit(".", 1)[-1]}
        return self._event("user_send_file", {
            "attachments": [{"type": "file", "payload": payload}]}, f"[file] {name}")

    async def send_sticker(self) -> JSON:
        return self._event("user_send_sticker", {"attachments": [
            {"type": "sticker", "payload": {"id": self.oa_world.new_id()}}]}, "")

    async def press(self, label: str) -> JSON:
        """Press the newest `oa.query` button whose title matches `label`: the person sends
        its payload (hidden from the chat with oa.query.hide)."""
        wanted = fold(label)
        seen: list[str] = []
        for record in reversed(self.chat.history):
            buttons = [b for b in record.get("buttons", ()) if b["type"].startswith("oa.query")]
            seen.extend(b["title"] for b in buttons)
            found = ([b for b in buttons if fold(b["title"]) == wanted]
                     or [b for b in buttons if matches(b["title"], label)])
            if found:
                payload = found[0]["payload"]
                return self._event("user_send_text", {"text": str(payload)},
                                   f"[{found[0]['title']}]")
        there = " ".join(f"[{title}]" for title in seen) or "(none)"
        raise LookupError(f"no button matching {label!r} for {self.name}; there: {there}")

    def submit_info(self, phone: str, *, name: str = "", address: str = "") -> JSON:
        """The person fills in the OA's information form and sends it: `user_submit_info`
        with `info` (Zalo writes the phone as "84…"); from now on ZBS finds them by it."""
        world, chat = self.oa_world, self.oa_chat
        chat.phone = phone
        chat.last_interaction = world.now()
        event: JSON = {
            "app_id": world.app_id, "user_id_by_app": f"app-{chat.id}",
            "event_name": "user_submit_info", "timestamp": str(world.now_ms()),
            "sender": {"id": chat.id}, "recipient": {"id": chat.oa_id},
            "info": {"name": name or chat.name, "phone": phone, "address": address,
                     "city": "", "district": "", "ward": ""}}
        world.emit(ZaloEvent("user_message", chat.name, chat.name, f"[info] {phone}",
                             "user_submit_info"))
        world.queue_event(event)
        return event

    def buttons(self) -> list[str]:
        """The titles of the newest bot message's buttons."""
        history = self.chat.history
        return [b["title"] for b in history[-1].get("buttons", ())] if history else []

    def follow(self) -> JSON:
        self.oa_chat.followed = True
        return self._event("follow", None, "[follow]")

    def unfollow(self) -> JSON:
        self.oa_chat.followed = False
        return self._event("unfollow", None, "[unfollow]")
