"""How a report reads for the commune's officers, on every channel: the card, its status line,
the choices each state allows (their values are the triage actions' of handlers/triage.py and
handlers/reject.py), and the short line that tells an officer on a channel without edits that
it changed. Officers read them in the deployment's default language.

The card names the incident's hamlet, never the reporter's home; an anonymous reporter is never
named, nor where they live."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import I18n
from bot.models import Channel, Report, Team, tracking_code
from bot.services.relays import Buttons
from bot.services.report_values import OUTCOMES, REJECT_REASONS
from bot.services.reports import ReportService
from bot.services.residents import display_phone
from bot.store import Store

# The actions' prefixes: an officer's on the card, the assigned team leader's on the task.
ACCEPT, ASSIGN, RESOLVE, REJECT, REOPEN = "tr:acc", "tr:asg", "tr:res", "tr:rej", "tr:reo"
TEAM, BACK, REASON, OTHER_REASON = "tr:team", "tr:back", "tr:rjr", "tr:rjo"
OUTCOME, OTHER_OUTCOME, COMMEND = "tr:out", "tr:outo", "tr:khen"
ARRIVED, LEADER_RESOLVED = "ld:arr", "ld:res"

STAFF_GROUP_CHANNEL: Channel = "telegram"  # a commune's staff_chat_id names a Telegram group
MAX_TEAMS = 20  # teams offered for an assignment


def esc(value: object) -> str:
    return escape(str(value), quote=False)


class Cards:
    def __init__(
        self, store: Store, i18n: I18n, reports: ReportService, clock: Clock, tz: ZoneInfo
    ) -> None:
        self._store, self._i18n, self._reports = store, i18n, reports
        self._clock, self._tz = clock, tz

    def t(self, key: str, **values: object) -> str:
        return self._i18n.t(self._i18n.default, key, **values)

    async def text(self, report: Report, status: str) -> str:
        """The report as officers read it, ending with `status`."""
        store = self._store
        hamlet = await store.areas.hamlet(report.hamlet_id) if report.hamlet_id else None
        reporter = self.t("report.staff.anonymous")
        if not report.anonymous and report.reporter_id is not None:
            person = await store.residents.get(report.reporter_id)
            if person is not None:  # named: never shown as anonymous, with or without a name
                home = await store.areas.hamlet(person.hamlet_id) if person.hamlet_id else None
                phone = display_phone(person.phone) if person.phone else None
                reporter = " · ".join(esc(part) for part in (
                    person.display_name or self.t("report.staff.unnamed"), phone,
                    home.name if home else None) if part)
        duplicate = "" if report.duplicate_of is None else self.t(
            "report.staff.duplicate", code=tracking_code(report.duplicate_of))
        return self.t(
            "report.staff.card", code=report.code, category=self._category(report),
            urgency=self.t(f"report.staff.urgency_{report.urgency}"),
            hamlet=esc(hamlet.name) if hamlet else self.t("report.staff.unknown"),
            place=self.place(self._i18n.default, report), reporter=reporter,
            photos=len(await self._reports.photos(report)),
            description=esc(report.description), duplicate=duplicate, status=status,
        )

    def place(self, lang: str, report: Report) -> str:
        """A map link for a shared location, else the typed address."""
        if report.latitude is not None and report.longitude is not None:
            lat, lon = f"{report.latitude:.6f}", f"{report.longitude:.6f}"
            return f'<a href="https://maps.google.com/?q={lat},{lon}">{lat}, {lon}</a>'
        if report.address:
            return esc(report.address)
        return self._i18n.t(lang, "report.no_place")

    def status(self, report: Report, name: str, team: str = "") -> str:
        """The status line of a report that `name` just moved to its state, now."""
        status = self.t(f"report.staff.status_{report.state}", name=esc(name), team=esc(team),
                        time=self.now("%H:%M %d/%m"))
        return status + self.reason(report)

    def now(self, form: str) -> str:
        """The local time now, in this strftime form."""
        return self._clock.now().astimezone(self._tz).strftime(form)

    def waiting(self) -> str:
        return self.t("report.staff.status_submitted")

    def state_line(self, report: Report) -> str:
        """The report's state as it is now (who moved it there is not said)."""
        state = self.t(f"report.mine.state_{report.state}")
        return self.t("report.lookup.status", state=state) + self.reason(report)

    def reason(self, report: Report) -> str:
        """A rejected report's reason, as a line of its own ("" for any other)."""
        if report.state != "rejected" or not report.state_note:
            return ""
        return "\n" + self.t("report.staff.reason", reason=esc(report.state_note))

    def changed(self, report: Report, status: str) -> str:
        """The short message that tells an officer on a channel without edits what became
        of a report."""
        return self.t("report.staff.changed", code=report.code, category=self._category(report),
                      status=status)

    def choices(self, report: Report) -> Buttons:
        """What the report's state allows, as the card offers it."""
        accept, assign, resolve = (self._choice(key, verb, report) for key, verb in (
            ("accept", ACCEPT), ("assign", ASSIGN), ("resolve", RESOLVE)))
        reject = self._choice("reject", REJECT, report)
        if report.state == "submitted":
            return ((accept, assign), (resolve, reject))
        if report.state == "accepted":
            return ((assign,), (resolve, reject))
        if report.state == "assigned":
            return ((assign, resolve),)
        return ((self._choice("reopen", REOPEN, report),),)  # closed: it can be taken up again

    def team_choices(self, report: Report, teams: list[Team]) -> Buttons:
        rows = tuple(((f"👥 {team.name}", f"{TEAM}:{report.id}:{team.id}"),)
                     for team in teams[:MAX_TEAMS])
        return (*rows, (self._choice("back", BACK, report),))

    def followup_choices(self, report: Report, *, commended: bool) -> Buttons:
        """What may still follow a resolved report: its outcome (a few, and one to type) while
        it has none, and thanking its reporter ("Khen") until someone has."""
        rows: Buttons = ()
        if report.state == "resolved" and not report.state_note:
            rows = (*(((self.t(f"report.staff.outcome_{key}"), f"{OUTCOME}:{report.id}:{key}"),)
                      for key in OUTCOMES),
                    (self._choice("outcome_other", OTHER_OUTCOME, report),))
        if report.state == "resolved" and report.reporter_id is not None and not commended:
            rows = (*rows, (self._choice("commend", COMMEND, report),))
        return rows

    def reason_choices(self, report: Report) -> Buttons:
        rows = tuple(((self.t(f"report.staff.reason_{key}"), f"{REASON}:{report.id}:{key}"),)
                     for key in REJECT_REASONS)
        return (*rows, (self._choice("reason_other", OTHER_REASON, report),
                        self._choice("back", BACK, report)))

    def task_choices(self, lang: str, report: Report) -> Buttons:
        """The assigned team leader's "Đã đến" / "Đã xử lý"."""
        return (((self._i18n.t(lang, "report.leader.arrived"), f"{ARRIVED}:{report.id}"),
                 (self._i18n.t(lang, "report.leader.resolved"),
                  f"{LEADER_RESOLVED}:{report.id}")),)

    @staticmethod
    def link(report: Report, channel: Channel) -> str | None:
        """A link to the report's card in its staff group, for a person on the group's
        messenger (a t.me link to a supergroup's message, ids -100…); None elsewhere."""
        chat_id, message_id = report.staff_chat_id, report.staff_message_id
        if channel != STAFF_GROUP_CHANNEL or chat_id is None or message_id is None or not str(
                chat_id).startswith("-100"):
            return None
        return f"https://t.me/c/{str(chat_id)[4:]}/{message_id}"

    def _category(self, report: Report) -> str:
        return esc(self._reports.categories.name(report.category, self._i18n.default))

    def _choice(self, key: str, prefix: str, report: Report) -> tuple[str, str]:
        return self.t(f"report.staff.{key}"), f"{prefix}:{report.id}"
