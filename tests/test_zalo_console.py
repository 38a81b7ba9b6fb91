"""The terminal chat as a Zalo resident: what each typed line sends, and how the bot's messages
are shown (the bot is played by hand here; tests/test_demo.py runs the real one)."""

from __future__ import annotations

import io

from bot.sandbox.zalo import ZaloEvent, ZaloSandbox, zalo_id
from bot.sandbox.zalo.console import run_zalo_console
from bot.sandbox.zalo.views import ZaloTranscript, split_choices


async def test_lines_go_to_the_bot_as_a_zalo_user_sends_them() -> None:
    out = io.StringIO()
    async with ZaloSandbox() as zalo:
        lines = iter(["xin chào", "2", "/photo biển số 60B1", "/sticker", "/as 4001 Chị Hoa",
                      "/who", "hủy", "/as nobody", "/quit", "never read"])

        async def script(prompt: str) -> str:
            line = next(lines)
            if line == "2":  # the bot asks before the person answers
                await zalo.call("sendMessage", chat_id=zalo_id(3001),
                                text="Bạn có đồng ý không?\n\n1. ✅ Đồng ý\n2. Từ chối")
            return line

        await run_zalo_console(zalo, {3001: "Lan"}, input_fn=script, output=out)
        updates = list(zalo.world.updates)
    shown = out.getvalue()
    assert "bot: Bạn có đồng ý không?\n  1. ✅ Đồng ý   2. Từ chối\n" in shown
    assert "now chatting as Chị Hoa (4001)" in shown and " * 4001 Chị Hoa" in shown
    assert "usage: /as USER_ID [NAME]" in shown
    sent = [(u["message"]["from"]["id"], u["event_name"].split(".")[1],
             u["message"].get("text") or u["message"].get("caption")) for u in updates]
    lan, hoa = zalo_id(3001), zalo_id(4001)
    assert sent == [
        (lan, "text", "xin chào"),
        (lan, "text", "2"),  # a number is text on Zalo: no button to press
        (lan, "image", "biển số 60B1"),
        (lan, "sticker", None),
        (hoa, "text", "hủy"),
    ]


def test_a_bot_text_splits_into_its_body_and_trailing_numbered_choices() -> None:
    text = "Chọn:\n\n1. Trộm cắp\n2. Khác"
    assert split_choices(text) == ("Chọn:", [(1, "Trộm cắp"), (2, "Khác")])
    assert split_choices("Cách dùng:\n\n1. gõ báo tin\nrồi làm theo") == (
        "Cách dùng:\n\n1. gõ báo tin\nrồi làm theo", [])  # not a list of choices
    assert split_choices("Ghi nhận: 2. lần") == ("Ghi nhận: 2. lần", [])


def test_the_demo_transcript_names_the_channel_and_what_a_number_picked() -> None:
    lines = ZaloTranscript()
    asked = ZaloEvent("bot_message", "Hoa", "bot", "Loại nào?\n\n1. 🥷 Trộm cắp\n2. Khác", "text")
    assert lines.line(asked) == "[Zalo] bot → Hoa: Loại nào? ‹1. 🥷 Trộm cắp · 2. Khác›"
    typed = ZaloEvent("user_message", "Hoa", "Hoa", "1", "message.text.received")
    assert lines.line(typed) == "[Zalo] Hoa → bot: 1 (= 🥷 Trộm cắp)"
    beyond = ZaloEvent("user_message", "Hoa", "Hoa", "7", "message.text.received")
    assert lines.line(beyond) == "[Zalo] Hoa → bot: 7"
    image = ZaloEvent("user_message", "Hoa", "Hoa", "", "message.image.received")
    assert lines.line(image) == "[Zalo] Hoa → bot: [image]"
