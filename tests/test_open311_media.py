"""A media_url's photo is fetched from public addresses only (bot/web/open311_media.py): which
addresses are public, the resolver that refuses a host with a private address, and every
redirect checked. A web server on 127.0.0.2 stands in for a public host (the test's `allowed`
trusts that one address); the private address it redirects to is 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from ipaddress import ip_address

import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer

from bot.services.open311 import Problem
from bot.web.open311_media import (
    IPAddress,
    PrivateAddress,
    PublicResolver,
    anywhere,
    media_fetch,
    public,
)
from tests.web_kit import JPEG

STAND_IN = ip_address("127.0.0.2")  # "a public host" in these tests
LIMIT = 100_000


def stand_in_is_public(address: IPAddress) -> bool:
    return address == STAND_IN or public(address)


@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
    "100.64.0.1", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::1", "2002:a00:1::1",
    "64:ff9b::a00:1", "2001:db8::1"])
def test_these_addresses_are_not_public(address: str) -> None:
    assert not public(ip_address(address))


@pytest.mark.parametrize("address", [
    "8.8.8.8", "1.1.1.1", "203.113.131.1", "2001:4860:4860::8888", "::ffff:8.8.8.8",
    "2002:808:808::1", "64:ff9b::808:808"])
def test_these_addresses_are_public(address: str) -> None:
    assert public(ip_address(address))


class FakeDns(AbstractResolver):
    """A resolver answering from a table (no network)."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        return [ResolveResult(hostname=host, host=a, port=port, family=family, proto=0,
                              flags=0) for a in self.table.get(host, [])]

    async def close(self) -> None:
        return None


async def test_a_host_with_any_private_address_is_refused() -> None:
    dns = FakeDns({"photos.example": ["8.8.8.8"], "mixed.example": ["8.8.8.8", "10.0.0.7"],
                   "inside.example": ["fd00::7"], "nowhere.example": []})
    resolver = PublicResolver(public, dns)
    [found] = await resolver.resolve("photos.example", 80)
    assert found["host"] == "8.8.8.8"
    for host in ("mixed.example", "inside.example", "nowhere.example"):
        with pytest.raises(PrivateAddress):
            await resolver.resolve(host, 80)


async def photo(_request: web.Request) -> web.Response:
    return web.Response(body=JPEG, content_type="image/jpeg")


@pytest.fixture
async def private_photo() -> AsyncIterator[TestServer]:
    """The photo, on 127.0.0.1 (a private address)."""
    app = web.Application()
    app.router.add_get("/photo.jpg", photo)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
async def redirector(private_photo: TestServer) -> AsyncIterator[TestServer]:
    """A "public" host (127.0.0.2) that redirects to the private photo, by address or name."""
    port = private_photo.port

    async def to_address(_request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://127.0.0.1:{port}/photo.jpg")

    async def to_name(_request: web.Request) -> web.Response:
        raise web.HTTPFound(f"http://localhost:{port}/photo.jpg")

    async def twice(_request: web.Request) -> web.Response:
        raise web.HTTPTemporaryRedirect("/by-address")

    app = web.Application()
    app.router.add_get("/by-address", to_address)
    app.router.add_get("/by-name", to_name)
    app.router.add_get("/twice", twice)
    app.router.add_get("/photo.jpg", photo)
    server = TestServer(app, host=str(STAND_IN))
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()


async def test_a_public_host_is_fetched_from(redirector: TestServer) -> None:
    fetch = media_fetch(str(redirector.make_url("/photo.jpg")), LIMIT, stand_in_is_public)
    assert await fetch() == JPEG


@pytest.mark.parametrize("path", ["/by-address", "/by-name", "/twice"])
async def test_a_redirect_to_a_private_address_is_refused(
    redirector: TestServer, path: str,
) -> None:
    url = str(redirector.make_url(path))
    with pytest.raises(Problem) as refused:
        await media_fetch(url, LIMIT, stand_in_is_public)()
    assert (refused.value.status, refused.value.key) == (400, "media_private")
    # the same redirect, with private addresses allowed, reaches the photo
    assert await media_fetch(url, LIMIT, anywhere)() == JPEG


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/photo.jpg", "http://[::1]/photo.jpg", "http://10.0.0.1/photo.jpg",
    "https://[::ffff:192.168.0.1]/photo.jpg"])
def test_an_address_written_as_a_private_ip_is_refused_before_connecting(url: str) -> None:
    with pytest.raises(Problem) as refused:
        media_fetch(url, LIMIT, public)
    assert refused.value.key == "media_private"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://8.8.8.8/a.jpg", "http:///a.jpg"])
def test_only_http_addresses_are_fetched(url: str) -> None:
    with pytest.raises(Problem) as refused:
        media_fetch(url, LIMIT, anywhere)
    assert refused.value.key == "bad_media"
