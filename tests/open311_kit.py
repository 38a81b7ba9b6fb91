"""What the Open311 tests share: a key of a commune, a form to file, and a small web server
that serves photos by URL (as another system's media_url would)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.services.container import Services
from tests.web_kit import JPEG

API = "/open311/v2"


async def key_of(services: Services, name: str = "Trung tâm 1022 tỉnh",
                 commune: str = "hung-loc") -> str:
    """A new key's secret for the commune."""
    _, secret = await services.api_keys.create(name, commune)
    return secret


def form(key: str, **fields: str) -> dict[str, str]:
    """A complete filing: theft, described, at a place in Hưng Lộc; `fields` change it."""
    base = {"api_key": key, "service_code": "trom-cap",
            "description": "Người dân gọi 1022: mất trộm xe máy trước cổng chợ",
            "lat": "10.9409", "long": "107.0921", "address_string": "Ấp Hưng Nhơn, gần chợ"}
    return {name: value for name, value in {**base, **fields}.items() if value != "-"}


async def errors_of(response: Any) -> list[dict[str, Any]]:
    """GeoReport's error list (checked to be one)."""
    body = await response.json()
    assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == response.status and body[0]["description"]
    return list(body)


async def photo_server(big: int) -> AsyncIterator[TestClient]:
    """/photo.jpg a small JPEG, /big.jpg one of `big` bytes, /page.html no image, /gone 404."""

    async def photo(_request: web.Request) -> web.Response:
        return web.Response(body=JPEG, content_type="image/jpeg")

    async def large(_request: web.Request) -> web.Response:
        return web.Response(body=JPEG[:4] + b"\x00" * big, content_type="image/jpeg")

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/photo.jpg", photo)
    app.router.add_get("/big.jpg", large)
    app.router.add_get("/page.html", page)
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        yield client
    finally:
        await client.close()
