"""bot/markup.py: what Telegram counts in an HTML text, and splitting long texts into messages."""

from __future__ import annotations

from html import escape

import pytest

from bot.markup import CAPTION_LIMIT, TEXT_LIMIT, fits, split_html, visible_length
from bot.sandbox.markup import parse_html


def visible(html: str) -> str:
    """The text Telegram shows for `html` (the sandbox parses it as Telegram does)."""
    return parse_html(html)[0]


def words(html: str) -> list[str]:
    return visible(html).split()


def test_the_visible_length_is_counted_after_parsing_as_telegram_does() -> None:
    assert visible_length(escape("<" * 1000, quote=False)) == 1000  # 4,000 characters of HTML
    assert visible_length("<b>Tin</b> &amp; <a href=\"https://x.vn/?a=1&amp;b=2\">ảnh</a>") == 9
    assert visible_length("🔥") == 2  # UTF-16, as Telegram counts
    assert visible_length("&nbsp;") == 6  # an entity Telegram does not know stays as text


def test_a_text_that_fits_is_one_message_unchanged() -> None:
    html = escape("<" * 1000, quote=False)
    assert split_html(html) == [html]
    exact = "a" * TEXT_LIMIT
    assert split_html(exact) == [exact]


def test_paragraphs_are_kept_whole_when_they_fit() -> None:
    first, second = "một " * 600, "hai " * 600  # 2,400 visible characters each
    parts = split_html(f"{first.strip()}\n\n{second.strip()}")
    assert parts == [first.strip(), second.strip()]


def test_a_long_text_is_cut_between_words_and_nothing_is_lost() -> None:
    text = " ".join(f"từ{i}" for i in range(2000))  # about 12,900 characters, no line breaks
    html = "💬 <b>Người báo tin TB-000001</b> (ẩn danh):\n" + escape(text, quote=False)
    parts = split_html(html)
    assert len(parts) == 4
    for part in parts:
        assert visible_length(part) <= TEXT_LIMIT
        assert part is parts[-1] or visible_length(part) > TEXT_LIMIT - 10  # filled up
        parse_html(part)  # each part is valid HTML on its own
    assert [w for part in parts for w in words(part)] == words(html)


def test_escaped_characters_are_never_cut_and_count_once() -> None:
    html = escape("<>&" * 2000, quote=False)  # 6,000 visible, 24,000 characters of HTML
    parts = split_html(html)
    assert [visible_length(part) for part in parts] == [4096, 1904]
    assert "".join(visible(part) for part in parts) == "<>&" * 2000


def test_a_formatting_tag_open_at_a_cut_is_closed_and_opened_again() -> None:
    html = "<b>" + "chữ đậm " * 1000 + "</b>"
    parts = split_html(html)
    assert len(parts) == 2
    assert all(part.startswith("<b>") and part.endswith("</b>") for part in parts)
    assert [w for part in parts for w in words(part)] == words(html)


def test_a_cut_outside_tags_is_preferred_to_one_inside() -> None:
    html = "<i>" + "nghiêng " * 10 + "</i>\n" + "thường " * 700
    parts = split_html(html, 200)
    assert parts[0].startswith("<i>") and parts[0].count("<i>") == 1
    assert all(visible_length(part) <= 200 for part in parts)
    assert [w for part in parts for w in words(part)] == words(html)


def test_a_caption_takes_the_first_1024_characters_and_the_rest_follows() -> None:
    html = escape("Ảnh chụp lúc 22 giờ, " * 200, quote=False)
    parts = split_html(html, TEXT_LIMIT, first=CAPTION_LIMIT)
    assert visible_length(parts[0]) <= CAPTION_LIMIT
    assert visible_length(parts[0]) > CAPTION_LIMIT - 30  # filled up to a word
    assert all(visible_length(part) <= TEXT_LIMIT for part in parts[1:])
    assert [w for part in parts for w in words(part)] == words(html)


@pytest.mark.parametrize("glyph", ["a", "🔥", "e\u0301"])
def test_a_word_longer_than_a_message_is_cut_between_characters(glyph: str) -> None:
    html = glyph * 3000
    parts = split_html(html)
    assert all(visible_length(part) <= TEXT_LIMIT for part in parts)
    assert "".join(parts) == html  # no surrogate pair or accent torn from its letter
    assert all(not part.startswith("\u0301") for part in parts)


def test_line_breaks_are_preferred_to_word_breaks() -> None:
    lines = [f"Dòng {i}: " + "x " * 30 for i in range(200)]
    parts = split_html("\n".join(lines))
    assert all(part.startswith("Dòng ") for part in parts)
    assert sum(len(part.split("\n")) for part in parts) == 200


def test_fits_counts_as_telegram_does_with_or_without_reading_the_markup() -> None:
    assert fits("x" * TEXT_LIMIT) and not fits("x" * (TEXT_LIMIT + 1))
    assert not fits("🔔" * (TEXT_LIMIT // 2 + 1))  # an emoji counts 2, as in UTF-16
    assert fits("<b>" + "x" * TEXT_LIMIT + "</b>")  # longer raw, but the tags are not counted
    assert fits("&lt;" * TEXT_LIMIT) and not fits("&lt;" * (TEXT_LIMIT + 1))
