"""Each OA's tokens, kept in SQLite and renewed in time.

Zalo's refresh token is single-use: every refresh returns a new pair and kills the old one.
So, per OA:
- one refresher at a time (a lock); a caller that waited finds the pair already renewed (a
  newer generation) and uses it instead of refreshing again;
- the new pair is stored (one statement) before anything uses it — a crash after the refresh
  cannot lose it;
- an access token is renewed `refresh_before` ahead of its expiry; a call refused with -216
  or -220 triggers one refresh and one retry, never more;
- a refused refresh is recorded on the OA's row (`anninh doctor` can show it) and handed to
  `on_failure` once: the OA's admin must consent again (`anninh zalo connect`). Until a new
  pair is stored, no call asks Zalo again with the dead refresh token: each is refused at
  once (so the officers are alerted once, not once per queued message).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.channels.zalo_oa.client import OaGrantError, OaTokenError, TokenPair, ZaloOaClient
from bot.clock import Clock
from bot.models.zalo_oa import OaTokens
from bot.store.zalo_oa import ZaloOaStore

log = logging.getLogger(__name__)

T = TypeVar("T")
REFRESH_LIFETIME = timedelta(days=90)


class NotConnected(Exception):
    """The OA has no tokens yet: `anninh zalo connect` or `anninh zalo token` first."""


async def store_pair(store: ZaloOaStore, clock: Clock, oa_id: str, pair: TokenPair) -> int:
    """Keep a pair just granted; its generation."""
    now = clock.now().astimezone(UTC)
    return await store.put_tokens(
        oa_id, access_token=pair.access_token,
        access_expires_at=(now + timedelta(seconds=pair.expires_in)).isoformat(),
        refresh_token=pair.refresh_token,
        refresh_expires_at=(now + REFRESH_LIFETIME).isoformat())


class TokenKeeper:
    def __init__(
        self, store: ZaloOaStore, client: ZaloOaClient, clock: Clock, *,
        refresh_before: timedelta = timedelta(hours=2),
        on_failure: Callable[[str, OaGrantError], Awaitable[None]] | None = None,
    ) -> None:
        self.store, self.client, self.clock = store, client, clock
        self.refresh_before = refresh_before
        self.on_failure = on_failure
        self._locks: dict[str, asyncio.Lock] = {}

    async def current(self, oa_id: str) -> OaTokens:
        """The OA's tokens with an access token good for a while (renewed if it is not)."""
        tokens = await self.store.tokens(oa_id)
        if tokens is None:
            raise NotConnected(f"the OA {oa_id} has no tokens")
        if tokens.access_token is None or self._due(tokens.access_expires_at):
            tokens = await self.refresh(oa_id, tokens.generation)
        return tokens

    def _due(self, expires_at: str | None) -> bool:
        if expires_at is None:
            return True
        return datetime.fromisoformat(expires_at) - self.refresh_before <= self.clock.now()

    async def refresh(self, oa_id: str, seen: int) -> OaTokens:
        """Renew the pair unless someone did since generation `seen`; the pair to use."""
        lock = self._locks.setdefault(oa_id, asyncio.Lock())
        async with lock:
            tokens = await self.store.tokens(oa_id)
            if tokens is None:
                raise NotConnected(f"the OA {oa_id} has no tokens")
            if tokens.generation != seen and tokens.access_token is not None:
                return tokens  # renewed while we waited
            if tokens.failed_at is not None:  # refused before: the refresh token is dead
                raise OaGrantError(-1, f"renewal refused earlier ({tokens.failure})",
                                   "refresh_token")
            try:
                pair = await self.client.refresh(tokens.refresh_token)
            except OaGrantError as error:
                await self.store.refresh_failed(oa_id, str(error))
                log.error("the tokens of OA %s could not be renewed (%s): its admin must "
                          "consent again (anninh zalo connect)", oa_id, error)
                if self.on_failure is not None:
                    await self.on_failure(oa_id, error)
                raise
            await store_pair(self.store, self.clock, oa_id, pair)  # before anything uses it
            log.info("the tokens of OA %s were renewed", oa_id)
            renewed = await self.store.tokens(oa_id)
            assert renewed is not None
            return renewed

    async def call(self, oa_id: str, work: Callable[[str], Awaitable[T]]) -> T:
        """`work(access_token)`; on -216/-220 one refresh and one retry."""
        tokens = await self.current(oa_id)
        assert tokens.access_token is not None
        try:
            return await work(tokens.access_token)
        except OaTokenError:
            log.info("OA %s: the access token was refused; renewing it once", oa_id)
        fresh = await self.refresh(oa_id, tokens.generation)
        assert fresh.access_token is not None
        return await work(fresh.access_token)
