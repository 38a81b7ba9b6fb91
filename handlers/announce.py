"""/thongbao (/broadcast): an officer's announcement, on every messenger — the content, the
audience, a preview exactly as residents get it, then "Gửi ngay", "Hẹn giờ" or "Hủy".

The content is a text, or a photo with its caption (kept in the media store); on Telegram
also a forwarded message or anything else Telegram can copy. Zalo sends a photo only by a
public URL, and a photo the bot keeps has none: residents on Zalo get the caption alone, and
the preview says so where the audience holds any. The audience's hamlets, teams, kinds and
tags are choices toggled one at a time (numbered lines on Zalo, each naming its group and
each list marking what is chosen). The role is read from the database at every step. "Hẹn giờ" is
handlers/announce_when.py; what the officer sees while it goes out: Telegram edits the
"sending" message with the progress, elsewhere the summary comes as a message when done."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn, rows_of
from bot.sending import OutMessage
from bot.services import audiences
from bot.text import fold
from handlers import announce_when
from handlers.announce_when import draft_audience, origin, progress_of
from handlers.text import esc

CHOSEN = "✓ "
ALL, NEXT, URGENT, MORE_TEAMS = "all", "next", "urgent", "more-teams"
NOW, LATER, CANCEL = "now", "later", "cancel"
KINDS = {"h": "hamlets", "t": "teams", "k": "kinds", "g": "tags"}  # a choice: <letter>:<value>
GROUPS = {"h": "broadcast.group_hamlet", "t": "broadcast.group_team",
          "k": "broadcast.group_kind", "g": "broadcast.group_tag"}  # each says its group
TEAM_PAGE = 10  # teams shown at once; "Các tổ khác" shows the next ones
URGENT_WORDS = frozenset({"khan cap", "khan", "urgent"})  # typed at the preview


async def start(turn: Turn) -> str:
    """Officers only: starts a draft for their (first) commune; asks for the content."""
    communes = await turn.services.officers.communes_of(turn.person)
    if not communes:
        await turn.say(turn.t("broadcast.officers_only"))
        return END
    turn.data = {"commune": communes[0].id, "hamlets": [], "teams": [], "kinds": [],
                 "tags": [], "urgent": False}
    await turn.say(turn.t("broadcast.ask_content"))
    return "content"


async def content(turn: Turn) -> str:
    """Stores the message as residents will get it (text, photo, or a copy); asks who."""
    if not await still_officer(turn):
        return END
    message = await _message(turn)
    if message is None:
        return "content"
    commune = await turn.services.store.areas.commune(turn.data["commune"])
    if commune is not None:
        message = turn.services.broadcasts.signed(message, commune)
    turn.data["message"] = message.to_json()
    await _ask_audience(turn)
    return "audience"


async def audience(turn: Turn) -> str:
    """Toggles a hamlet, team, kind, tag or "Khẩn cấp"; "Toàn xã" (everyone) or "Tiếp tục"
    shows the preview. Anything else shows the choices again."""
    if not await still_officer(turn):
        return END
    choice, draft = _chosen(turn), turn.data
    if choice == ALL:
        for key in KINDS.values():
            draft[key] = []
    elif choice == URGENT:
        draft["urgent"] = not draft["urgent"]
    elif choice == MORE_TEAMS:
        draft["team_page"] = int(draft.get("team_page", 0)) + 1
    elif choice[:2].rstrip(":") in KINDS and choice[1:2] == ":":
        kind, value = KINDS[choice[0]], _value(choice[0], choice[2:])
        chosen: list[Any] = draft[kind]
        if value in chosen:
            chosen.remove(value)
        else:
            chosen.append(value)
    if choice not in (ALL, NEXT):
        await _ask_audience(turn)
        return "audience"
    return await _preview(turn)


async def confirm(turn: Turn) -> str:
    """"Gửi ngay" queues it, "Hẹn giờ" asks when, "Hủy" drops it, "Khẩn cấp" turns urgency
    on or off and shows the preview again; anything else asks again."""
    choice = _chosen(turn)
    if choice == CANCEL:
        await turn.ask(turn.t("broadcast.cancelled"), replace=True)
        return END
    if not await still_officer(turn):
        return END
    if choice == URGENT or (turn.kind is Kind.TEXT and fold(turn.text) in URGENT_WORDS):
        turn.data["urgent"] = not turn.data["urgent"]  # typed at the preview: on or off
        return await _preview(turn)
    if choice == NOW:
        return await _send_now(turn)
    if choice == LATER:
        return await announce_when.ask(turn)
    await turn.ask(turn.t("flows.choose_below"), confirm_choices(turn))
    return "confirm"


async def when(turn: Turn) -> str:
    """A quick choice or a typed time or repetition (handlers/announce_when.py)."""
    if not await still_officer(turn):
        return END
    return await announce_when.answer(turn)


async def still_officer(turn: Turn) -> bool:
    """Every step reads the role from the database: someone who is no longer an officer of
    the draft's commune is refused, the draft dropped and the flow ended."""
    if await turn.services.broadcasts.may_announce(turn.person.id, turn.data.get("commune")):
        return True
    turn.data = {}
    await turn.refuse(turn.t("broadcast.officers_only"))
    return False


def confirm_choices(turn: Turn) -> Rows:
    return ((Choice(turn.t("broadcast.send_now"), NOW), Choice(turn.t("broadcast.later"), LATER),
             Choice(turn.t("broadcast.cancel"), CANCEL)),)


# --- steps' helpers ----------------------------------------------------------------------------


async def _message(turn: Turn) -> OutMessage | None:
    """The content as residents will get it; None when there is none (the officer told)."""
    given = turn.input
    copy = turn.copy_of()
    if given.forwarded and copy is not None:
        return copy
    if turn.kind is Kind.PHOTO and given.media is not None:
        stored = await turn.keep_media("photo")
        if stored is None:
            return None
        path = str(turn.services.media.files.path(stored.key))
        return OutMessage(text=_markup(turn), photo=given.media.cache_id, photo_path=path)
    if turn.kind in (Kind.TEXT, Kind.CHOICE):
        if not turn.text:  # only invisible characters
            await turn.say(turn.t("errors.blank_text"))
            return None
        return OutMessage(text=_markup(turn))
    if copy is not None:  # a sticker, a voice note, a file…: sent on as it is
        return copy
    await turn.say(turn.t("broadcast.ask_content"))
    return None


def _markup(turn: Turn) -> str:
    given = turn.input
    return given.markup if given.markup is not None else esc(given.text)


async def _ask_audience(turn: Turn) -> None:
    services, draft, lang = turn.services, turn.data, turn.lang
    commune_id = draft["commune"]

    def choice(kind: str, value: object, label: str) -> Choice:
        """Each says its group ("Ấp …" by its name; 🛡 tổ, 🧩 loại tổ, 👥 nhóm)."""
        mark = CHOSEN if value in draft[KINDS[kind]] else ""
        return Choice(mark + turn.t(GROUPS[kind], name=label), f"{kind}:{value}")

    teams = await services.store.areas.teams(commune_id)
    pages = max(1, -(-len(teams) // TEAM_PAGE))
    page = int(draft.get("team_page", 0)) % pages
    shown = teams[page * TEAM_PAGE:(page + 1) * TEAM_PAGE]
    rows: Rows = ((Choice(turn.t("broadcast.whole_commune"), ALL),),)
    rows += rows_of([choice("h", h.id, h.name)
                     for h in await services.store.areas.hamlets(commune_id)], 2)
    rows += rows_of([choice("t", t.id, t.name) for t in shown], 2)
    if pages > 1:
        rows += ((Choice(turn.t("broadcast.more_teams", page=page + 1, pages=pages),
                         MORE_TEAMS),),)
    rows += rows_of([choice("k", k, services.catalog.kind_name(k, lang))
                     for k in sorted({t.kind for t in teams})], 2)
    rows += rows_of([choice("g", code, tag.name(lang))
                     for code, tag in services.catalog.tags.items()], 2)
    urgent = (CHOSEN if draft["urgent"] else "") + turn.t("broadcast.urgent_button")
    rows += ((Choice(urgent, URGENT), Choice(turn.t("broadcast.next_button"), NEXT)),)
    names = await audiences.describe(services.store, services.catalog, draft_audience(draft),
                                     lang)
    chosen = turn.t("broadcast.chosen_line", names=esc(", ".join(names))) if names else ""
    text = turn.t("broadcast.ask_audience", chosen=chosen)
    if turn.numbered:
        text += "\n" + turn.t("broadcast.ask_audience_numbered")
    await turn.ask(text, rows, replace=True)


async def _preview(turn: Turn) -> str:
    """The message exactly as residents get it, then whom it reaches and the choices."""
    services, draft = turn.services, turn.data
    chosen = draft_audience(draft)
    message = OutMessage.from_json(draft["message"])
    await turn.show(message)
    parts = await audiences.describe(services.store, services.catalog, chosen, turn.lang)
    names = ", ".join(esc(p) for p in parts) or turn.t("broadcast.whole_commune")
    count = await services.broadcasts.count(chosen, urgent=draft["urgent"])
    key = "broadcast.preview_urgent" if draft["urgent"] else "broadcast.preview"
    text = turn.t(key, count=count, audience=names) + "\n" + turn.t(
        "broadcast.urgent_off_hint" if draft["urgent"] else "broadcast.urgent_on_hint")
    web = services.config.web_on  # photos by address need the web server and public_url
    by_address = message.photo_path is not None and web is not None and bool(web.public_url)
    if (message.photo or message.photo_path) and not by_address and any(
            channel != "telegram" for channel in await services.broadcasts.channels(
                chosen, urgent=draft["urgent"])):  # Zalo fetches photos by address only
        text += "\n" + turn.t("broadcast.photo_not_on_zalo")
    await turn.ask(text, confirm_choices(turn))
    return "confirm"


async def _send_now(turn: Turn) -> str:
    """"Gửi ngay": queues the broadcast; its "sending" message follows the progress."""
    services, draft = turn.services, turn.data
    until = services.clock.now() + timedelta(days=1)
    shown = await turn.post(turn.t("broadcast.sending"), (), until=until, replace=True)
    progress = progress_of(turn, shown)
    await services.broadcasts.send(
        draft_audience(draft), OutMessage.from_json(draft["message"]), urgent=draft["urgent"],
        created_by=turn.person.id, progress=progress, origin=origin(turn, progress))
    return END


def _chosen(turn: Turn) -> str:
    return (turn.input.choice or "") if turn.kind is Kind.CHOICE else ""


def _value(kind: str, raw: str) -> object:
    return int(raw) if kind in ("h", "t") and raw.isdigit() else raw


def build_flow() -> Flow:
    """/thongbao: an hour to finish; the draft survives a restart (the runner keeps it)."""
    return Flow(name="announce", commands=("thongbao", "broadcast"), start=start,
                steps={"content": content, "audience": audience, "confirm": confirm,
                       "when": when},
                timeout_minutes=60, label="flows.announce", cancelled="broadcast.cancelled")
