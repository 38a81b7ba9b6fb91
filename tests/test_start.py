"""Onboarding on Telegram: declining, text instead of a press, English, restart mid-way, help.
(Consent, hamlet and groups stored: tests/test_resident_stories.py, on both channels.)"""

from __future__ import annotations

from bot.context import AnninhApp
from bot.sandbox import Sandbox
from bot.store import Store
from tests.helpers import LEADER_ID, OFFICER_ID, BotRunner, onboard


async def test_declining_keeps_only_the_telegram_id(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    minh = sandbox.user(3002, first_name="Minh")
    await minh.command("start")
    await minh.wait_for("Nghị định 13/2023")
    await minh.press("Từ chối")
    await minh.wait_for("Bạn đã từ chối")
    resident = await store.residents.by_telegram_id(3002)
    assert resident is not None
    assert resident.consent == "declined"
    assert (resident.display_name, resident.commune_id, resident.hamlet_id, resident.phone) == (
        None, None, None, None)

    await minh.command("to")
    await minh.wait_for("cần đồng ý điều khoản")


async def test_text_instead_of_a_press_is_answered_and_consent_still_waits(
    sandbox: Sandbox, bot: AnninhApp
) -> None:
    hoa = sandbox.user(3003, first_name="Hoa")
    await hoa.command("start")
    consent = await hoa.wait_for("Nghị định 13/2023")
    assert consent.buttons[0] == ["✅ Đồng ý", "Từ chối"]  # one row (the rest of onboarding:
    # tests/test_resident_stories.py, on both channels)
    await hoa.send_sticker()
    await hoa.wait_for("bấm Đồng ý hoặc Từ chối")
    await hoa.press("Đồng ý")
    await hoa.wait_for("ấp")


async def test_english_consent_and_answers(sandbox: Sandbox, bot: AnninhApp, store: Store) -> None:
    john = sandbox.user(3004, first_name="John", language_code="en")
    await john.command("start")
    await john.wait_for("not an emergency line")
    await john.wait_for("Consent")
    await john.press("Tiếng Việt")
    await john.wait_for("Chào mừng bạn")  # the welcome, too, in the language chosen
    await john.wait_for("Đồng ý xử lý dữ liệu")
    await john.press("English")
    await john.wait_for("Welcome to An Ninh")
    await john.wait_for("Do you agree")
    await john.press("I agree")
    await john.wait_for("Which hamlet")


async def test_restart_in_the_middle_of_onboarding_resumes_there(
    sandbox: Sandbox, runner: BotRunner, store: Store
) -> None:
    await runner.start()
    lan = sandbox.user(3005, first_name="Lan")
    await lan.command("start")
    await lan.wait_for("Nghị định 13/2023")
    await lan.press("Đồng ý")
    await lan.wait_for("ấp")
    await runner.stop()

    await runner.start()
    await lan.send("Dầu Giây")  # still at the hamlet step
    await lan.wait_for("nhóm")
    await lan.press("Xong")
    await lan.wait_for("Cảm ơn bạn")
    resident = await store.residents.by_telegram_id(3005)
    assert resident is not None and resident.hamlet_id is not None


async def test_help_lists_officer_commands_only_for_officers(
    sandbox: Sandbox, bot: AnninhApp
) -> None:
    officer = sandbox.user(1001, first_name="Hùng")
    await officer.command("trogiup")
    assert "/thongbao" in (await officer.wait_for("Hướng dẫn")).text
    lan = sandbox.user(3006, first_name="Lan")
    await onboard(lan)
    await lan.command("help")
    assert "/thongbao" not in (await lan.wait_for("Hướng dẫn")).text


async def test_writing_to_the_bot_privately_records_that_the_person_opened_it(
    sandbox: Sandbox, bot: AnninhApp, store: Store
) -> None:
    """The areas file creates leaders and officers the bot cannot write to yet; their first
    private message (any, even before consent) says it can. A group message does not."""
    leader = await store.residents.by_telegram_id(2001)
    officer = await store.residents.by_telegram_id(1001)
    assert leader is not None and leader.opened_at is None
    assert officer is not None and officer.opened_at is None
    hung = sandbox.user(1001, first_name="Hùng")
    group = sandbox.group(-1001000000001, "Công an xã", members=[hung])
    await group.command(hung, "tinmo")  # an officer command that belongs in the staff group
    await group.wait_for("không còn tin báo nào")
    officer = await store.residents.by_telegram_id(1001)
    assert officer is not None and officer.opened_at is None

    binh = sandbox.user(2001, first_name="Bình")
    await binh.command("start")
    await binh.wait_for("Đồng ý xử lý dữ liệu")
    leader = await store.residents.by_telegram_id(2001)
    assert leader is not None and leader.opened_at is not None


async def test_a_leader_and_an_officer_end_onboarding_with_their_own_first_steps(
    sandbox: Sandbox, bot: AnninhApp
) -> None:
    """The areas file made them leader and officer: no hint to join a team with a code."""
    leader = sandbox.user(LEADER_ID, first_name="Tư")
    await onboard(leader)
    done = leader.inbox[-1]
    assert "tổ trưởng Tổ an ninh nhân dân số 1" in done.text and "/keng" in done.text
    assert "/thamgia" not in done.text
    officer = sandbox.user(OFFICER_ID, first_name="Bình")
    await onboard(officer)
    done = officer.inbox[-1]
    assert "cán bộ công an xã" in done.text and "/tinmo" in done.text
    assert "/thamgia" not in done.text
