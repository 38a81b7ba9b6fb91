"""What the Zalo OA tests share: the `[zalo_oa]` section pointing at the emulator (with the
ZBS templates approved there), and followers whose last interaction is set on both sides."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.models import Recipient
from bot.sandbox.zalo_oa import DEFAULT_OA, OaSandbox, SimOaUser
from tests.helpers import services_of
from tests.test_zalo_oa_channel import PORT

ALARM_TEMPLATE, NEWS_TEMPLATE = "310001", "310002"
HOUR = 3600


def oa_section(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> str:
    """The config's [zalo_oa] for the emulator (`extra`: more of its keys), its secrets in
    the environment."""
    monkeypatch.setenv("ZALO_APP_SECRET", oa.app_secret)
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", oa.oa_secret)
    oa.add_template(ALARM_TEMPLATE)
    oa.add_template(NEWS_TEMPLATE)
    return (f'[zalo_oa]\napp_id = "{oa.app_id}"\napi_base_url = "{oa.base_url}"\n'
            f'oauth_base_url = "{oa.base_url}"\nbusiness_api_base_url = "{oa.base_url}"\n'
            f'webhook_port = {PORT}\n{extra}[zalo_oa.templates]\n'
            f'alarm = "{ALARM_TEMPLATE}"\nannouncement = "{NEWS_TEMPLATE}"\n')


async def follower(oa: OaSandbox, bot: AnninhApp, clock: FakeClock, seed: int,
                   hours_ago: float) -> tuple[SimOaUser, Recipient]:
    """A follower with an account whose last interaction was `hours_ago` (on both sides)."""
    person = oa.user(seed, f"Người {seed}")
    residents = services_of(bot).residents
    resident = await residents.ensure_account("zalo_oa", person.id, opened=True)
    await residents.give_consent(resident, "1", person.name, "vi")
    await last_seen(oa, bot, clock, person, hours_ago)
    return person, Recipient.account(resident.id, "zalo_oa", person.id)


async def last_seen(oa: OaSandbox, bot: AnninhApp, clock: FakeClock, person: SimOaUser,
                    hours_ago: float) -> None:
    """The follower's last interaction was `hours_ago`, for Zalo and in the bot's record."""
    oa.age(person, hours_ago * HOUR)
    seen = (clock.now() - timedelta(hours=hours_ago)).astimezone(UTC).isoformat()
    await services_of(bot).store.db.write(
        "UPDATE accounts SET oa_id = ?, interacted_at = ? WHERE channel = 'zalo_oa' "
        "AND external_id = ?", (DEFAULT_OA, seen, person.id))


async def oa_member(oa: OaSandbox, bot: AnninhApp, clock: FakeClock, seed: int,
                    hours_ago: float, team_code: str = "hn-01") -> SimOaUser:
    """A follower (last seen `hours_ago`) who is an active member of the sample team."""
    person, recipient = await follower(oa, bot, clock, seed, hours_ago)
    store = services_of(bot).store
    commune = await store.areas.commune_by_code("hung-loc")
    assert commune is not None and recipient.resident_id is not None
    team = await store.areas.team_by_code(commune.id, team_code)
    assert team is not None
    async with store.db.transaction() as tx:
        await store.residents.update(tx, recipient.resident_id, commune_id=commune.id)
        await store.memberships.add(tx, team.id, recipient.resident_id, "member", "active")
    return person
