"""The photo at a filing's `media_url`, fetched only from public addresses unless `[open311]
allow_private_media` is set: another system must not make anninh reach into its own network
(its loopback, the private network it runs in, a cloud's link-local metadata address).

Every hop is checked — the first address and each redirect, followed here one by one: an
address written as an IP is checked before connecting; a host name is resolved by
`PublicResolver`, which refuses it when any of its addresses is not public, and aiohttp
connects to exactly the addresses it returned, so DNS cannot answer differently between the
check and the connection."""

from __future__ import annotations

import socket
from collections.abc import Callable
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from bot.media import HEAD_BYTES, image_type_of
from bot.services.media import Fetch, MediaUnavailable
from bot.services.open311 import Problem

IPAddress = IPv4Address | IPv6Address
Allowed = Callable[[IPAddress], bool]  # may anninh connect to this address?

FETCH_TIMEOUT = aiohttp.ClientTimeout(total=20)
MAX_REDIRECTS = 3
REDIRECTS = (301, 302, 303, 307, 308)
_NAT64 = IPv6Network("64:ff9b::/96")  # IPv4 addresses reached through a NAT64 gateway


class PrivateAddress(Exception):
    """A media_url (or a redirect) leads to an address that is not public."""


def public(address: IPAddress) -> bool:
    """A global unicast address: not loopback, private, link-local, multicast, reserved or
    unspecified; an IPv6 address carrying an IPv4 one (mapped, 6to4, NAT64) is judged by it."""
    if isinstance(address, IPv6Address):
        carried = address.ipv4_mapped or address.sixtofour
        if carried is None and address in _NAT64:
            carried = IPv4Address(int(address) & 0xFFFFFFFF)
        if carried is not None:
            return public(carried)
    return address.is_global and not (
        address.is_private or address.is_loopback or address.is_link_local
        or address.is_multicast or address.is_reserved or address.is_unspecified)


def anywhere(_address: IPAddress) -> bool:
    """`[open311] allow_private_media = true`: every address may be fetched from."""
    return True


def _address(text: str) -> IPAddress:
    return ip_address(text.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0") aside


class PublicResolver(AbstractResolver):
    """The system's resolver, refusing a host any of whose addresses `allowed` refuses."""

    def __init__(self, allowed: Allowed, inner: AbstractResolver | None = None) -> None:
        self._allowed, self._inner = allowed, inner or DefaultResolver()

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not found or not all(self._allowed(_address(r["host"])) for r in found):
            raise PrivateAddress(host)
        return found

    async def close(self) -> None:
        await self._inner.close()


def checked(url: str | URL, allowed: Allowed) -> URL:
    """`url` as one anninh may fetch: http(s), with a host; an IP address as host must be
    allowed (a name is checked as it is resolved). Problem 400 otherwise."""
    parsed = URL(url) if isinstance(url, str) else url
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise Problem(400, "bad_media")
    try:
        literal: IPAddress | None = _address(parsed.host)
    except ValueError:
        literal = None
    if literal is not None and not allowed(literal):
        raise Problem(400, "media_private")
    return parsed


def media_fetch(url: str, limit: int, allowed: Allowed) -> Fetch:
    """Download the photo at `url`, at most `limit` bytes and one more (so the media service
    can say it is too large), following at most MAX_REDIRECTS redirects, each checked.
    MediaUnavailable unless it is an image; Problem when an address is not allowed."""
    first = checked(url, allowed)

    async def fetch() -> bytes:
        resolver = PublicResolver(allowed)  # a connector does not close a resolver it is given
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        try:
            async with aiohttp.ClientSession(connector=connector, timeout=FETCH_TIMEOUT,
                                             trust_env=False) as session:
                data = await _follow(session, first, limit, allowed)
        except PrivateAddress:
            raise Problem(400, "media_private") from None
        except (aiohttp.ClientError, TimeoutError, ValueError) as failure:
            raise MediaUnavailable(f"{url}: {failure}") from None
        finally:
            await resolver.close()
        if len(data) <= limit and image_type_of(data[:HEAD_BYTES]) is None:
            raise MediaUnavailable(f"{url}: not an image")
        return data

    return fetch


async def _follow(session: aiohttp.ClientSession, url: URL, limit: int,
                  allowed: Allowed) -> bytes:
    for _ in range(MAX_REDIRECTS + 1):
        async with session.get(url, allow_redirects=False) as response:
            location = response.headers.get("Location")
            if response.status in REDIRECTS and location:
                url = checked(url.join(URL(location)), allowed)
                continue
            if response.status != 200:
                raise MediaUnavailable(f"{url}: HTTP {response.status}")
            return await _body(response, limit)
    raise MediaUnavailable(f"{url}: more than {MAX_REDIRECTS} redirects")


async def _body(response: aiohttp.ClientResponse, limit: int) -> bytes:
    data = b""
    async for chunk in response.content.iter_chunked(64 * 1024):
        data += chunk
        if len(data) > limit:
            break
    return data
