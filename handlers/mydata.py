"""/dulieu (/mydata): everything stored about the person, as a JSON file where the channel
sends files (Telegram) or as text (Zalo), and a readable summary; /xoadulieu (/forget):
delete it, after "Xóa"."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.dialog import END, Choice, Flow, Kind, Turn
from bot.models import Account
from bot.services.residents import display_phone
from handlers import help

YES, NO = "yes", "no"
CONFIRM_MINUTES = 15  # an older "Xóa" is stale


async def show(turn: Turn) -> str:
    """Sends the person's data (a file, else text), then a readable summary."""
    services = turn.services
    data = await services.residents.export(turn.person)
    data["exported_at"] = services.clock.now().isoformat(timespec="seconds")
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"anninh-du-lieu-{turn.address}.json"
    if not await turn.send_file(name, body.encode("utf-8"), turn.t("mydata.caption")):
        await turn.say(turn.t("mydata.as_text", data=turn.esc(body)))
    await turn.say(_summary(turn, data))
    return END


def _summary(turn: Turn, data: dict[str, Any]) -> str:
    catalog, none = turn.services.catalog, turn.t("mydata.none")
    accounts = [turn.t("mydata.account", channel=turn.t(f"mydata.channel_{a['channel']}"),
                       id=turn.esc(a["id"])) for a in data["accounts"]]
    teams = [f"{t['team']} ({turn.t('mydata.role_' + t['role'])})" for t in data["teams"]]
    tags = [catalog.tags[t].name(turn.lang) if t in catalog.tags else t for t in data["tags"]]
    return turn.t(
        "mydata.summary", accounts=", ".join(accounts) or none,
        consent=turn.t(f"mydata.consent_{turn.person.consent}"),
        name=turn.esc(data["display_name"] or none),
        phone=turn.esc(display_phone(data["phone"]) if data["phone"] else none),
        area=turn.esc(", ".join(p for p in (data["hamlet"], data["commune"]) if p) or none),
        tags=turn.esc(", ".join(tags) or none), teams=turn.esc("; ".join(teams) or none),
    )


async def ask_forget(turn: Turn) -> str:
    """/xoadulieu: says what will be deleted and asks for "Xóa" or "Hủy"."""
    accounts = await turn.services.store.accounts.of_resident(turn.person.id)
    await turn.ask(turn.t("mydata.forget_ask", ids=_ids(turn, accounts)), ((
        Choice(turn.t("mydata.forget_yes"), YES), Choice(turn.t("mydata.forget_no"), NO)),),
        replace=True)
    return "confirm"


async def confirm(turn: Turn) -> str:
    """"Xóa": deletes the person's own data, ends what they had open on every channel, and
    says what was kept and why; "Hủy": nothing. Anything else lets go of the question."""
    if turn.kind is not Kind.CHOICE:
        return await help.outside(turn)
    if turn.input.choice != YES:
        await turn.ask(turn.t("mydata.forget_cancelled"), replace=True)
        return END
    services = turn.services
    accounts = await services.store.accounts.of_resident(turn.person.id)
    names = [name for name in turn.names if not name.startswith("@")]
    forgotten = await services.residents.forget(
        turn.person, names=[turn.display_name, *names],
        usernames=[name for name in turn.names if name.startswith("@")])
    await services.events.person_forgotten(accounts)  # what channels keep outside the tables
    await turn.ask(turn.t("mydata.forgotten", ids=_ids(turn, accounts),
                          teams=forgotten.memberships, reports=forgotten.reports_kept),
                   replace=True)
    return END


def _ids(turn: Turn, accounts: Sequence[Account]) -> str:
    """"mã Telegram, mã Zalo": the kinds of account ids the person has."""
    channels = dict.fromkeys(a.channel for a in accounts) or {turn.channel: None}
    return ", ".join(turn.t("mydata.account_id", channel=turn.t(f"mydata.channel_{c}"))
                     for c in channels)


def build_flows() -> list[Flow]:
    return [
        Flow(name="mydata", commands=("dulieu", "mydata"), start=show),
        Flow(name="forget", commands=("xoadulieu", "forget"), start=ask_forget,
             steps={"confirm": confirm}, timeout_minutes=CONFIRM_MINUTES,
             cancelled="mydata.forget_cancelled"),
    ]
