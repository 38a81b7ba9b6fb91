# ruff: noqa: F811 (the fixtures are imported from the module they are shared with)
"""Login links guessed from one address (aiohttp's test client, a real database): after five
bad or expired tokens in a minute, that address gets 429 and a page in Vietnamese — even with
a good link — until the minute has passed; other addresses are not held back."""

from __future__ import annotations

from datetime import timedelta

from aiohttp.test_utils import TestClient

from bot.clock import FakeClock
from bot.services.container import Services
from bot.web.login_limit import ATTEMPTS, LoginLimit
from tests.test_web_console import (  # noqa: F401 (fixtures)
    cast,
    client,
    config_extra,
    services,
)
from tests.web_kit import People

GUESSER = {"X-Forwarded-For": "203.0.113.7"}  # as a reverse proxy on this machine names it
OFFICE = {"X-Forwarded-For": "198.51.100.20"}


async def test_bad_links_from_one_address_are_refused_for_a_minute(
    client: TestClient, services: Services, clock: FakeClock, cast: People,
) -> None:
    for number in range(ATTEMPTS - 1):
        answer = await client.get(f"/login/guess-{number}", headers=GUESSER)
        assert answer.status == 400
    forged = await client.post("/login", headers=GUESSER,
                               data={"token": "guess", "nonce": "x"})  # the POST counts too
    assert forged.status == 400
    issued = await services.web_auth.issue(cast.officer, "chat")
    assert issued.token is not None
    held = await client.get(f"/login/{issued.token}", headers=GUESSER)
    page = await held.text()
    assert held.status == 429 and held.headers["Retry-After"] == "60"
    assert "Quá nhiều lần đăng nhập không thành công" in page and "đợi 1 phút" in page
    posted = await client.post("/login", headers=GUESSER,
                               data={"token": issued.token, "nonce": "x"})
    assert posted.status == 429
    assert await services.web_auth.usable(issued.token)  # nothing was taken
    elsewhere = await client.get(f"/login/{issued.token}", headers=OFFICE)
    assert elsewhere.status == 200 and "Đăng nhập" in await elsewhere.text()
    clock.advance(timedelta(seconds=61))
    again = await client.get(f"/login/{issued.token}", headers=GUESSER)
    assert again.status == 200


def test_the_limit_forgets_old_failures_and_old_addresses(clock: FakeClock) -> None:
    limit = LoginLimit(clock)
    for _ in range(ATTEMPTS - 1):
        limit.failed("a")
    clock.advance(timedelta(seconds=30))
    limit.failed("a")
    assert limit.blocked("a") and not limit.blocked("b")
    clock.advance(timedelta(seconds=31))  # the first four are more than a minute old
    assert not limit.blocked("a")
    limit.failed("a")
    assert not limit.blocked("a")
