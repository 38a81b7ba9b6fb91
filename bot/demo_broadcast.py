"""`anninh demo` scenes for the loudspeaker: an officer's announcement, a campaign slot."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.context import Services
from bot.delivery import QuietHours
from bot.scheduler import slots_between

if TYPE_CHECKING:
    from bot.demo import OfflineBot

CAMPAIGN = "lua-dao-qua-dien-thoai"  # no validity window: it has a slot every week


async def officer_announces(offline: OfflineBot) -> None:
    sandbox = offline.telegram
    hung = sandbox.user(1001, first_name="Cán bộ Hùng")
    lan, binh = sandbox.user(3001), sandbox.user(2001)
    await hung.command("thongbao")
    await hung.wait_for("Soạn thông báo")
    await hung.send("Tối nay 19:00 họp dân tại nhà văn hóa ấp Dốc Mơ về an ninh dịp Tết.")
    await hung.wait_for("Gửi tới ai")
    await hung.press("Toàn xã")
    await hung.wait_for("Sẽ gửi tới")
    await hung.press("Gửi ngay")
    await lan.wait_for("họp dân")
    await binh.wait_for("họp dân")
    await hung.wait_for("đã gửi xong", timeout=15)


async def campaign_goes_out(offline: OfflineBot) -> None:
    services: Services = offline.app.bot_data["services"]
    campaign = next(c for c in services.scheduler.campaigns() if c.id == CAMPAIGN)
    now = services.clock.now()
    slot = slots_between(campaign.schedule, now, now + timedelta(days=8), services.config)[0]
    # The demo plays the slot now rather than waiting for it, so night-time quiet hours
    # (which hold propaganda until morning) are off for this scene only.
    services.delivery.quiet = QuietHours("", services.config.locale.tz)
    result = await services.scheduler.tick(slot)
    assert any(source == campaign.source for source, _ in result.sent), result
    lan = offline.telegram.user(3001)
    await lan.wait_for("Lừa đảo qua điện thoại", timeout=15)
    await lan.wait_for("tự xưng công an", timeout=15)  # the quiz
    await lan.command("lichphat")  # a resident cannot manage campaigns
    await lan.wait_for("Chỉ cán bộ")
