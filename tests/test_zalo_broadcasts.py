"""The loudspeaker on Zalo: a campaign's quiz is answered by number where there are no polls
(a right first answer earns the quiz's points).
(An officer's announcement reaching residents: tests/test_resident_stories.py, on both
channels.)"""

from __future__ import annotations

import pytest

from bot.context import AnninhApp
from bot.delivery import OutMessage, Quiz
from bot.models import Recipient
from bot.sandbox.zalo import ZaloSandbox
from bot.store import Store
from tests.helpers import onboard_on_zalo, services_of


@pytest.fixture
def config_extra(zalo_config: str) -> str:
    return zalo_config + '\n[broadcast]\nquiet_hours = ""\n'


async def test_a_campaign_quiz_is_answered_by_number_on_zalo(
    zalo: ZaloSandbox, store: Store, bot: AnninhApp,
) -> None:
    an = zalo.user(32, "An")
    await onboard_on_zalo(an)
    account = await store.accounts.get("zalo", an.id)
    assert account is not None
    quiz = Quiz("Công an gọi điện yêu cầu chuyển tiền để xác minh: đúng hay sai?",
                ("Đúng", "Sai, đó là lừa đảo"), 1, "Công an không bao giờ yêu cầu chuyển tiền.")
    await services_of(bot).delivery.enqueue(
        "propaganda", OutMessage(quiz=quiz), [Recipient.account(account.resident_id, "zalo",
                                                                an.id)],
        commune_id=None, origin="campaign:canh-giac-lua-dao")
    asked = await an.wait_for("xác minh", timeout=10)
    assert asked.labels == ["Đúng", "Sai, đó là lừa đảo"]
    await an.send("2")
    right = await an.wait_for("Đúng rồi")
    assert "không bao giờ yêu cầu chuyển tiền" in right.text
    await an.send("1")  # a second answer is not recorded
    await an.wait_for("đầu tiên của bạn đã được ghi nhận")
    answers = await store.schedules.answers("canh-giac-lua-dao")
    assert [(option, correct) for _, option, correct in answers] == [(1, True)]
    await an.send("diem")  # the first answer was right: the quiz's points, once
    mine = await an.wait_for("Điểm thi đua của bạn")
    assert "+2 — Trả lời đúng câu đố tuyên truyền" in mine.text and "Tất cả: 2" in mine.text
