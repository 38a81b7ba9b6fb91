"""Files a follower sends the OA (`user_send_file`), through the real bot and the OA
emulator: a JPEG or PNG is taken as a photo where one is expected (into the media store,
the report's attachment); any other file is refused with a clear message, and the
conversation goes on where it was."""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.sandbox.zalo_oa import OaSandbox
from bot.store import Store
from tests.helpers import services_of
from tests.test_zalo_oa_channel import (  # noqa: F401 - fixtures
    config_extra,
    connected,
    oa,
    onboard_on_oa,
    send_named,
    to_the_photos,
)

PHOTO = b"\xff\xd8\xff\xe0 a photo sent as a file"


@pytest.mark.usefixtures("staff_group", "officer")
async def test_a_photo_sent_as_a_file_is_taken_and_another_file_is_refused(
    connected: OaSandbox, store: Store, bot: AnninhApp,  # noqa: F811
) -> None:
    lan = connected.user(71, "Lan", followed=False)
    await onboard_on_oa(lan)
    await to_the_photos(lan, "Mất trộm gà trong chuồng")
    await lan.send_file(b"%PDF-1.4 a request letter", "don-trinh-bao.pdf")
    refused = await lan.wait_for("không phải là ảnh")
    assert "don-trinh-bao.pdf" in refused.text
    await lan.send_file(PHOTO, "IMG_2041.JPG")
    await lan.wait_for("Đã nhận ảnh 1")  # still at the photos: the refusal changed nothing
    code = await send_named(lan)
    [photo] = await store.reports.photos(int(code[3:]))
    assert await services_of(bot).media.files.read(photo.media_key or "") == PHOTO
