"""Login links guessed or replayed from one address: after ATTEMPTS bad or expired tokens
within WINDOW, every login request from that address is answered 429 (a page in the
officers' language) until the window has passed. Kept in memory — a restart forgets it, which
costs a guesser nothing worth having: a token is 32 random bytes and lives 10 minutes.

The address is the peer's; behind a reverse proxy on the same machine (a loopback peer) it
is the last address in X-Forwarded-For, the one the proxy itself saw."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta
from ipaddress import ip_address

from aiohttp import web

from bot.clock import Clock

ATTEMPTS = 5
WINDOW = timedelta(minutes=1)
MAX_ADDRESSES = 10_000  # addresses remembered at once (the oldest forgotten first)


def address_of(request: web.Request) -> str:
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    try:
        local = ip_address(peer).is_loopback
    except ValueError:
        local = False
    if local and forwarded:
        return forwarded.split(",")[-1].strip()[:64]
    return peer


class LoginLimit:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._failures: dict[str, deque[datetime]] = {}

    def blocked(self, address: str) -> bool:
        """True while `address` has ATTEMPTS failures within the last WINDOW."""
        return len(self._recent(address)) >= ATTEMPTS

    def failed(self, address: str) -> None:
        """A bad or expired token came from `address`."""
        failures = self._recent(address)
        failures.append(self._clock.now())
        self._failures[address] = self._failures.pop(address, failures)  # the newest last
        while len(self._failures) > MAX_ADDRESSES:
            del self._failures[next(iter(self._failures))]

    def _recent(self, address: str) -> deque[datetime]:
        failures = self._failures.get(address, deque(maxlen=ATTEMPTS))
        since = self._clock.now() - WINDOW
        while failures and failures[0] <= since:
            failures.popleft()
        if not failures:
            self._failures.pop(address, None)
        return failures
