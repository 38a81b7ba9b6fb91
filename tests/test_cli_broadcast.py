"""`anninh broadcast send` refuses what Telegram would not deliver; `broadcast status`."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.cli import main
from bot.config import Config
from bot.markup import MarkupError, visible_text
from bot.sandbox import Sandbox
from bot.sandbox.markup import parse_html
from bot.store import Store
from bot.store.outbox import Outcome
from tests.test_announce import resident

EVERY_TAG = (
    '<b>Họp</b> <i>dân</i> &lt;ấp&gt; AT&T &#8220;<u>tối</u>&#x201D; <s>a</s> '
    '<span class="tg-spoiler">b</span> <tg-spoiler>c</tg-spoiler> <code>d</code> '
    '<pre><code class="language-text">e</code></pre> <blockquote expandable>f</blockquote> '
    '<a href="https://x.vn">g</a> <strong>h</strong><em>i</em><ins>j</ins><strike>k</strike>'
    '<del>l</del>')


def send(config: Config, text: str, *more: str) -> int:
    return main(["broadcast", "send", "--config", str(config.source), "--commune", "hung-loc",
                 *more, "--text", text])


async def broadcasts(store: Store) -> int:
    return int(await store.db.scalar("SELECT count(*) FROM broadcasts"))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "the text is empty"),
        ("  <b> </b>\n", "the text is empty"),
        ("\u200b\u3164 <i>\u2060</i>", "the text is empty"),
        ("<b>Họp dân lúc 19h", "<b> is never closed"),
        ("<b>Họp <i>dân</b></i>", "</b> found where </i> was expected"),
        ("Họp dân</b>", "</b> closes no open tag"),
        ("a" * 5000, "5,000 characters"),
        ("<b>" + "đ" * 4097 + "</b>", "4,097 characters"),
        ("<blink>Cháy</blink>", "<blink> is not a tag Telegram supports"),
        ("Dòng 1<br>Dòng 2", "<br> is not a tag"),
        ("<span>bí mật</span>", 'class="tg-spoiler"'),
        ('<a name="x">liên kết</a>', "<a> needs an address"),
        ("giá < 100 nghìn", "&lt;"),
        ("Mất&nbsp;điện", "&nbsp; is not an entity"),
        ("&#0;", "&#0; is not an entity"),
        ("<!-- nháp -->Họp dân", "comments"),
    ],
)
async def test_send_refuses_a_text_telegram_would_not_deliver(
    config: Config, store: Store, sandbox: Sandbox, capsys: pytest.CaptureFixture[str],
    text: str, said: str,
) -> None:
    await resident(store, sandbox, 3101)
    assert await asyncio.to_thread(send, config, text) == 1
    error = capsys.readouterr().err
    assert said in error and error.startswith("anninh: nothing queued: ")
    assert error.count("\n") == 1 and "Traceback" not in error
    assert await broadcasts(store) == 0


async def test_send_refuses_an_audience_of_nobody(
    config: Config, store: Store, sandbox: Sandbox, capsys: pytest.CaptureFixture[str],
) -> None:
    await resident(store, sandbox, 3101, "hung-nhon")
    await resident(store, sandbox, 3107, "hung-hiep", muted=True)
    assert await asyncio.to_thread(send, config, "Họp dân", "--hamlet", "dau-giay") == 1
    assert "0 recipients" in capsys.readouterr().err
    assert await asyncio.to_thread(send, config, "Họp dân", "--hamlet", "hung-hiep") == 1
    assert "have not muted" in capsys.readouterr().err  # the one there muted announcements
    assert await broadcasts(store) == 0
    assert await asyncio.to_thread(send, config, "Cháy", "--hamlet", "hung-hiep",
                                   "--urgent") == 0  # urgent reaches the muted
    assert await broadcasts(store) == 1


async def test_send_takes_4096_characters_shown_and_telegram_html(
    config: Config, store: Store, sandbox: Sandbox, capsys: pytest.CaptureFixture[str],
) -> None:
    await resident(store, sandbox, 3101)
    longest = '<b>' + "đ" * 4000 + '</b> <a href="https://x.vn/?a=1&amp;b=2">' + "x" * 95 + "</a>"
    for text in (longest, EVERY_TAG):
        assert await asyncio.to_thread(send, config, text) == 0, capsys.readouterr().err
    assert await broadcasts(store) == 2


def test_visible_text_is_what_telegram_shows() -> None:
    assert visible_text("<b>Họp</b> &lt;ấp&gt; &#8220;x&#x201D; A &amp; B") == "Họp <ấp> “x” A & B"
    assert visible_text(EVERY_TAG) == parse_html(EVERY_TAG)[0]  # the emulator's parser agrees
    with pytest.raises(MarkupError):
        visible_text("<b>")


async def test_status_lists_recent_broadcasts_and_one_per_channel(
    config: Config, store: Store, sandbox: Sandbox, capsys: pytest.CaptureFixture[str],
) -> None:
    for telegram_id in range(3101, 3106):
        await resident(store, sandbox, telegram_id)
    assert await asyncio.to_thread(send, config, "Mất điện từ 8h") == 0
    assert await asyncio.to_thread(send, config, "Cắt nước chiều nay") == 0
    capsys.readouterr()
    async with store.db.transaction() as tx:  # as the delivery engine records the first one
        rows = await store.outbox.claim(tx, 4, 0.0)
        states = ["sent", "sent", "failed", "unreachable"]
        await store.outbox.record(tx, [Outcome(row.id, row.broadcast_id, state, 1)
                                       for row, state in zip(rows, states, strict=True)])
    assert {row.broadcast_id for row in rows} == {1}

    assert await asyncio.to_thread(main, ["broadcast", "status", "--config",
                                          str(config.source)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["id", "state", "lane", "origin", "created", "recipients",
                                    "sent", "failed", "unreachable", "queued"]
    assert [line.split("\t")[:4] for line in lines[1:]] == [
        ["2", "queued", "announcement", "cli"], ["1", "queued", "announcement", "cli"]]
    assert lines[2].split("\t")[5:] == ["5", "2", "1", "1", "1"]
    created = lines[1].split("\t")[4]
    assert datetime.fromisoformat(created).utcoffset() == timedelta(hours=7)  # local time

    assert await asyncio.to_thread(main, ["broadcast", "status", "1", "--config",
                                          str(config.source)]) == 0
    detail = capsys.readouterr().out.splitlines()
    assert detail[0] == "broadcast #1"
    assert {"state\tqueued", "origin\tcli", "text\tMất điện từ 8h"} <= set(detail)
    assert any(line.startswith("created\t2") for line in detail)
    table = detail.index("channel\tsent\tfailed\tunreachable\tqueued")
    assert detail[table + 1:] == ["telegram\t2\t1\t1\t1"]

    assert await asyncio.to_thread(main, ["broadcast", "status", "7", "--config",
                                          str(config.source)]) == 1
    assert capsys.readouterr().err == "anninh: no broadcast #7\n"
