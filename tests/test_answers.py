"""Never silence in a private chat: outside any flow, at every step of every flow, whatever is
sent; and no answers to chatter in groups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.config import Config
from bot.context import AnninhApp
from bot.sandbox import Sandbox, SimGroup, SimUser
from bot.services.areas import load_areas, parse_areas
from bot.store import Store
from bot.text import matches
from tests import flow_steps as steps
from tests.helpers import LEADER_ID, OFFICER_ID, BotRunner, onboard

EMERGENCY = ("113", "114", "115")


async def send(person: SimUser, kind: str) -> None:
    if kind == "text":
        await person.send("abc xyz")
    elif kind == "sticker":
        await person.send_sticker()
    elif kind == "photo":
        await person.send_photo()
    else:
        await person.share_location(10.95, 107.16)


@pytest.mark.parametrize("kind", ["Có trộm vào nhà tôi, giúp với", "hello", "sticker", "photo",
                                  "location"])
@pytest.mark.usefixtures("bot")
async def test_a_resident_outside_any_flow_is_told_how_to_report(
    sandbox: Sandbox, kind: str
) -> None:
    lan = sandbox.user(4001, first_name="Lan")
    await onboard(lan)
    if kind in ("sticker", "photo", "location"):
        await send(lan, kind)
    else:
        await lan.send(kind)
    answer = await lan.wait_for("Để báo tin về an ninh")
    assert "/baotin" in answer.text and all(number in answer.text for number in EMERGENCY)


@pytest.mark.usefixtures("bot")
async def test_someone_who_never_started_gets_the_same_answer(sandbox: Sandbox) -> None:
    stranger = sandbox.user(4002, first_name="Khách")
    await stranger.send("hello")
    answer = await stranger.wait_for("/baotin")
    assert all(number in answer.text for number in EMERGENCY)


@pytest.mark.parametrize(("user_id", "command"), [(OFFICER_ID, "/thongbao"), (LEADER_ID, "/keng")])
@pytest.mark.usefixtures("bot")
async def test_leaders_and_officers_outside_any_flow_get_their_menu(
    sandbox: Sandbox, user_id: int, command: str
) -> None:
    person = sandbox.user(user_id, first_name="Cán bộ")
    await person.send("hello")
    answer = await person.wait_for("Các lệnh của bạn")
    assert command in answer.text and "/baotin" in answer.text


@pytest.mark.usefixtures("bot")
async def test_a_private_reply_to_an_ordinary_message_is_answered(sandbox: Sandbox) -> None:
    lan = sandbox.user(4003, first_name="Lan")
    await onboard(lan)
    await lan.command("trogiup")
    help_message = await lan.wait_for("Hướng dẫn")
    await lan.send("cảm ơn", reply_to=help_message)
    await lan.wait_for("Để báo tin về an ninh")


@pytest.mark.usefixtures("bot")
async def test_chatter_in_a_group_is_not_answered(
    officer: SimUser, staff_group: SimGroup
) -> None:
    await staff_group.send(officer, "Mọi người nhớ họp lúc 8h nhé")
    await staff_group.send(officer, "Có trộm vào nhà ông Tư")
    await staff_group.command(officer, "tinmo")  # the same chat's updates are handled in order
    first = await staff_group.wait_for(predicate=lambda _: True)
    assert matches(first.text, "không còn tin báo"), staff_group.transcript()


@pytest.mark.usefixtures("bot")
async def test_after_join_without_a_code_the_next_message_is_the_code(
    sandbox: Sandbox, leader: SimUser
) -> None:
    lan = sandbox.user(4004, first_name="Lan")
    await steps.ask_join_code(lan)
    await lan.send_sticker()
    await lan.wait_for("Gõ mã tổ")
    await lan.send("hn01")
    await lan.wait_for("Đã gửi yêu cầu tham gia")
    await leader.wait_for("xin tham gia")
    await lan.send("HN01")  # the flow is over: not a second request
    await lan.wait_for("Để báo tin về an ninh")


@pytest.mark.usefixtures("bot")
async def test_the_groups_and_done_can_be_typed_at_the_tags_step(sandbox: Sandbox) -> None:
    hoa = sandbox.user(4005, first_name="Hoa")
    await steps.choosing_tags(hoa)
    await hoa.send("thanh nien")
    toggled = await hoa.wait_for("Bạn có thuộc nhóm nào")
    assert "✓ Thanh niên" in toggled.labels
    await hoa.send("xong")
    await hoa.wait_for("Cảm ơn bạn")


@dataclass(frozen=True)
class Step:
    """A flow left open at one step by `role`; what the bot says to an input it cannot use
    there, and one of the choices the answer must offer again (None: no buttons at that step)."""

    role: str
    open: Callable[[SimUser], Awaitable[None]]
    says: str
    offers: str | None
    kinds: tuple[str, ...] = ("text", "sticker", "photo", "location")


STEPS = {
    "onboarding-consent": Step("new", steps.start_onboarding, "bấm Đồng ý", "Đồng ý"),
    "onboarding-hamlet": Step("new", steps.consent, "Bạn ở ấp/khu phố nào", "Ấp Hưng Nhơn"),
    "onboarding-tags": Step("new", steps.choosing_tags, "Bạn có thuộc nhóm nào", "Xong"),
    "join-code": Step("resident", steps.ask_join_code, "Gõ mã tổ", None,
                      ("sticker", "photo", "location")),
    "report-category": Step("resident", steps.report_at_category, "chọn loại sự việc",
                            "Trộm cắp"),
    # (a photo at these steps is kept as the report's: tests/test_report_photos.py)
    "report-description": Step("resident", steps.report_at_description, "gõ nội dung bằng chữ",
                               None, ("sticker", "location")),
    "report-location": Step("resident", steps.report_at_location, "gửi vị trí, gõ địa chỉ", None,
                            ("sticker",)),
    "report-photos": Step("resident", steps.report_at_photos, "Vui lòng gửi ảnh", "Xong",
                          ("text", "sticker", "location")),
    "report-identity": Step("resident", steps.report_at_identity, "bấm một nút", "Ẩn danh"),
    "report-confirm": Step("resident", steps.report_at_confirm, "bấm một nút", "Gửi"),
    "myreports-addition": Step("resident", steps.adding_to_a_report, "gõ chữ hoặc gửi một ảnh",
                               None, ("sticker", "location")),
    "settings-phone": Step("resident", steps.asking_the_phone, "bấm nút Gửi số điện thoại", None),
    "alarm-scope": Step("officer", steps.choosing_the_gong_scope, "Đánh kẻng an ninh cho ai",
                        "Ấp Hưng Nhơn"),
    "alarm-kind": Step("leader", steps.choosing_the_gong_kind, "Việc gì", "Trộm"),
    "alarm-confirm": Step("leader", steps.confirming_the_gong, "Sẵn sàng thì bấm", "Phát kẻng",
                          ("sticker", "photo")),
    "announce-audience": Step("officer", steps.choosing_the_audience, "Gửi tới ai", "Toàn xã"),
    "announce-confirm": Step("officer", steps.previewing_the_announcement, "bấm một nút",
                             "Gửi ngay"),
    "announce-when": Step("officer", steps.timing_the_announcement, "Gửi lúc nào", "Sau 1 giờ",
                          ("sticker", "photo", "location")),
    "new-team-hamlet": Step("officer", steps.choosing_the_team_hamlet, "Tạo tổ mới",
                            "Ấp Hưng Nhơn"),
    "new-team-kind": Step("officer", steps.choosing_the_team_kind, "mô hình nào",
                          "Tổ an ninh nhân dân"),
    "new-team-name": Step("officer", steps.naming_a_new_team, "ít nhất 3 ký tự", None,
                          ("sticker", "photo", "location")),
}
CASES = [(name, kind) for name, step in STEPS.items() for kind in step.kinds]


@pytest.mark.parametrize(("step_name", "kind"), CASES)
@pytest.mark.usefixtures("bot")
async def test_every_step_answers_what_it_cannot_use_and_offers_its_choices_again(
    sandbox: Sandbox, step_name: str, kind: str
) -> None:
    step = STEPS[step_name]
    user_id = {"new": 4101, "resident": 4102, "leader": LEADER_ID, "officer": OFFICER_ID}
    person = sandbox.user(user_id[step.role], first_name="Người")
    await step.open(person)
    await send(person, kind)
    answer = await person.wait_for(step.says)
    if step.offers is not None:
        assert any(matches(label, step.offers) for label in answer.labels), person.transcript()
        await person.press(step.offers)  # the flow goes on from the offered choice
        await person.wait_for(predicate=lambda message: not matches(message.text, step.says))


SECOND_COMMUNE = f"""
[[commune]]
code = "xuan-loc"
name = "Xã Xuân Lộc"
officers = [{OFFICER_ID}]

[[commune.hamlet]]
code = "xuan-hoa"
name = "Ấp Xuân Hòa"
"""


@pytest.fixture
async def two_communes(
    tmp_path: Path, config: Config, store: Store, runner: BotRunner
) -> AnninhApp:
    """The sample commune and a second one, with the sample's officer in both."""
    areas = tmp_path / "second.toml"
    areas.write_text(SECOND_COMMUNE, encoding="utf-8")
    await load_areas(store, parse_areas(areas, Catalog.load(config.content.folder)), "test")
    return await runner.start()


@pytest.mark.parametrize("kind", ["text", "sticker", "photo", "location"])
@pytest.mark.usefixtures("two_communes")
async def test_the_commune_steps_answer_too(sandbox: Sandbox, kind: str) -> None:
    lan = sandbox.user(4301, first_name="Lan")
    await steps.start_onboarding(lan)
    await lan.press("Đồng ý")
    await lan.wait_for("xã/phường nào")
    await send(lan, kind)
    answer = await lan.wait_for("xã/phường nào")
    assert "Xã Xuân Lộc" in answer.labels
    await lan.press("Xã Xuân Lộc")
    await lan.wait_for("ấp/khu phố nào của Xã Xuân Lộc")

    officer = sandbox.user(OFFICER_ID, first_name="Cán bộ")
    await officer.command("taoto")
    await officer.wait_for("Tạo tổ ở xã/phường nào")
    await send(officer, kind)
    answer = await officer.wait_for("Tạo tổ ở xã/phường nào")
    assert "Xã Xuân Lộc" in answer.labels
    await officer.press("Xã Xuân Lộc")
    await officer.wait_for("Tạo tổ mới ở ấp/khu phố nào")
