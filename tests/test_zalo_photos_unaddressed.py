"""Without `[web] public_url` a photo cannot reach Zalo (its Bot Platform takes photos only by
URL): the caption still goes, the delivery records why, and whoever runs the server is told —
`anninh run` logs it at start (and `anninh doctor` says it: tests/test_doctor.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.channels.zalo_bot.sender import NO_LOCAL_PHOTO
from bot.config import Config
from bot.sandbox import Sandbox, SimGroup
from bot.sandbox.zalo import ZaloSandbox
from bot.store import Store
from tests.helpers import BotRunner, services_of
from tests.test_triage import _reported
from tests.test_zalo_triage import zalo_staff


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


async def test_a_report_s_photos_reach_a_zalo_officer_as_captions_and_the_reason_is_kept(
    sandbox: Sandbox, zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path,
    staff_group: SimGroup, runner: BotRunner, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        bot = await runner.start()
    assert any("public_url is not set" in record.getMessage() for record in caplog.records)
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    _, code = await _reported(sandbox, staff_group, 3621, photos=1)
    caption = await hai.wait_for(f"Ảnh 1/1 của tin {code}")
    assert caption.kind == "text" and caption.photo_url is None
    await services_of(bot).delivery.ledger.flush()
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    (photos,) = await store.broadcasts.by_origin(f"card-photo:{report.id}")
    (delivery,) = await store.outbox.deliveries(photos.id)
    assert (delivery.state, delivery.last_error) == ("sent", NO_LOCAL_PHOTO)
