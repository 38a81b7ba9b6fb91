"""Photos in a report through the real bot: captions, a photo as the description, albums past
[reports] max_photos, and "Bổ sung" photos counted against the same limit."""

from __future__ import annotations

import pytest

from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.store import Store
from tests.helpers import onboard
from tests.test_report import file_report, start_report

pytestmark = pytest.mark.usefixtures("bot")

MAX = 3


@pytest.fixture
def config_extra() -> str:
    return (f"[reports]\nmax_photos = {MAX}\nmax_text_length = 120\n"  # group paced fast:
            "[broadcast]\ngroup_per_minute = 1000\nper_chat_seconds = 0.05\n")  # see test_relays


@pytest.fixture
async def lan(sandbox: Sandbox) -> SimUser:
    person = sandbox.user(3201, first_name="Lan")
    await onboard(person)
    return person


async def to_the_photos(person: SimUser, text: str = "Mất xe đạp trước cổng trường") -> None:
    await start_report(person)
    await person.send(text)
    await person.wait_for("ở đâu")
    await person.press("Bỏ qua")
    await person.wait_for("Bạn có ảnh không")


async def send_it(person: SimUser, *, press_done: bool = True) -> tuple[str, str]:
    """From the photo step (or the identity question, already read): the summary's text and
    the tracking code."""
    if press_done:
        await person.press("Xong")
        await person.wait_for("Bạn muốn gửi tin thế nào")
    await person.press("Ẩn danh")
    summary = await person.wait_for("Kiểm tra lại tin báo")
    await person.press("Gửi")
    sent = await person.wait_for("Đã gửi tin báo")
    return summary.text, next(w for w in sent.text.split() if w.startswith("TB-"))


async def report_of(store: Store, code: str) -> tuple[str, int]:
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    return report.description, len(await store.reports.photos(report.id))


async def test_a_photos_caption_joins_the_description_and_reaches_the_card(
    lan: SimUser, store: Store, staff_group: SimGroup
) -> None:
    await to_the_photos(lan)
    await lan.send_photo("Biển số 60B1-12345")
    await lan.wait_for("Đã nhận ảnh 1/3")
    summary, code = await send_it(lan)
    assert "Mất xe đạp trước cổng trường\n📷 Biển số 60B1-12345" in summary
    card = await staff_group.wait_for(code)
    assert "📷 Biển số 60B1-12345" in card.text
    assert await report_of(store, code) == (
        "Mất xe đạp trước cổng trường\n📷 Biển số 60B1-12345", 1)


async def test_a_caption_that_does_not_fit_is_announced_and_the_photo_kept(
    lan: SimUser, store: Store
) -> None:
    await to_the_photos(lan, "x" * 100)
    await lan.send_photo("Chú thích rất dài về chiếc xe bị mất")
    await lan.wait_for("chưa thêm được chú thích")
    await lan.wait_for("Đã nhận ảnh 1/3")
    _, code = await send_it(lan)
    assert await report_of(store, code) == ("x" * 100, 1)


async def test_a_photo_with_a_caption_at_the_description_step_is_both(
    lan: SimUser, store: Store
) -> None:
    """The caption is what happened, the photo the first photo: nothing is thrown away."""
    await start_report(lan)
    await lan.send_photo("Trộm cạy cửa nhà số 5 lúc 2 giờ sáng")
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    summary, code = await send_it(lan)
    assert "Nội dung: Trộm cạy cửa nhà số 5" in summary and "Ảnh: 1" in summary
    assert await report_of(store, code) == ("Trộm cạy cửa nhà số 5 lúc 2 giờ sáng", 1)


async def test_a_photo_without_a_caption_at_the_description_step_is_kept_and_text_asked(
    lan: SimUser, store: Store
) -> None:
    await start_report(lan)
    await lan.send_photo()
    await lan.wait_for("Đã giữ ảnh. Giờ hãy gõ vài dòng")
    await lan.send("Có người lạ trèo tường")
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    _, code = await send_it(lan)
    assert await report_of(store, code) == ("Có người lạ trèo tường", 1)


async def test_an_album_as_the_description_keeps_every_photo(
    lan: SimUser, store: Store
) -> None:
    """Its later photos arrive once the flow already asks where: they are the album's."""
    await start_report(lan)
    await lan.send_album(2, "Hai thanh niên phá khóa xe")
    await lan.wait_for("ở đâu")
    await lan.press("Bỏ qua")
    await lan.wait_for("Bạn có ảnh không")
    summary, code = await send_it(lan)
    assert "Ảnh: 2" in summary
    assert await report_of(store, code) == ("Hai thanh niên phá khóa xe", 2)
    assert not any("Vui lòng gửi vị trí" in m.text for m in lan.inbox)


async def test_an_album_past_the_limit_says_how_many_were_kept(
    lan: SimUser, store: Store
) -> None:
    await to_the_photos(lan)
    await lan.send_album(5)
    await lan.wait_for("Bạn muốn gửi tin thế nào")  # the third photo was the last one kept
    told = await lan.wait_for("tối đa 3 ảnh")
    assert "đã giữ 3 ảnh" in told.text
    summary, code = await send_it(lan, press_done=False)
    assert "Ảnh: 3" in summary
    assert sum("đã giữ 3 ảnh" in m.text for m in lan.inbox) == 1  # once for the album
    assert (await report_of(store, code))[1] == MAX


async def add_photo(person: SimUser, code: str) -> None:
    """/tindabao → "Bổ sung" → a photo."""
    await person.command("tindabao")
    await person.wait_for(code)
    await person.press(f"Bổ sung {code}")
    await person.wait_for("Gõ thông tin bổ sung hoặc gửi ảnh")
    await person.send_photo()


async def test_bo_sung_photos_count_against_the_reports_limit(
    lan: SimUser, store: Store, staff_group: SimGroup
) -> None:
    """"Bổ sung" may bring the report to max_photos, not past it: the resident is told, and
    may still type text (the step stays)."""
    code = await file_report(lan, photos=2)
    await staff_group.wait_for(code)
    await add_photo(lan, code)
    await lan.wait_for("Đã gửi thông tin bổ sung")
    await add_photo(lan, code)
    refused = await lan.wait_for("không thêm ảnh được nữa")
    assert "đã có đủ 3 ảnh" in refused.text
    await lan.send("Xe màu đỏ, có dán tem")
    await lan.wait_for("Đã gửi thông tin bổ sung")
    await staff_group.wait_for("Xe màu đỏ")
    report = await store.reports.get(int(code[3:]))
    assert report is not None
    assert len(await store.reports.photos(report.id)) == MAX


async def test_a_reply_with_a_photo_counts_against_the_reports_limit(
    lan: SimUser, store: Store, staff_group: SimGroup, officer: SimUser
) -> None:
    """The reporter's photos in replies about the report count too; past the limit the photo
    is not passed on, and the reporter is told."""
    code = await file_report(lan, photos=1)
    card = await staff_group.wait_for(code)
    await add_photo(lan, code)
    await lan.wait_for("Đã gửi thông tin bổ sung")
    await staff_group.send(officer, "Chị gửi thêm ảnh mặt trước nhà nhé", reply_to=card)
    relayed = await lan.wait_for("mặt trước nhà")
    await lan.send_photo(reply_to=relayed)
    await lan.wait_for("Đã chuyển cho công an xã")  # the third photo: within the limit
    await lan.send_photo(reply_to=relayed)
    refused = await lan.wait_for("đã có đủ 3 ảnh")
    assert "không được chuyển" in refused.text
    await lan.send("Ảnh trước đó là mặt trước nhà", reply_to=relayed)
    await staff_group.wait_for("Ảnh trước đó là mặt trước nhà")  # text still goes through
    report = await store.reports.get(int(code[3:]))
    assert report is not None and await store.reports.photo_count(report.id) == MAX
    assert sum(m.kind == "photo" for m in staff_group.inbox) == MAX
