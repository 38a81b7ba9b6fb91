"""The Zalo sandbox's HTTP face: `POST /bot{token}/{method}` with a JSON or form body, Zalo's
envelopes and status codes, and `GET /files/{name}` for the images people send."""

from __future__ import annotations

import hmac
import json
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.sandbox.zalo.api import ZaloApi
from bot.sandbox.zalo.world import ZaloApiError, bad_request

JSON = dict[str, Any]


def _answer(status: int, body: JSON) -> web.Response:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    return web.Response(status=status, body=data, content_type="application/json")


def error_response(error: ZaloApiError) -> web.Response:
    body = {"ok": False, "error_code": error.code, "description": error.description}
    return _answer(error.code, body)


async def read_params(request: web.Request) -> JSON:
    """The query string and the body (JSON object or form) merged into one dict."""
    params: JSON = dict(request.query)
    if not request.body_exists:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON body") from None
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        params.update(body)
        return params
    form: MultiMapping[Any] = await request.post()
    for key, value in form.items():
        if isinstance(value, str):
            params[key] = value
    return params


def build_app(api: ZaloApi) -> web.Application:
    world = api.world
    expected = world.token.encode()

    async def method_handler(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), expected):
            return error_response(ZaloApiError(401, "Unauthorized"))
        try:
            params = await read_params(request)
            result = await api.call(request.match_info["method"], params)
        except ZaloApiError as error:
            return error_response(error)
        body: JSON = {"ok": True} if result is None else {"ok": True, "result": result}
        return _answer(200, body)

    async def file_handler(request: web.Request) -> web.Response:
        data = world.images.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="image/jpeg")

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", method_handler)
    app.router.add_get("/files/{name}", file_handler)
    return app
