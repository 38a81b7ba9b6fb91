"""Taking a person's names, username and phone number out of free text (Decree 13/2023).

When someone deletes their data, the reports they filed stay as the commune's records, but what
they wrote in them must no longer name them. `Redactor` finds their names (accents and case
ignored, whole words only), their username and their phone number in any common Vietnamese
spelling, and puts `REDACTED` in their place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import phonenumbers

REDACTED = "[…]"


def _fold_char(char: str) -> str:
    """One character folded to one character: no diacritics, đ → d, lower case."""
    if char in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", char)[0]
    folded = base.casefold()
    return folded if len(folded) == 1 else char


def _fold(text: str) -> str:
    """`text` folded character by character, so positions match the (NFC) original."""
    return "".join(_fold_char(char) for char in text)


class Redactor:
    """Replaces a person's identifiers in a text with REDACTED."""

    def __init__(
        self, names: Iterable[str | None], usernames: Iterable[str | None] = (),
        phone: str | None = None,
    ) -> None:
        wanted = {" ".join(unicodedata.normalize("NFC", n).split()) for n in names if n}
        bare = {u.lstrip("@") for u in usernames if u and u.lstrip("@")}
        handles = bare | {f"@{u}" for u in bare}
        words = sorted((w for w in wanted | handles if len(w) >= 2), key=len, reverse=True)
        # A one-word name counts only where it is written as a name; a username in any case.
        self._single = {_fold(w) for w in wanted - handles if " " not in w}
        self._pattern = re.compile("|".join(
            rf"(?<![\w@]){re.escape(_fold(w))}(?!\w)" for w in words)) if words else None
        self._phone = phone

    def __call__(self, text: str) -> str:
        return self.redact(text)

    def redact(self, text: str) -> str:
        text = unicodedata.normalize("NFC", text)
        if self._pattern is not None:
            text = self._names(text)
        if self._phone:
            text = self._phones(text)
        return text

    def _names(self, text: str) -> str:
        """Full names and usernames wherever they stand; a one-word name only where it is
        written as a name (capitalised): "Lan báo" loses "Lan", "hoa lan" keeps its orchid."""
        assert self._pattern is not None
        spans = []
        for match in self._pattern.finditer(_fold(text)):
            if match[0] in self._single and not text[match.start()].isupper():
                continue
            spans.append(match.span())
        return _replace(text, spans)

    def _phones(self, text: str) -> str:
        spans = []
        for found in phonenumbers.PhoneNumberMatcher(text, "VN"):
            e164 = phonenumbers.format_number(found.number, phonenumbers.PhoneNumberFormat.E164)
            if e164 == self._phone:  # the digits only, not a bracket around them
                start, end = found.start, found.end
                while start < end and not (text[start].isdigit() or text[start] == "+"):
                    start += 1
                while end > start and not text[end - 1].isdigit():
                    end -= 1
                spans.append((start, end))
        return _replace(text, spans)


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + REDACTED + text[end:]
    return text
