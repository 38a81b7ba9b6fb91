"""Both locales have the same keys and placeholders, proper NFC text, and fit Telegram."""

from __future__ import annotations

import re
import unicodedata

import pytest

from bot.config import ContentConfig
from bot.i18n import I18n, placeholders
from bot.text import fold, matches

I18N = I18n.load(ContentConfig().folder)


def test_both_locales_have_the_same_keys() -> None:
    assert set(I18N.texts["vi"]) == set(I18N.texts["en"])


@pytest.mark.parametrize("key", sorted(I18N.texts["vi"]))
def test_placeholders_agree_and_texts_fit_telegram(key: str) -> None:
    vi, en = I18N.texts["vi"][key], I18N.texts["en"][key]
    assert placeholders(vi) == placeholders(en), key
    for text in (vi, en):
        assert text.strip(), key
        assert len(text) <= 3500, key  # room for the values put into it
        assert unicodedata.is_normalized("NFC", text), key
    if key.startswith("menu."):
        assert 3 <= len(vi) <= 256 and 3 <= len(en) <= 256


def test_consent_versions_agree() -> None:
    assert I18N.t("vi", "consent.version") == I18N.t("en", "consent.version")


def test_language_choice() -> None:
    assert I18N.language("en") == "en"
    assert I18N.language(None, "en-GB") == "en"
    assert I18N.language(None, "fr") == "vi"
    assert I18N.language(None, None) == "vi"


@pytest.mark.parametrize(
    ("typed", "label"),
    [("trom cap", "Trộm cắp"), ("DONG Y", "✅ Đồng ý"), ("đánh nhau", "Đánh nhau / gây rối"),
     ("tu choi", "Từ chối")],
)
def test_matching_ignores_accents_case_and_emoji(typed: str, label: str) -> None:
    assert matches(label, typed)


def test_fold_is_stable_for_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Ấp Hưng Nhơn")
    assert fold(decomposed) == fold("Ấp Hưng Nhơn") == "ap hung nhon"


# Vietnamese syllables that are rightly written without any mark, and the names and
# abbreviations the texts use. A word of vi.toml outside this list, written without a mark, is
# most likely a word that lost its accents ("trom cap" for "trộm cắp"): a reader stumbles on
# it. A new legitimate one (a syllable with the level tone and plain vowels) goes here.
UNMARKED = frozenset(re.findall(r"\w+", """
ai an anninh ba bao bot ca cam cao cho chung con cung danh do dung ghi gia gian giao hai hay
khai khen khi khu khung kia kinh loa ma mai minh nam nay ngay nghi nguy ninh phong qua quan
quay quy ra sang sao sau sung tay tham thanh thao thay theo thi thu tin tra trang trong trung
vai vi vui xem xin xong
"""))
NAMES = frozenset(re.findall(r"\w+", "bca cap cp csv english json km mb menu oa open reply "
                                      "id jpeg png stt telegram web xml zalo zbs"))


def _unmarked_words(text: str) -> list[str]:
    """The words of a text written in plain ASCII, outside markup, placeholders, commands and
    what the person is shown to type (<code>…</code>)."""
    text = re.sub(r"<code>.*?</code>|\{[^}]*\}|/\w+|<[^>]+>|https?://\S+", " ", text)
    return [word for word in re.findall(r"[^\W\d_]+", text) if word.isascii()]


def test_vietnamese_texts_keep_their_accents() -> None:
    texts = I18N.texts["vi"]
    strays = {f"{key}: {word}" for key, text in texts.items() for word in _unmarked_words(text)
              if word.lower() not in UNMARKED | NAMES}
    assert not strays, f"Vietnamese words without their accents in vi.toml: {sorted(strays)}"


def test_the_accent_check_finds_a_word_that_lost_its_accents() -> None:
    assert _unmarked_words("Gõ tên loại (ví dụ: trom cap) hoặc <code>/baotin</code>") == [
        "trom", "cap"]
    assert not {"trom", "cap"} <= UNMARKED
