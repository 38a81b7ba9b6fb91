"""/trogiup (/help): the commands for the caller's role, read from the database; the answer to
a message outside any flow; and `menu` — what the person can do, as choices (on Zalo, where
there is no command menu, the way in to every flow)."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Turn, rows_of
from handlers import phone

# Every command of the product, with its English alias (DESIGN.md's contract): a channel
# without a command menu recognises them as keywords, and says plainly when one is not
# available there yet.
COMMANDS = frozenset({
    "start", "thamgia", "join", "baotin", "report", "huy", "cancel", "tindabao",
    "myreports", "to", "myteam", "keng", "alarm", "thongbao", "broadcast", "thongke", "stats",
    "caidat", "settings", "dulieu", "mydata", "xoadulieu", "forget", "trogiup", "help", "tin",
    "lookup", "tinmo", "openreports", "menu", "tuantra", "patrol", "nhantin", "teammsg",
    "diem", "points", "bangvang", "honour", "camket", "pledge", "web", "lienket", "link",
    "lichphat", "campaigns",
})

# (command, text key) in the order the menu lists them; only commands the runner has are shown.
MENU = (
    ("baotin", "menu.report"),
    ("tindabao", "menu.myreports"),
    ("thamgia", "menu.join"),
    ("to", "menu.myteam"),
    ("keng", "menu.alarm"),  # for those who may sound the gong only
    ("tuantra", "menu.patrol"),  # for team members only
    ("diem", "menu.points"),
    ("camket", "menu.pledge"),
    ("caidat", "menu.settings"),
    ("dulieu", "menu.mydata"),
    ("trogiup", "menu.help"),
)
# A leader's and an officer's entries, in the words of their help: a command already in MENU
# takes the role's words there; the others follow the gong, in this order.
LEADER_MENU = (("to", "menu.leader_team"), ("keng", "menu.leader_alarm"),
               ("nhantin", "menu.leader_message"), ("tuantra", "menu.leader_patrol"))
OFFICER_MENU = (
    ("keng", "menu.officer_alarm"),
    ("thongbao", "menu.officer_broadcast"),
    ("tinmo", "menu.officer_open"),
    ("tin", "menu.officer_lookup"),
    ("thongke", "menu.officer_stats"),
    ("taoto", "menu.officer_new_team"),
    ("totruong", "menu.officer_set_leader"),
)


async def show_help(turn: Turn) -> str:
    """Sends the resident's help, plus the leader's and officer's parts where they apply."""
    await turn.say("\n\n".join(await _help_parts(turn)))
    return END


async def outside(turn: Turn) -> str:
    """A private message no flow is waiting for: a resident is told how to report and the
    emergency numbers; a leader or an officer gets their help. A contact is the phone
    number of a phone keyboard left showing (handlers.phone)."""
    if turn.kind is Kind.CONTACT:
        return await phone.contact_outside(turn)
    parts = await _help_parts(turn)
    if len(parts) == 1:
        await turn.say(turn.t("flows.outside_resident"))
    else:
        await turn.say("\n\n".join([turn.t("flows.outside_staff"), *parts]))
    return END


async def show_menu(turn: Turn) -> str:
    """`menu`: what the person can do here, as choices — a leader's and an officer's entries
    too, by their roles in the database; the chosen one starts."""
    gong = bool(await turn.services.alarms.scopes(turn.person))
    leader, officer = await _roles(turn)
    keys = dict(MENU)
    order = [command for command, _ in MENU]
    for role, entries in ((leader, LEADER_MENU), (officer, OFFICER_MENU)):
        if role:
            keys.update(entries)
            after = order.index("keng") + 1
            order[after:after] = [command for command, _ in entries if command not in order]
    member = bool(await turn.services.store.memberships.of_resident(turn.person.id))
    choices = [Choice(turn.t(keys[command]), command) for command in order
               if command in turn.commands and (command != "keng" or gong)
               and (command != "tuantra" or member)]
    await turn.ask(turn.t("menu.ask"), rows_of(choices))
    return "chosen"


async def menu_chosen(turn: Turn) -> str:
    """Starts the chosen command's flow; anything else leaves the menu and is answered as a
    message outside any flow."""
    if turn.kind is Kind.CHOICE and turn.input.choice in turn.commands:
        return f"/{turn.input.choice}"
    return await outside(turn)


async def _roles(turn: Turn) -> tuple[bool, bool]:
    """Whether the person leads a team, and whether they are an officer (the database's)."""
    services = turn.services
    teams = await services.store.memberships.of_resident(turn.person.id)
    officer = bool(await services.officers.communes_of(turn.person))
    return any(m.role == "leader" for _, m in teams), officer


async def _help_parts(turn: Turn) -> list[str]:
    parts = [turn.t("help.resident")]
    leader, officer = await _roles(turn)
    if leader:
        parts.append(turn.t("help.leader"))
    if officer:
        parts.append(turn.t("help.officer"))
        # The typed Telegram id of /totruong is named to officers who are on Telegram.
        parts.append(turn.t("officer_tools.help" if turn.channel == "telegram"
                            else "officer_tools.help_pick"))
    return parts


def build_flows() -> list[Flow]:
    return [
        Flow(name="help", commands=("trogiup", "help"), start=show_help, private=False),
        Flow(name="menu", commands=("menu",), start=show_menu, steps={"chosen": menu_chosen},
             timeout_minutes=60),
    ]
