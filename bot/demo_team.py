"""`anninh demo` scenes of team life and thi đua: a patrol planned, checked in and confirmed
(the member's points), and an officer's "Khen" for a resolved report."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.context import Services

if TYPE_CHECKING:
    from bot.demo import OfflineBot


async def patrol_checked_in_and_confirmed(offline: OfflineBot) -> None:
    """Bình plans a shift that has just begun (the demo runs on the real clock); Lan presses
    "Bắt đầu", says where she starts, finishes; Bình confirms her in "Ai đã đi tuần"."""
    services: Services = offline.app.bot_data["services"]
    starts = services.clock.now().astimezone(services.patrols.tz) - timedelta(minutes=5)
    ends = starts + timedelta(hours=2)
    binh, lan = offline.telegram.user(2001), offline.telegram.user(3001)
    await binh.command("tuantra")
    await binh.wait_for("Lịch tuần tra của")
    await binh.press("Lên lịch ca")
    await binh.wait_for("Gõ ngày và giờ đi")
    await binh.send(f"{starts:%d/%m %H:%M}-{ends:%H:%M}")
    await binh.wait_for("chỉ một lần")
    await binh.press("Chỉ một lần")
    await binh.wait_for("Ai đi ca")
    await binh.press("Cả tổ")
    await binh.wait_for("Gõ lộ trình")
    await binh.send("Đường liên ấp → chợ Dốc Mơ")
    await binh.wait_for("Lưu và báo")
    await binh.press("Lưu")
    await binh.wait_for("Đã lên lịch tuần tra")
    await lan.wait_for("Ca tuần tra mới")
    await lan.press("Bắt đầu")
    await lan.wait_for("Bạn bắt đầu ở đâu")
    await lan.wait_for("Nút gửi vị trí")  # the share-location keyboard (or type the place)
    await lan.send("cổng chợ Dốc Mơ")
    await lan.wait_for("Khi xong, bấm Kết thúc")
    await lan.press("Kết thúc")
    await lan.wait_for("kết thúc ca")
    await lan.send("Khóa cổng chợ chưa chắc, đã báo ban quản lý chợ.")
    await lan.wait_for("Đã lưu ghi chú")
    await binh.command("tuantra")
    await binh.wait_for("Lịch tuần tra của")
    await binh.press("Ai đã đi tuần")
    await binh.wait_for("Các ca tuần tra gần đây")
    await binh.wait_for("Xác nhận ai đã đi tuần")
    await binh.press("Lan")
    await lan.wait_for("Tổ trưởng đã xác nhận bạn đi ca tuần tra")
    await lan.command("diem")
    await lan.wait_for("Đi tuần tra (tổ trưởng xác nhận)")


async def officer_commends_a_reporter(offline: OfflineBot) -> None:
    """Officer Hùng looks up Minh's anonymous report, marks it resolved and thanks the
    reporter ("Khen") without learning who it is; Minh is thanked and earns the points."""
    hung, minh = offline.telegram.user(1001), offline.telegram.user(3002)
    filed = next(m for m in minh.inbox if "Mã tin của bạn" in m.text)
    code = filed.text.split("Mã tin của bạn: ")[1].split()[0].rstrip(".")
    await hung.command("tin", code)
    await hung.wait_for(code)
    await hung.press("Đã xử lý")
    await hung.wait_for("Kết quả thế nào")
    await hung.press("Khen người báo tin")
    await minh.wait_for("Công an xã cảm ơn bạn")
    await minh.command("diem")
    await minh.wait_for("Công an xã khen tin")
