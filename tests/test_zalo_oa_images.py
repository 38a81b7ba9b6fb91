"""Photos larger than Zalo's 1 MB for an upload are re-compressed to fit (Pillow), unit and
through the real bot and the OA emulator."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest
from PIL import Image

from bot.channels.zalo_oa.images import fit_image
from bot.channels.zalo_oa.sender import IMAGE_LIMIT
from bot.clock import FakeClock
from bot.context import AnninhApp
from bot.delivery import OutMessage
from bot.sandbox.zalo_oa import OaSandbox
from bot.store import Store
from tests.helpers import services_of
from tests.oa_kit import follower, oa_section
from tests.test_zalo_oa_channel import connected, oa  # noqa: F401 - fixtures


@pytest.fixture
def config_extra(oa: OaSandbox, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    return oa_section(oa, monkeypatch)


def noisy_png(side: int = 1200, alpha: bool = False) -> bytes:
    """A photo-like image that compresses badly: well over 1 MB as PNG."""
    rng = random.Random(7)
    mode = "RGBA" if alpha else "RGB"
    image = Image.frombytes(mode, (side, side), rng.randbytes(side * side * len(mode)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_a_large_photo_becomes_a_jpeg_under_the_limit() -> None:
    for alpha in (False, True):
        data = noisy_png(alpha=alpha)
        assert len(data) > IMAGE_LIMIT
        fitted = fit_image(data, IMAGE_LIMIT)
        assert fitted is not None and len(fitted) <= IMAGE_LIMIT
        with Image.open(io.BytesIO(fitted)) as image:
            assert image.format == "JPEG" and image.mode == "RGB"


def test_a_small_photo_is_left_alone_and_a_non_image_is_refused() -> None:
    small = b"\x89PNG small enough"
    assert fit_image(small, IMAGE_LIMIT) is small
    assert fit_image(b"\x00" * (IMAGE_LIMIT + 1), IMAGE_LIMIT) is None


async def test_an_announcement_s_large_photo_reaches_the_follower_re_compressed(
    connected: OaSandbox, store: Store, clock: FakeClock, bot: AnninhApp,  # noqa: F811
    tmp_path: Path,
) -> None:
    photo = tmp_path / "camera.png"
    photo.write_bytes(noisy_png())
    fresh, to_fresh = await follower(connected, bot, clock, 61, 2)
    delivery = services_of(bot).delivery
    broadcast_id = await delivery.enqueue(
        "announcement", OutMessage(text="Ảnh hiện trường vụ cháy.", photo_path=str(photo)),
        [to_fresh], commune_id=None, origin="test")
    await delivery.wait_done(broadcast_id, timeout=20)
    await fresh.wait_for("hiện trường")
    [(uploaded, _)] = connected.world.attachments.values()
    assert len(uploaded) <= IMAGE_LIMIT and uploaded.startswith(b"\xff\xd8")
    [sent] = await store.outbox.deliveries(broadcast_id)
    assert sent.state == "sent" and sent.last_error is None  # nothing left out
