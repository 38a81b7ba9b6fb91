"""Officers in chat, on every messenger: /taoto (/newteam) creates a team — commune (for an
officer of several), hamlet, team kind, name — and /totruong (/setleader) TEAM appoints its
leader, chosen among the members (a button, or a number or name typed where choices are
typed). `/totruong TEAM TELEGRAM_ID` still appoints a Telegram user at once (the usage text
names it to officers who are on Telegram).

The officer role is read from the database at every step and every choice. The member choices
are actions (`ot:l:<team>:<member>`): they work whenever they are chosen, and the new leader is
told through the outbox, on their own messenger."""

from __future__ import annotations

from bot.dialog import END, Action, Choice, Flow, Kind, Rows, Turn
from bot.models import Commune, Hamlet
from bot.services.officers import Appointment, NotAllowed, NotAMember
from bot.services.residents import PhoneError, normalise_phone
from handlers.team_actions import tell
from handlers.text import as_id, clip, esc

COMMUNE, HAMLET, KIND, NAME = "commune", "hamlet", "kind", "name"
LEADER = "ot:l"  # an action: ot:l:<team id>:<member's resident id>
MAX_MEMBER_CHOICES = 90
NAME_LIMIT = 48
MIN_NAME = 3


# --- /taoto ----------------------------------------------------------------------------------


async def new_team(turn: Turn) -> str:
    """/taoto: officers only; asks for the commune (of several) or the hamlet."""
    communes = await _communes(turn)
    if not communes:
        return END
    if len(communes) == 1:
        return await _ask_hamlet(turn, communes[0].id)
    await turn.ask(turn.t("officer_tools.ask_commune"), _commune_choices(communes))
    return COMMUNE


async def commune_chosen(turn: Turn) -> str:
    """Stores nothing yet; asks for a hamlet of the chosen commune."""
    communes = await _communes(turn)
    if not communes:
        return END
    chosen = _chosen_id(turn, "c")
    if chosen is None:
        await turn.ask(_again(turn, "officer_tools.ask_commune"), _commune_choices(communes))
        return COMMUNE
    return await _ask_hamlet(turn, chosen)


async def hamlet_chosen(turn: Turn) -> str:
    """Stores the hamlet (of a commune the officer serves); asks for the team kind."""
    services = turn.services
    commune_id = int(turn.data.get("commune", 0))
    if not await services.store.residents.has_role(turn.person.id, "officer", commune_id):
        await turn.refuse(turn.t("errors.not_allowed"))
        return END
    chosen = _chosen_id(turn, "h")
    hamlet = await services.store.areas.hamlet(chosen) if chosen is not None else None
    if hamlet is None or hamlet.commune_id != commune_id:
        hamlets = await services.store.areas.hamlets(commune_id)
        await turn.ask(_again(turn, "officer_tools.ask_hamlet"), _hamlet_choices(hamlets))
        return HAMLET
    turn.data["hamlet"] = hamlet.id
    await turn.ask(turn.t("officer_tools.ask_kind", hamlet=esc(hamlet.name)),
                   _kind_choices(turn), replace=True)
    return KIND


async def kind_chosen(turn: Turn) -> str:
    """Stores the team kind; asks for the team's name."""
    hamlet = await _hamlet(turn)
    if hamlet is None:
        return END
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    kind = value.removeprefix("k:") if value and value.startswith("k:") else None
    catalog = turn.services.catalog
    if kind is None or kind not in catalog.team_kinds:
        await turn.ask(_again(turn, "officer_tools.ask_kind", hamlet=esc(hamlet.name)),
                       _kind_choices(turn))
        return KIND
    turn.data["kind"] = kind
    await turn.ask(turn.t("officer_tools.ask_name", kind=esc(catalog.kind_name(kind, turn.lang))),
                   replace=True)
    return NAME


async def name_typed(turn: Turn) -> str:
    """Creates the team with a fresh join code; shows the code and how to invite."""
    hamlet = await _hamlet(turn)
    if hamlet is None:
        return END
    if turn.kind is Kind.TEXT and not turn.text:  # only invisible characters typed
        await turn.say(turn.t("errors.blank_text"))
        return NAME
    name = turn.text if turn.kind is Kind.TEXT else ""
    if len(name) < MIN_NAME:
        await turn.say(turn.t("officer_tools.name_too_short"))
        return NAME
    try:
        team = await turn.services.officers.create_team(
            turn.person, hamlet, str(turn.data["kind"]), name)
    except NotAllowed:
        await turn.refuse(turn.t("errors.not_allowed"))
        return END
    link = turn.start_link(f"join_{team.join_code}")
    invite = turn.t("team.invite_link", link=esc(link)) if link else turn.t(
        "team.invite_words", code=esc(team.join_code))
    await turn.say(turn.t("officer_tools.created", team=esc(team.name), hamlet=esc(hamlet.name),
                          code=esc(team.join_code), team_code=esc(team.code), invite=invite))
    return END


async def _communes(turn: Turn) -> list[Commune]:
    """The communes the person is an officer of (read now); none: refused."""
    communes = await turn.services.officers.communes_of(turn.person)
    if not communes:
        await turn.refuse(turn.t("errors.not_allowed"))
    return communes


async def _ask_hamlet(turn: Turn, commune_id: int) -> str:
    """Stores the commune (if the person serves it); asks for one of its hamlets."""
    store = turn.services.store
    if not await store.residents.has_role(turn.person.id, "officer", commune_id):
        await turn.refuse(turn.t("errors.not_allowed"))
        return END
    hamlets = await store.areas.hamlets(commune_id)
    if not hamlets:
        await turn.say(turn.t("officer_tools.no_hamlets"))
        return END
    turn.data["commune"] = commune_id
    await turn.ask(turn.t("officer_tools.ask_hamlet"), _hamlet_choices(hamlets), replace=True)
    return HAMLET


async def _hamlet(turn: Turn) -> Hamlet | None:
    """The draft's hamlet while the person is still an officer of its commune; else None,
    and they were refused."""
    hamlet = await turn.services.store.areas.hamlet(int(turn.data.get("hamlet", 0)))
    if hamlet is None or not await turn.services.store.residents.has_role(
            turn.person.id, "officer", hamlet.commune_id):
        await turn.refuse(turn.t("errors.not_allowed"))
        return None
    return hamlet


def _chosen_id(turn: Turn, kind: str) -> int | None:
    """The id of a choice `kind:id` from the open prompt; None for anything else."""
    value = turn.input.choice if turn.kind is Kind.CHOICE else None
    head, _, tail = (value or "").partition(":")
    return as_id(tail) if head == kind else None


def _again(turn: Turn, key: str, **values: object) -> str:
    """An answer the step cannot use: the hint, then the step's question again."""
    return f"{turn.t('flows.choose_below')}\n\n{turn.t(key, **values)}"


def _commune_choices(communes: list[Commune]) -> Rows:
    return tuple((Choice(c.name, f"c:{c.id}"),) for c in communes)


def _hamlet_choices(hamlets: list[Hamlet]) -> Rows:
    return tuple((Choice(h.name, f"h:{h.id}"),) for h in hamlets)


def _kind_choices(turn: Turn) -> Rows:
    kinds = turn.services.catalog.team_kinds.values()
    return tuple((Choice(k.name(turn.lang), f"k:{k.code}"),) for k in kinds)


# --- /totruong -------------------------------------------------------------------------------


async def set_leader(turn: Turn) -> str:
    """/totruong TEAM [TELEGRAM_ID]: appoints at once, or offers the members to choose from."""
    officers = turn.services.officers
    if not await _communes(turn):
        return END
    words = turn.text.split()
    team = await officers.find_team(turn.person, words[0]) if words else None
    rest = "".join(words[1:])
    if team is not None and rest[:1] in ("0", "+"):  # a phone number the person shared
        return await _leader_by_phone(turn, team.id, team.name, rest)
    telegram_id = as_id(words[1]) if len(words) == 2 else None
    if team is None or len(words) > 2 or (len(words) == 2 and telegram_id is None):
        await turn.say(turn.t(_on_telegram(turn, "officer_tools.leader_usage")))
        return END
    if telegram_id is not None:
        try:
            done = await officers.appoint_telegram_user(turn.person, team.id, telegram_id)
        except NotAllowed:
            await turn.refuse(turn.t("errors.not_allowed"))
            return END
        await _appointed(turn, done)
        return END
    members = [m for m in await turn.services.store.memberships.members(team.id)
               if m.state == "active" and m.role != "leader"]
    if not members:
        await turn.say(turn.t(_on_telegram(turn, "officer_tools.no_members"),
                              team=esc(team.name)))
        return END
    await turn.offer(turn.t("officer_tools.pick_leader", team=esc(team.name)), tuple(
        (Choice(clip(m.display_name or str(m.telegram_id or "?"), NAME_LIMIT),
                f"{LEADER}:{team.id}:{m.resident_id}"),)
        for m in members[:MAX_MEMBER_CHOICES]))
    return END


async def _leader_by_phone(turn: Turn, team_id: int, team: str, typed: str) -> str:
    """/totruong TEAM 0912 345 678: the resident of the commune who shared that number."""
    try:
        done = await turn.services.officers.appoint_by_phone(
            turn.person, team_id, normalise_phone(typed))
    except NotAllowed:
        await turn.refuse(turn.t("errors.not_allowed"))
        return END
    except (PhoneError, NotAMember):
        await turn.say(turn.t("officer_tools.no_such_phone", team=esc(team)))
        return END
    await _appointed(turn, done)
    return END


async def leader_chosen(turn: Turn, parts: tuple[str, ...]) -> None:
    """A member chosen from the /totruong list: the officer role is checked again."""
    team_id, member_id = (as_id(parts[0]), as_id(parts[1])) if len(parts) == 2 else (None, None)
    if team_id is None or member_id is None:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    try:
        done = await turn.services.officers.appoint_member(turn.person, team_id, member_id)
    except NotAllowed:
        await turn.refuse(turn.t("errors.not_allowed"))
        return
    except NotAMember:
        await turn.refuse(turn.t("errors.stale_button"))
        return
    await _appointed(turn, done)


async def _appointed(turn: Turn, done: Appointment) -> None:
    """Says so (in place of the list after a press); the new leader is told on their own
    messenger, through the outbox."""
    leader, team = done.leader, done.team
    await turn.ask(turn.t("officer_tools.leader_set", team=esc(team.name), name=esc(
        leader.display_name or leader.telegram_id or "?")), replace=True)
    if done.changed:  # a second press: led already, told once
        await tell(turn, leader, team, "officer_tools.you_lead",
                   f"team:{team.id}:leader:{leader.id}")


def _on_telegram(turn: Turn, key: str) -> str:
    """The text that also names the typed Telegram id, for an officer on Telegram; the one
    with the member choice only, elsewhere."""
    return key if turn.channel == "telegram" else f"{key}_pick"


def build_flows() -> list[Flow]:
    """/taoto's steps; /totruong answers at once (its member choices are actions)."""
    return [
        Flow(name="new_team", commands=("taoto", "newteam"), start=new_team,
             steps={COMMUNE: commune_chosen, HAMLET: hamlet_chosen, KIND: kind_chosen,
                    NAME: name_typed},
             timeout_minutes=30, label="flows.new_team"),
        Flow(name="set_leader", commands=("totruong", "setleader"), start=set_leader),
    ]


def actions() -> list[Action]:
    return [Action(LEADER, leader_chosen)]
