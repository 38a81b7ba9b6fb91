"""Telegram turned off (`[telegram] enabled = false`, a Zalo-only deployment): the PTB
Application still runs the job queue and the flows' machinery, but its Bot never reaches the
network. getMe is answered here (PTB asks for it at start); any other call fails as a network
error would, so a stray send is logged and the outbox keeps what it cannot deliver."""

from __future__ import annotations

import json

from telegram.error import NetworkError
from telegram.request import BaseRequest, RequestData

OFF_TOKEN = "0:telegram-is-off"
_ME = {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "anninh",
                              "username": "anninh_telegram_off"}}


class TelegramOff(BaseRequest):
    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = None, write_timeout: object = None,
        connect_timeout: object = None, pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        del method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        if url.rsplit("/", 1)[-1].lower() == "getme":
            return 200, json.dumps(_ME).encode()
        raise NetworkError("Telegram is turned off in this deployment ([telegram] enabled)")
