"""The product's markup, Telegram's HTML subset: what a text shows, how long Telegram counts it,
how to split it to fit, and whether Telegram takes it.

`visible_length(html)` and `split_html(html)` read it as a stream of tags and visible
characters (what Telegram counts is the visible text, not the markup) and never cut inside a
tag or an entity. `visible_text(html)` parses with Python's HTML parser and refuses what
Telegram's parser refuses (an unsupported or unbalanced tag, a `<` that opens no tag, a span
that is not a spoiler, a link without an address) and entities Telegram does not know (it
would show `&nbsp;` as is).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

TEXT_LIMIT = 4096  # a message's text, counted (in UTF-16 units) after entity parsing
CAPTION_LIMIT = 1024  # a photo's caption, likewise
TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span",
                  "tg-spoiler", "a", "code", "pre", "blockquote"})
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


class MarkupError(ValueError):
    """Telegram would refuse this HTML; the message says where and why."""


def visible_text(html: str) -> str:
    """The text Telegram shows for `html`; MarkupError if Telegram would refuse it."""
    for match in _ENTITY.finditer(html):
        if _decode(match[1]) is None:
            raise MarkupError(f"{match[0]} is not an entity Telegram knows (it takes &lt; &gt; "
                              "&amp; &quot; and numeric ones such as &#8220;)")
    if "</>" in html.replace(" ", ""):
        raise MarkupError("</> closes nothing: name the tag it closes, such as </b>")
    parser = _Parser()
    parser.feed(html)
    parser.close()
    if parser.open_tags:
        raise MarkupError(f"<{parser.open_tags[-1]}> is never closed")
    return "".join(parser.out)


def _decode(name: str) -> str | None:
    if not name.startswith("#"):
        return NAMED.get(name)
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.open_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            raise MarkupError(f"<{tag}> is not a tag Telegram supports "
                              f"(it takes {', '.join(sorted(TAGS))})")
        values = dict(attrs)
        if tag == "span" and values.get("class") != "tg-spoiler":
            raise MarkupError('<span> must be <span class="tg-spoiler">')
        if tag == "a" and not (values.get("href") or "").strip():
            raise MarkupError("<a> needs an address: <a href=\"https://…\">")
        self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        raise MarkupError(f"<{tag}/> is not a tag Telegram supports")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise MarkupError(f"</{tag}> closes no open tag")
        if self.open_tags[-1] != tag:
            raise MarkupError(f"</{tag}> found where </{self.open_tags[-1]}> was expected")
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data:
            raise MarkupError("a < that opens no tag: write it as &lt;")
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        # Without a semicolon ("AT&T") it is text, and Telegram shows it as typed.
        self.out.append(NAMED.get(name, f"&{name}"))

    def handle_charref(self, name: str) -> None:
        self.out.append(_decode(f"#{name}") or f"&#{name}")

    def handle_comment(self, _data: str) -> None:
        raise MarkupError("HTML comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise MarkupError(f"<!{decl}> is not supported")

    def unknown_decl(self, _data: str) -> None:
        raise MarkupError("<![…]> sections are not supported")

    def handle_pi(self, data: str) -> None:
        raise MarkupError(f"<?{data}> is not supported")


# --- lengths and splitting of Telegram HTML ---------------------------------------------------

# An HTML tag (quoted attribute values may hold ">"), or one of the entities Telegram decodes.
_TOKEN = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:[^<>"']|"[^"]*"|'[^']*')*>"""
    r"|&(?:#x([0-9a-fA-F]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot));"
)
_SELF_CLOSING = {"br"}


@dataclass(frozen=True, slots=True)
class _Atom:
    """One indivisible piece of HTML: a tag (width 0) or one visible character."""

    raw: str
    width: int  # UTF-16 code units, as Telegram counts
    char: str = ""  # the visible character ("" for a tag)
    opens: str = ""  # the tag name this atom opens
    closes: str = ""  # the tag name this atom closes


def _width(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    pos = 0
    for match in _TOKEN.finditer(html):
        atoms.extend(_Atom(c, _width(c), c) for c in html[pos:match.start()])
        pos = match.end()
        raw = match.group(0)
        if raw[0] == "<":
            name = match.group(2).lower()
            closing = bool(match.group(1))
            if name in _SELF_CLOSING or raw.endswith("/>"):
                atoms.append(_Atom(raw, 0))
            else:
                atoms.append(_Atom(raw, 0, closes=name) if closing else
                             _Atom(raw, 0, opens=name))
            continue
        hex_code, dec_code, named = match.group(3), match.group(4), match.group(5)
        code = int(hex_code, 16) if hex_code else int(dec_code) if dec_code else None
        if code is not None and not 0 < code <= 0x10FFFF:
            atoms.extend(_Atom(c, 1, c) for c in raw)  # Telegram leaves it as text
            continue
        char = NAMED[named] if named else chr(code or 0)
        atoms.append(_Atom(raw, _width(char), char))
    atoms.extend(_Atom(c, _width(c), c) for c in html[pos:])
    return atoms


def visible_length(html: str) -> int:
    """The length Telegram counts for `html` sent in its HTML parse mode: tags removed,
    entities such as `&lt;` decoded, in UTF-16 code units (an emoji counts 2)."""
    return sum(atom.width for atom in _atoms(html))


def fits(html: str, limit: int = TEXT_LIMIT) -> bool:
    """Whether Telegram counts at most `limit` characters in `html`. Tags and entities only
    add to the raw text, so a raw text within the limit fits without being read (the common
    case: a reply costs no parsing)."""
    return len(html.encode("utf-16-le")) // 2 <= limit or visible_length(html) <= limit


def split_html(html: str, limit: int = TEXT_LIMIT, *, first: int | None = None) -> list[str]:
    """`html` as consecutive messages of at most `limit` visible characters each (the first at
    most `first`, e.g. a photo's caption), cut at a paragraph break, else a line break, else
    between words; never inside a tag or an entity. Only a word longer than a whole message
    is cut inside, between two characters.

    A formatting tag still open at a cut is closed at the end of one part and opened again
    at the start of the next, so every part is valid HTML on its own. The whitespace at a
    cut is dropped; nothing else is. A text that fits is returned unchanged, as one part."""
    budget = first if first is not None else limit
    if len(html.encode("utf-16-le")) // 2 <= budget:
        return [html]  # fits without being read (see fits)
    atoms = _atoms(html)
    if sum(atom.width for atom in atoms) <= budget:
        return [html]
    parts: list[str] = []
    reopen: list[_Atom] = []
    start = 0
    while start < len(atoms):
        end, stack = _cut(atoms, start, budget)
        body = "".join(atom.raw for atom in atoms[start:end])
        head = "".join(atom.raw for atom in reopen)
        tail = "".join(f"</{atom.opens}>" for atom in reversed(stack))
        part = _strip_html(head + body + tail)
        if part:
            parts.append(part)
        reopen = stack
        start = _skip_space(atoms, end)
        budget = limit
    return parts or [html]


def _cut(atoms: list[_Atom], start: int, budget: int) -> tuple[int, list[_Atom]]:
    """Where the part beginning at `start` ends, and the tags still open there. Boundaries
    outside every tag are preferred: a cut inside one splits a bold or a link in two."""
    stack: list[_Atom] = []
    used = 0
    outside: dict[int, tuple[int, list[_Atom]]] = {}  # boundary rank → the latest cut there
    inside: dict[int, tuple[int, list[_Atom]]] = {}
    end = start
    while end < len(atoms):
        atom = atoms[end]
        if atom.width and used + atom.width > budget:
            break
        used += atom.width
        end += 1
        if atom.opens:
            stack.append(atom)
        elif atom.closes and stack and stack[-1].opens == atom.closes:
            stack.pop()
        rank = _boundary(atoms, end)
        if rank:
            (inside if stack else outside)[rank] = (end, list(stack))
    else:
        return end, stack  # the rest fits
    half = budget // 2
    for found in (outside, inside):
        for rank in (3, 2):  # a paragraph, else a line, if it leaves the part half full
            cut = found.get(rank)
            if cut is not None and _filled(atoms, start, cut[0]) >= half:
                return cut
        if found:  # else the latest boundary of any kind: the fullest part
            return max(found.values(), key=lambda cut: cut[0])
    return _hard_cut(atoms, start, max(end, start + 1))


def _boundary(atoms: list[_Atom], index: int) -> int:
    """3 after a paragraph break, 2 after a line break, 1 after a space, else 0."""
    if index <= 0 or index >= len(atoms):
        return 0
    char = atoms[index - 1].char
    if char == "\n":
        before = atoms[index - 2].char if index >= 2 else ""
        return 3 if before == "\n" else 2
    return 1 if char in (" ", "\t") else 0


def _hard_cut(atoms: list[_Atom], start: int, end: int) -> tuple[int, list[_Atom]]:
    """A word longer than the whole part: cut between characters, never before a combining
    mark or a joiner (they belong to the character before them)."""
    cut = end
    while cut > start + 1 and cut < len(atoms) and _clings(atoms[cut].char):
        cut -= 1
    return cut, _open_tags(atoms, start, cut)


def _clings(char: str) -> bool:
    return bool(char) and (unicodedata.category(char) in ("Mn", "Me", "Mc")
                           or char in "\u200d\ufe0e\ufe0f")


def _open_tags(atoms: list[_Atom], start: int, end: int) -> list[_Atom]:
    stack: list[_Atom] = []
    for atom in atoms[start:end]:
        if atom.opens:
            stack.append(atom)
        elif atom.closes and stack and stack[-1].opens == atom.closes:
            stack.pop()
    return stack


def _filled(atoms: list[_Atom], start: int, end: int) -> int:
    return sum(atom.width for atom in atoms[start:end])


def _skip_space(atoms: list[_Atom], index: int) -> int:
    while index < len(atoms) and atoms[index].char.isspace():
        index += 1
    return index


def _strip_html(part: str) -> str:
    """`part` without whitespace at either end (Telegram trims it); "" if nothing visible."""
    stripped = part.strip()
    return stripped if any(atom.char.strip() for atom in _atoms(stripped)) else ""
