"""How the Zalo Bot Platform shows the bot's messages: plain text, numbered choices, splitting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.zalo_bot.render import TEXT_LIMIT, numbered, plain, split
from bot.dialog.choices import match_choice

# ---- plain ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("html", "text"), [
    ("<b>Tin báo</b> mới", "Tin báo mới"),
    ("<i>nghiêng</i> <u>gạch</u> <s>xóa</s>", "nghiêng gạch xóa"),
    ("<strong>đậm</strong> <em>nghiêng</em> <ins>a</ins> <del>b</del>", "đậm nghiêng a b"),
    ("Mã: <code>TB-000123</code>", "Mã: TB-000123"),
    ("Trước<pre>dòng 1\ndòng 2</pre>Sau", "Trước\ndòng 1\ndòng 2\nSau"),
    ('<pre><code class="language-text">x = 1</code></pre>', "x = 1"),
    ("<blockquote>Lời nhắn</blockquote>", "Lời nhắn"),
    ("<tg-spoiler>bí mật</tg-spoiler>", "bí mật"),
    ('<span class="tg-spoiler">bí mật</span>', "bí mật"),
    ('<a href="https://anninh.vn/tin">Xem tin</a>', "Xem tin (https://anninh.vn/tin)"),
    ('<a href="https://anninh.vn/tin">https://anninh.vn/tin</a>', "https://anninh.vn/tin"),
    ('<a href="https://anninh.vn/">anninh.vn</a>', "anninh.vn"),
    ('<a href="tg://user?id=2001">Bình</a> đã duyệt', "Bình đã duyệt"),
    ("1 &lt; 2 &gt; 0 &amp; &quot;trích&quot;", '1 < 2 > 0 & "trích"'),
    ("&#8220;Kẻng&#8221; &#x1F514;", "\u201cKẻng\u201d 🔔"),
    ("<b>Đậm <i>và nghiêng</i></b>\n\nĐoạn hai", "Đậm và nghiêng\n\nĐoạn hai"),
])
def test_plain_drops_the_markup(html: str, text: str):
    assert plain(html) == text


def test_plain_leaves_no_markup_in_a_real_message():
    html = ('🚨 <b>Tin báo TB-000123</b>\n<i>Loại:</i> Trộm cắp\n'
            '<blockquote>Mất xe máy &amp; mũ bảo hiểm trước nhà số 5</blockquote>\n'
            'Chi tiết: <a href="https://anninh.vn/r/123">mở trang</a>')
    text = plain(html)
    assert "<" not in text and "&amp;" not in text
    assert text == ("🚨 Tin báo TB-000123\nLoại: Trộm cắp\n"
                    "Mất xe máy & mũ bảo hiểm trước nhà số 5\n"
                    "Chi tiết: mở trang (https://anninh.vn/r/123)")


# ---- numbered choices and typed answers -----------------------------------------------------

LABELS = ["🚨 Trộm cắp", "Đánh nhau", "Gửi", "Gửi kèm tên", "⏭️ Bỏ qua"]


def test_numbered_puts_each_choice_on_its_own_line():
    assert numbered("Bạn muốn báo tin gì?", ["Trộm cắp", "Bỏ qua"]) == (
        "Bạn muốn báo tin gì?\n\n1. Trộm cắp\n2. Bỏ qua")
    assert numbered("", ["Đồng ý"]) == "1. Đồng ý"


@pytest.mark.parametrize(("typed", "index"), [
    ("1", 0), (" 2 ", 1), ("5.", 4), ("3)", 2),
    ("Trộm cắp", 0), ("trom cap", 0), ("TRỘM CẮP!", 0), ("🚨 trộm cắp", 0),
    ("đánh nhau", 1), ("danh nhau", 1), ("bo qua", 4), ("Bỏ qua ⏭️", 4),
    ("gửi", 2),  # exact beats "Gửi kèm tên"
    ("gui kem ten", 3), ("kèm tên", 3),
    ("1. Trộm cắp", 0), ("4. Gửi kèm tên", 3),
])
def test_match_choice_by_number_or_words(typed: str, index: int):
    assert match_choice(typed, LABELS) == index


@pytest.mark.parametrize("typed", [
    "0", "6", "99999999999999999999", "", "   ", "🚨", "xe máy", "trộm cắp xe máy", "a",
    "２",  # only ASCII digits are numbers
])
def test_match_choice_refuses_what_names_no_choice(typed: str):
    assert match_choice(typed, LABELS) is None


def test_match_choice_refuses_what_is_ambiguous():
    assert match_choice("gui", ["Gửi kèm tên", "Gửi ngay"]) is None
    assert match_choice("Toàn xã", ["Toàn xã", "🏘️ Toàn xã"]) is None
    assert match_choice("ấp", ["Ấp Hưng Nhơn", "Ấp Hưng Thịnh"]) is None
    assert match_choice("hung nhon", ["Ấp Hưng Nhơn", "Ấp Hưng Thịnh"]) == 0


# ---- split ------------------------------------------------------------------------------------

SENTENCES = [
    "Công an xã Hưng Lộc thông báo lịch tuần tra của tổ an ninh nhân dân số 1.",
    "Người dân khi phát hiện đối tượng khả nghi xin báo ngay cho tổ trưởng hoặc gọi 113.",
    "Đề nghị các hộ gia đình khóa cửa cẩn thận, không để xe máy ngoài sân qua đêm.",
    "Trong dịp Tết, tình trạng trộm cắp tài sản thường gia tăng ở các khu dân cư.",
]


def paragraph(sentences: int, offset: int = 0) -> str:
    return " ".join(SENTENCES[(offset + i) % len(SENTENCES)] for i in range(sentences))


def long_text() -> str:
    """About 5,000 characters: long paragraphs, one longer than a whole message."""
    paragraphs = [paragraph(7), paragraph(11, 1), paragraph(32, 2), paragraph(14, 3)]
    text = "\n\n".join(paragraphs)
    assert 4800 < len(text) < 5200 and len(paragraphs[2]) > TEXT_LIMIT
    return text


def test_split_keeps_words_whole_and_parts_within_the_limit():
    text = long_text()
    parts = split(text)
    assert len(parts) == 3
    assert all(1 <= len(part) <= TEXT_LIMIT and part.strip() == part for part in parts)
    assert " ".join(parts).split() == text.split()  # nothing lost, no word cut in two
    assert text.startswith(parts[0] + "\n\n")  # the first cut is at a paragraph's end
    assert all(part.endswith(".") for part in parts)  # the long one is cut between sentences


def test_split_prefers_paragraphs_then_lines_then_words():
    assert split("Đoạn một dài.\n\nĐoạn hai.", limit=15) == ["Đoạn một dài.", "Đoạn hai."]
    assert split("Dòng một dài\nDòng hai", limit=15) == ["Dòng một dài", "Dòng hai"]
    assert split("một hai ba bốn năm sáu", limit=10) == ["một hai ba", "bốn năm", "sáu"]


def test_split_edge_cases():
    assert split("Ngắn thôi.") == ["Ngắn thôi."]
    assert split("  \n\n  ") == []
    assert split("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]  # a word too long


@given(st.lists(st.text(alphabet="aăâbcdđeêôơưyỹ̀ 12", min_size=1, max_size=30),
                max_size=40).map(lambda words: "\n".join(words)),
       st.integers(min_value=1, max_value=60))
def test_split_invariants(text: str, limit: int):
    parts = split(text, limit)
    assert all(1 <= len(part) <= limit and part.strip() for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())
