"""The HTTP face of the sandbox: Telegram's URL layout, request encodings and envelopes."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.sandbox.api_bot import BotApi
from bot.sandbox.api_edit import EditApi
from bot.sandbox.api_send import SendApi
from bot.sandbox.params import Params, Upload
from bot.sandbox.world import ApiError, World

JSON = dict[str, Any]
Method = Callable[[Params], Awaitable[Any]]

_TOKEN = re.compile(r"^[0-9]+:[^/]+$")


class Api(SendApi, EditApi, BotApi):
    """Every implemented Bot API method, looked up case-insensitively like Telegram does."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.methods: dict[str, tuple[str, Method]] = {
            name[4:].lower(): (name[4:], getattr(self, name))
            for name in dir(self)
            if name.startswith("api_")
        }

    async def call(self, method: str, raw: dict[str, Any]) -> Any:
        """Run one method; raises ApiError exactly as the HTTP answer would carry it."""
        found = self.methods.get(method.lower())
        if found is None:
            raise ApiError(404, "Not Found")
        name, function = found
        self.world.stats.requests[name] += 1
        fault = self.world.take_fault(name)
        if fault is not None:
            if fault.error_code == 429:
                self.world.stats.too_many_requests += 1
            parameters = {"retry_after": fault.retry_after} if fault.retry_after else None
            raise ApiError(fault.error_code, fault.description, parameters)
        return await function(Params(raw))


def _envelope(status: int, body: JSON) -> web.Response:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=data, content_type="application/json")


def error_response(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.parameters:
        body["parameters"] = error.parameters
    return _envelope(error.code, body)


async def read_params(request: web.Request) -> dict[str, Any]:
    """Merge the query string and the body (JSON, form or multipart) into one dict."""
    raw: dict[str, Any] = dict(request.query)
    if not request.body_exists:
        return raw
    if request.content_type == "application/json":
        body = await request.json()
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON object expected")
        raw.update(body)
        return raw
    form: MultiMapping[Any] = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            raw[key] = Upload(key, value.filename, value.content_type, value.file.read())
        else:
            raw[key] = value
    return raw


def build_app(api: Api) -> web.Application:
    """An aiohttp application serving `/bot{token}/{method}` and `/file/bot{token}/{path}`."""

    async def method_handler(request: web.Request) -> web.Response:
        if not _TOKEN.match(request.match_info["token"]):
            return error_response(ApiError(401, "Unauthorized"))
        try:
            raw = await read_params(request)
            result = await api.call(request.match_info["method"], raw)
        except ApiError as error:
            return error_response(error)
        except ValueError:
            return error_response(ApiError(400, "Bad Request: can't parse request"))
        return _envelope(200, {"ok": True, "result": result})

    async def file_handler(request: web.Request) -> web.Response:
        if not _TOKEN.match(request.match_info["token"]):
            return error_response(ApiError(401, "Unauthorized"))
        stored = api.world.files.get("path:" + request.match_info["path"])
        if stored is None:
            return error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type="application/octet-stream")

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", method_handler)
    app.router.add_get("/file/bot{token}/{path:.+}", file_handler)
    return app
