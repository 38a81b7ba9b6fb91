"""The OA sandbox's ZBS (Zalo Business Solutions, formerly ZNS) template messages: `POST
{business_api_base_url}/message/template` with `{template_id, template_data, tracking_id}` and
either the follower's `user_id` or a `phone` ("84…"), the OA's access token in the header.

Templates are registered first (`OaSandbox.add_template`: its id and parameter names), as
Zalo approves them in advance; a message reaches a follower whatever their last interaction
(that is what ZBS is for), counts against the OA's daily quota, and is recorded in the
person's chat as its rendered text, so a simulated follower reads it like any message.

Errors (the sandbox's choice of codes where Zalo's are not documented the same everywhere):
-131 unknown template, -132 missing or unknown parameters, -108 a phone that is no Zalo
follower of the OA, -213 not a follower (by id), -133 night time (22:00–06:00) when the
sandbox's `zbs_night` is on, -144 the daily quota used up, -32 the app's rate. A template
delivered is followed by its receipt, `user_received_message` with the `tracking_id`
(`zbs_receipts`).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.sandbox.zalo_oa.api import answer, read_json
from bot.sandbox.zalo_oa.world import OaApiError, OaChat, OaWorld

JSON = dict[str, Any]


class ZbsApi:
    def __init__(self, world: OaWorld) -> None:
        self.world = world

    async def send(self, request: web.Request) -> web.Response:
        world = self.world
        world.oa_stats.calls.append("message/template")
        try:
            oa_id = world.oa_of_token(request.headers.get("access_token"))
            body = await read_json(request)
            text = self._render(body)
            chat = self._recipient(oa_id, body)
            world.check_oa_rate()
            if world.zbs_night:
                raise OaApiError(-133, "Template messages cannot be sent at night")
            if world.zbs_quota is not None and world.oa_stats.zbs >= world.zbs_quota:
                raise OaApiError(-144, "The OA has used up its daily quota of template messages")
        except OaApiError as error:
            world.oa_stats.zbs_refused += 1
            return answer({"error": error.code, "message": error.message})
        record: JSON = {"message_id": world.new_id(), "chat_id": chat.id,
                        "date": world.now_ms(), "kind": "zbs", "text": text, "buttons": [],
                        "template_id": body["template_id"],
                        "tracking_id": str(body.get("tracking_id") or "")}
        world.record(chat, record)
        world.oa_stats.zbs += 1
        if world.zbs_receipts and record["tracking_id"]:
            world.queue_event(self._receipt(oa_id, chat, record))
        return answer({"error": 0, "message": "Success", "data": {
            "msg_id": record["message_id"], "sent_time": str(world.now_ms()),
            "quota": {"dailyQuota": world.zbs_quota, "remainingQuota": None
                      if world.zbs_quota is None else world.zbs_quota - world.oa_stats.zbs}}})

    def _receipt(self, oa_id: str, chat: OaChat, record: JSON) -> JSON:
        """The delivery receipt Zalo posts once the person's phone has the template."""
        return {"app_id": self.world.app_id, "event_name": "user_received_message",
                "timestamp": str(self.world.now_ms()), "sender": {"id": chat.id},
                "recipient": {"id": oa_id},
                "message": {"msg_id": record["message_id"],
                            "tracking_id": record["tracking_id"]}}

    def _render(self, body: JSON) -> str:
        """The template filled in with its data (what the person reads)."""
        template_id = str(body.get("template_id") or "")
        params = self.world.templates.get(template_id)
        if params is None:
            raise OaApiError(-131, "The template does not exist or is not approved")
        data = body.get("template_data")
        if not isinstance(data, dict) or set(data) != set(params) or not all(
                isinstance(value, str) and value for value in data.values()):
            raise OaApiError(-132, f"template_data must give exactly {sorted(params)}")
        return "\n".join(str(data[name]) for name in params)

    def _recipient(self, oa_id: str, body: JSON) -> OaChat:
        world = self.world
        phone, user_id = body.get("phone"), body.get("user_id")
        if isinstance(phone, str) and phone:
            found = [chat for chat in world.chats.values() if isinstance(chat, OaChat)
                     and chat.oa_id == oa_id and chat.phone == phone]
            if not found:
                raise OaApiError(-108, "The phone number is not a Zalo user of this OA")
            return found[0]
        chat = world.follower(oa_id, user_id) if isinstance(user_id, str) else None
        if chat is None or not chat.followed:
            raise OaApiError(-213, "User has not followed the OA")
        return chat
