"""/nhantin (/teammsg): a leader writes to the whole team without sounding the gong, on every
messenger — the team (when they lead several), the text or a photo with its caption, a
preview with how many it reaches, then "Gửi", "Khẩn" (on or off) or "Hủy".

It goes through the outbox on the announcement lane: muted members and quiet hours are
respected unless it is marked "Khẩn" (urgent still is not the gong). The role is read from
the database at every step; each message sent is audited (services.team_messages)."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn, rows_of
from bot.models import Team
from bot.sending import OutMessage
from handlers.text import as_id, esc

TEXT_LIMIT = 1500  # the header and the text fit one Zalo message
TEAM = "t:"  # a team chosen: t:<id>
SEND, URGENT, CANCEL = "send", "urgent", "cancel"


async def start(turn: Turn) -> str:
    """Leaders only: asks which team where they lead several, else for the message."""
    teams = await turn.services.team_messages.led_teams(turn.person)
    if not teams:
        await turn.say(turn.t("team_message.leaders_only"))
        return END
    if len(teams) == 1:
        return await _ask_content(turn, teams[0])
    await turn.ask(turn.t("team_message.ask_team"),
                   rows_of([Choice(team.name, f"{TEAM}{team.id}") for team in teams]))
    return "team"


async def team(turn: Turn) -> str:
    """Stores the chosen team (checked in the database); asks for the message."""
    choice = (turn.input.choice or "") if turn.kind is Kind.CHOICE else ""
    team_id = as_id(choice[len(TEAM):]) if choice.startswith(TEAM) else None
    if team_id is None:
        return await start(turn)
    found = await turn.services.team_messages.led_team(turn.person, team_id)
    if found is None:
        await turn.refuse(turn.t("team_message.leaders_only"))
        return END
    return await _ask_content(turn, found)


async def content(turn: Turn) -> str:
    """Stores the text, or a photo with its caption; shows the preview and its choices."""
    if await _still_leading(turn) is None:
        return END
    message = await _message(turn)
    if message is None:
        return "content"
    turn.data["message"] = message.to_json()
    return await _preview(turn)


async def confirm(turn: Turn) -> str:
    """"Gửi" queues it (once: the flow ends), "Khẩn" toggles urgency and shows the preview
    again, "Hủy" drops it; anything else asks again."""
    choice = turn.input.choice if turn.kind is Kind.CHOICE else None
    if choice == CANCEL:
        await turn.ask(turn.t("team_message.cancelled"), replace=True)
        return END
    if await _still_leading(turn) is None:
        return END
    if choice == URGENT:
        turn.data["urgent"] = not turn.data.get("urgent", False)
        return await _preview(turn, replace=True)
    if choice != SEND:
        await turn.ask(turn.t("flows.choose_below"), _choices(turn))
        return "confirm"
    sent = await turn.services.team_messages.send(
        turn.person, int(turn.data["team"]), OutMessage.from_json(turn.data["message"]),
        urgent=bool(turn.data.get("urgent")))
    if sent is None:
        await turn.refuse(turn.t("team_message.leaders_only"))
        return END
    await turn.ask(turn.t("team_message.sent", count=sent,
                          team=esc(turn.data.get("team_name", ""))), replace=True)
    return END


async def _ask_content(turn: Turn, chosen: Team) -> str:
    turn.data = {"team": chosen.id, "team_name": chosen.name, "urgent": False}
    await turn.ask(turn.t("team_message.ask_content", team=esc(chosen.name)), replace=True)
    return "content"


async def _still_leading(turn: Turn) -> Team | None:
    """The draft's team while the person still leads it (read from the database); else the
    person is refused and the draft dropped."""
    found = await turn.services.team_messages.led_team(turn.person, int(turn.data["team"]))
    if found is None:
        turn.data = {}
        await turn.refuse(turn.t("team_message.leaders_only"))
    return found


async def _message(turn: Turn) -> OutMessage | None:
    """The text, or a photo with its caption (kept in the media store); None when there is
    none yet (the leader was told)."""
    given = turn.input
    text = given.markup if given.markup is not None else esc(given.text)
    if turn.kind is Kind.PHOTO and given.media is not None:
        stored = await turn.keep_media("photo")
        if stored is None:
            return None
        path = str(turn.services.media.files.path(stored.key))
        return OutMessage(text=text, photo=given.media.cache_id, photo_path=path)
    if turn.kind not in (Kind.TEXT, Kind.CHOICE):
        await turn.say(turn.t("team_message.text_expected"))
        return None
    typed = await turn.typed(TEXT_LIMIT, "team_message.too_long")
    return None if typed is None else OutMessage(text=text)


async def _preview(turn: Turn, *, replace: bool = False) -> str:
    """The message as members get it, then how many it reaches and the choices."""
    services, draft = turn.services, turn.data
    chosen = await services.team_messages.led_team(turn.person, int(draft["team"]))
    if chosen is None:
        return END
    message = OutMessage.from_json(draft["message"])
    urgent = bool(draft.get("urgent"))
    if not replace:
        await turn.show(services.team_messages.signed(message, chosen))
    recipients = await services.team_messages.recipients(chosen, turn.person.id, urgent=urgent)
    key = "team_message.preview_urgent" if urgent else "team_message.preview"
    text = turn.t(key, count=len(recipients), team=esc(chosen.name))
    by_address = message.photo_path is not None and bool(services.config.web.public_url)
    if message.photo_path and not by_address and any(
            r.channel != "telegram" for r in recipients):  # Zalo fetches photos by address
        text += "\n" + turn.t("broadcast.photo_not_on_zalo")
    await turn.ask(text, _choices(turn), replace=replace)
    return "confirm"


def _choices(turn: Turn) -> Rows:
    urgent = turn.t("team_message.urgent_off" if turn.data.get("urgent")
                    else "team_message.urgent_on")
    return ((Choice(turn.t("team_message.send"), SEND), Choice(urgent, URGENT)),
            (Choice(turn.t("team_message.cancel"), CANCEL),))


def build_flow() -> Flow:
    """/nhantin: an hour to finish; the draft survives a restart (the runner keeps it)."""
    return Flow(name="team_message", commands=("nhantin", "teammsg"), start=start,
                steps={"team": team, "content": content, "confirm": confirm},
                timeout_minutes=60, label="flows.team_message",
                cancelled="team_message.cancelled")
