"""Officers and residents on different messengers, one story for each pairing: a resident on
Zalo and the officer in the Telegram staff group, and a resident on Telegram and the officer on
Zalo. The officers of both channels get the report; one acts; the reporter is told on their own
channel; the other officer's late action is refused, so the action is taken once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.sandbox import SimGroup, SimUser
from bot.sandbox.zalo import SimZaloUser, ZaloSandbox
from bot.store import Store
from tests.people import Channel, People
from tests.test_resident_stories import file_report
from tests.test_zalo_triage import zalo_staff

pytestmark = pytest.mark.usefixtures("bot")

PAIRS = pytest.mark.parametrize(
    ("channel", "officer_on"), [("zalo", "telegram"), ("telegram", "zalo")],
    ids=["zalo-resident-telegram-officer", "telegram-resident-zalo-officer"])


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config


class Desk:
    """An officer acting on report cards: in the Telegram staff group (a press by officer
    1001), or privately on Zalo (a typed number)."""

    def __init__(self, officer: SimUser | SimZaloUser, group: SimGroup) -> None:
        self.officer, self.group = officer, group

    @property
    def name(self) -> str:
        return self.officer.name

    async def card(self, code: str) -> str:
        if isinstance(self.officer, SimUser):
            return (await self.group.wait_for(code)).text
        return (await self.officer.wait_for(code)).text

    async def act(self, label: str) -> None:
        if isinstance(self.officer, SimUser):
            await self.officer.press(label, chat=self.group)
        else:
            await self.officer.choose(label)

    async def sees(self, text: str) -> str:
        """The card's new state: the group's card edited, or a short message on Zalo."""
        if isinstance(self.officer, SimUser):
            return (await self.group.wait_for(text)).text
        return (await self.officer.wait_for(text)).text

    async def reject(self, reason: str) -> None:
        await self.act("Từ chối")
        if isinstance(self.officer, SimUser):
            await self.group.wait_for(predicate=lambda m: reason in m.labels)
        else:
            await self.officer.wait_for("Vì sao từ chối")
        await self.act(reason)

    async def accept_too_late(self, code: str) -> str:
        """"Tiếp nhận" from a card that has not caught up yet: the refusal."""
        if isinstance(self.officer, SimUser):  # a press that left before the card was edited
            query = await self.officer.press_data(f"tr:acc:{code[3:]}", chat=self.group)
            return (await self.officer.answer_for(query)).text or ""
        await self.officer.send("tiếp nhận")
        return (await self.officer.wait_for("trạng thái khác")).text


@pytest.fixture
async def desks(
    zalo: ZaloSandbox, store: Store, config: Config, tmp_path: Path, officer: SimUser,
    staff_group: SimGroup,
) -> dict[Channel, Desk]:
    """The commune's officers on each channel: Hùng (1001) in the Telegram staff group, and
    "Cán bộ Zalo 1" on Zalo."""
    (hai,) = await zalo_staff(zalo, store, config, tmp_path)
    return {"telegram": Desk(officer, staff_group), "zalo": Desk(hai, staff_group)}


@PAIRS
async def test_an_accepted_report_is_told_on_the_reporters_channel_and_taken_once(
    people: People, desks: dict[Channel, Desk], officer_on: Channel, store: Store,
) -> None:
    desk = desks[officer_on]
    other = desks["zalo" if officer_on == "telegram" else "telegram"]
    lan = people(3701, "Lan")
    await lan.onboard()
    code = await file_report(lan, anonymous=True)
    card = await desk.card(code)
    assert "ẩn danh" in card and "Lan" not in card
    await other.card(code)

    await desk.act("Tiếp nhận")
    told = await lan.wait_for("đã được công an xã tiếp nhận")
    assert code in told.text and "<b>" not in told.text
    assert code in await desk.sees(f"Đã tiếp nhận — {desk.name}")
    refusal = await other.accept_too_late(code)
    assert "trạng thái khác" in refusal and "đã tiếp nhận" in refusal
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "accepted" and report.anonymous
    assert [e.action for e in await store.audit.entries("report", report.id)] == [
        "report.submitted", "report.accept"]
    assert sum("tiếp nhận" in m.text for m in lan.inbox if code in m.text) == 1


@PAIRS
async def test_a_rejection_with_a_reason_reaches_the_reporter_on_their_channel(
    people: People, desks: dict[Channel, Desk], officer_on: Channel, store: Store,
    staff_group: SimGroup,
) -> None:
    desk = desks[officer_on]
    minh = people(3702, "Minh")
    await minh.onboard()
    code = await file_report(minh, anonymous=False)
    await desk.card(code)
    await desk.reject("Trùng tin đã báo")
    told = await minh.wait_for("không được tiếp nhận")
    assert code in told.text and "Lý do: Trùng tin đã báo" in told.text
    card = await staff_group.wait_for(f"Đã từ chối — {desk.name}")  # whoever acted
    assert "Lý do: Trùng tin đã báo" in card.text and "🔄 Mở lại" in card.labels
    report = await store.reports.get(int(code[3:]))
    assert report is not None and report.state == "rejected"
    assert report.state_note == "Trùng tin đã báo"
