"""Photos to Zalo by address: with `[web] public_url`, anninh's web server serves a kept photo
at an address only anninh can make, which expires; Zalo fetches it from there."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.sandbox import SimUser
from bot.sandbox.zalo import ZaloSandbox
from tests.helpers import free_port, onboard_on_zalo

PORT = free_port()


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return (zalo_config + '\n[broadcast]\nquiet_hours = ""\n'
            f'\n[web]\nport = {PORT}\npublic_url = "http://127.0.0.1:{PORT}"\n')


async def test_an_announced_photo_reaches_zalo_by_an_expiring_address(
    zalo: ZaloSandbox, officer: SimUser, bot: AnninhApp, clock: FakeClock,
) -> None:
    hoa = zalo.user(51, "Hoa")
    await onboard_on_zalo(hoa)
    await officer.command("thongbao")
    await officer.wait_for("Soạn thông báo")
    await officer.send_photo("Đối tượng trộm chó, ai thấy báo công an xã")
    await officer.wait_for("Gửi tới ai")
    await officer.press("Toàn xã")
    preview = await officer.wait_for("Sẽ gửi tới")
    assert "chỉ nhận phần chữ" not in preview.text  # Zalo gets the photo too
    await officer.press("Gửi ngay")
    got = await hoa.wait_for("trộm chó", timeout=10)
    assert got.kind == "photo" and got.photo_url is not None
    assert got.photo_url.startswith(f"http://127.0.0.1:{PORT}/media/")
    async with aiohttp.ClientSession() as session:
        async with session.get(got.photo_url) as answer:
            assert answer.status == 200
            assert (await answer.read())[:2] == b"\xff\xd8"  # the photo the officer sent
        forged = got.photo_url[:-3] + ("AAA" if not got.photo_url.endswith("AAA") else "BBB")
        async with session.get(forged) as answer:
            assert answer.status == 404
        clock.advance(timedelta(days=4))  # the address has expired
        async with session.get(got.photo_url) as answer:
            assert answer.status == 404
