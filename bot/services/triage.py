"""Triage on every channel: what an officer's (or the assigned team leader's) action does
besides the state change itself (ReportService: the rules, the audit, act once) — the reporter
told, the leader's task, the officers told — the same for a press in the Telegram group, a
number typed on Zalo and (later) a click in the web console; and the escalation of a report
nobody accepts.

Where officers see a report: in the commune's Telegram staff group (posted and edited in place
by bot/channels/telegram/cards.py, on `events.report_filed` and `events.report_changed`), and
privately, through the outbox, each officer with no seat in it: one whose preferred messenger
is not Telegram, or every officer of a commune without a group. A private copy on a channel
whose adapter edits it in place (`edited_in_place`) is kept up to date there; on any other
(Zalo) every change comes as one short message with the choices the new state allows — one
per change per officer, the one who acted included. A new report's private copy is followed by
its photos, one message each, from the media store (Telegram's cached file id where there is
one): on Zalo they go by the web server's address, as every kept photo does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from html import escape

from bot.delivery import DeliveryEngine, OutMessage
from bot.events import Events
from bot.i18n import I18n
from bot.media import MediaStore
from bot.models import Broadcast, Channel, Recipient, Report, Resident
from bot.services.cards import STAFF_GROUP_CHANNEL, Cards
from bot.services.points import COMMENDED, REPORT_ACCEPTED, REPORT_RESOLVED, PointsService
from bot.services.relays import Buttons, Notice, RelayService
from bot.services.report_values import Acted, Action, Outcome, Pressed, ReportChange
from bot.services.reports import ReportService
from bot.store import Store

CARD = "card"  # broadcasts 'card:<report id>': the card's private copies
REPORTER_TOLD = "report"  # 'report:<code>:<what>': a notice to the reporter
CLOSING = ("resolved", "rejected")
CHANGED = "card-change"  # 'card-change:<report id>': a change told where copies are not edited
PHOTOS = "card-photo"  # 'card-photo:<report id>': the photos after a card's private copies


class TriageService:
    def __init__(
        self, store: Store, i18n: I18n, reports: ReportService, cards: Cards,
        relays: RelayService, delivery: DeliveryEngine, events: Events, files: MediaStore,
    ) -> None:
        self._store, self._i18n, self._reports, self._cards = store, i18n, reports, cards
        self._relays, self._delivery, self._events = relays, delivery, events
        self._files = files
        self.edited_in_place: set[Channel] = set()  # channels whose adapter edits copies
        # Deletes a person (ResidentService.forget): set by the container.
        self.forget_person: Callable[[Resident], Awaitable[object]] | None = None
        self.points: PointsService | None = None  # thi đua: set by the container
        delivery.on_finished(CARD, self._copies_delivered)
        delivery.on_finished(REPORTER_TOLD, self._reporter_told)

    # --- a new report ---------------------------------------------------------------------

    async def report_filed(self, report: Report, duplicate: Report | None) -> None:
        """The card to each officer with no seat in the staff group, privately."""
        del duplicate  # shown on the card through report.duplicate_of
        commune = await self._store.areas.commune(report.commune_id or 0)
        grouped = commune is not None and commune.staff_chat_id is not None
        unseated = [route for route in await self.officer_routes(report)
                    if not grouped or route.channel != STAFF_GROUP_CHANNEL]
        head = "" if grouped else self._cards.t("report.staff.no_group")
        await self.send_copies(report, head, unseated)
        await self._send_photos(report, unseated)

    async def officer_routes(self, report: Report) -> list[Recipient]:
        """The report's officers, each on their preferred messenger."""
        officers = await self._reports.officers(report)
        routes = await self._store.routes.recipients(officer.id for officer in officers)
        return [routes[officer.id] for officer in officers if officer.id in routes]

    async def send_copies(self, report: Report, head: str, recipients: list[Recipient]) -> None:
        """The card with its choices, `head` above it, to each of `recipients` privately."""
        if not recipients:
            return
        card = await self._cards.text(report, self._cards.waiting())
        await self._delivery.enqueue(
            "personal", OutMessage(text=f"{head}\n\n{card}" if head else card,
                                   buttons=self._cards.choices(report)),
            recipients, commune_id=report.commune_id, origin=f"{CARD}:{report.id}",
            created_by=report.reporter_id)  # so the reporter's deletion redacts their name

    async def _send_photos(self, report: Report, recipients: list[Recipient]) -> None:
        """The report's photos after its card, one message each (the group has them under
        the card already; an escalation's copy does not send them again)."""
        photos = [photo for photo in await self._reports.photos(report)
                  if photo.file_id or photo.media_key]
        for number, photo in enumerate(photos if recipients else (), 1):
            caption = self._cards.t("report.staff.photo", n=number, total=len(photos),
                                    code=report.code)
            path = str(self._files.path(photo.media_key)) if photo.media_key else None
            await self._delivery.enqueue(
                "personal", OutMessage(text=caption, photo=photo.file_id, photo_path=path),
                recipients, commune_id=report.commune_id, origin=f"{PHOTOS}:{report.id}",
                created_by=report.reporter_id)  # erased with the reporter's photos

    # --- actions --------------------------------------------------------------------------

    async def act(
        self, actor: Resident, name: str, report_id: int, action: Action, *,
        team_id: int | None = None, note: str | None = None, pressed: Pressed | None = None,
        origin: str | None = None,
    ) -> Acted:
        """An officer's action (see ReportService.act); when done, everyone is told: the
        reporter, the officers, the assigned team's leader. `name` is how the card names the
        officer; `pressed` the message they acted on; `origin` "web" from the console."""
        acted = await self._reports.act(actor, report_id, action, team_id, note, origin)
        if acted.outcome is Outcome.DONE:
            await self._changed(acted, name, pressed)
            if action is Action.ASSIGN:
                await self._send_task(acted)
        return acted

    async def note_outcome(self, actor: Resident, report_id: int, note: str,
                           origin: str | None = None) -> Acted:
        """What came of a resolved report (ReportService.note_outcome); the reporter told."""
        acted = await self._reports.note_outcome(actor, report_id, note, origin)
        if acted.outcome is Outcome.DONE and acted.report is not None:
            await self._tell_reporter(acted.reporter, "report.you.outcome",
                                      code=acted.report.code,
                                      outcome=escape(acted.report.state_note or "", quote=False))
        return acted

    async def followups(self, report: Report) -> Buttons:
        """The choices still open after a report is resolved (Cards.followup_choices)."""
        return self._cards.followup_choices(
            report, commended=await self._reports.commended(report.id))

    async def commend(self, actor: Resident, report_id: int,
                      origin: str | None = None) -> Acted:
        """"Khen": an officer thanks a resolved report's reporter, once — the reporter is
        told and earns the rule's points, the officer never learns who it is; audited."""
        acted = await self._reports.commend(actor, report_id, origin)
        if acted.outcome is Outcome.DONE and acted.report is not None:
            if self.points is not None and acted.report.reporter_id is not None:
                await self.points.award(acted.report.reporter_id, COMMENDED, "report",
                                        acted.report.id)
            await self._tell_reporter(acted.reporter, "report.you.commended",
                                      code=acted.report.code)
        return acted

    async def leader_update(
        self, actor: Resident, name: str, report_id: int, action: Action
    ) -> Acted:
        """The assigned team's leader: "arrived" (the officers told under the card, once) or
        "resolved" (a change like an officer's)."""
        acted = await self._reports.leader_update(actor, report_id, action)
        if acted.outcome is not Outcome.DONE:
            return acted
        report, team = acted.report, acted.team
        assert report is not None and team is not None
        if action is Action.ARRIVED:
            await self._relays.to_staff(report, self._cards.t(
                "report.staff.arrived", team=escape(team.name, quote=False), code=report.code,
                name=escape(name, quote=False), time=self._cards.now("%H:%M")), None,
                party="leader", note=None, notice=None)
            return acted
        await self._changed(acted, name, None)
        return acted

    async def _changed(self, acted: Acted, name: str, pressed: Pressed | None) -> None:
        report = acted.report
        assert report is not None and acted.action is not None
        team = acted.team.name if acted.team else ""
        status = self._cards.status(report, name, team)
        await self._events.report_changed(ReportChange(report, acted.action, status, pressed))
        key = "reopened" if acted.action is Action.REOPEN else report.state
        await self._tell_reporter(acted.reporter, f"report.you.{key}", code=report.code,
                                  team=escape(team, quote=False),
                                  reason=escape(report.state_note or "", quote=False))
        await self._tell_unedited(report, status)
        await self._award(report, acted.action)

    async def _award(self, report: Report, action: Action) -> None:
        """A report an officer accepted or resolved earns its reporter points (anonymous or
        not: only the reporter sees them); a rejected one earns nothing."""
        rule = {Action.ACCEPT: REPORT_ACCEPTED, Action.ASSIGN: REPORT_ACCEPTED,
                Action.RESOLVE: REPORT_RESOLVED}.get(action)
        if rule is None or report.reporter_id is None or self.points is None:
            return
        if rule == REPORT_RESOLVED:  # resolved straight away: it was accepted too
            await self.points.award(report.reporter_id, REPORT_ACCEPTED, "report", report.id)
        await self.points.award(report.reporter_id, rule, "report", report.id)

    async def _tell_unedited(self, report: Report, status: str) -> None:
        """One short message with the new state and its choices to each officer whose copy
        is on a channel without in-place edits."""
        recipients = [route for route in await self.officer_routes(report)
                      if route.channel not in self.edited_in_place]
        buttons = self._cards.choices(report)
        if report.state == "resolved":  # just resolved: what came of it, thanks
            buttons = (*buttons, *await self.followups(report))
        if recipients:
            await self._delivery.enqueue(
                "personal", OutMessage(text=self._cards.changed(report, status),
                                       buttons=buttons),
                recipients, commune_id=report.commune_id, origin=f"{CHANGED}:{report.id}")

    async def _tell_reporter(self, reporter: Resident | None, key: str, **values: str) -> None:
        """A message to the reporter in their language, on their preferred messenger;
        nothing if the report is unlinked from its reporter."""
        recipient = None if reporter is None else await self._relays.recipient(reporter.id)
        if reporter is None or recipient is None:
            return
        lang = self._i18n.language(reporter.language)
        await self._delivery.enqueue(
            "personal", OutMessage(text=self._i18n.t(lang, key, **values)), [recipient],
            commune_id=reporter.commune_id,
            origin=f"report:{values.get('code', '')}:{key.rsplit('.', 1)[-1]}")

    async def _send_task(self, acted: Acted) -> None:
        """The task with "Đã đến" / "Đã xử lý" to the assigned team's leader, through the
        outbox; a reply to it reaches the officers. Should it not arrive (or there is no way
        to the leader), the staff group is told under the card."""
        report, team, leader = acted.report, acted.team, acted.leader
        assert report is not None and team is not None
        recipient = None if leader is None else await self._relays.recipient(leader.resident_id)
        unreachable = self._cards.t("report.staff.leader_unreachable",
                                    team=escape(team.name, quote=False))
        if leader is None or recipient is None:
            await self._relays.to_staff(report, unreachable, None, party="leader", note=None,
                                        notice=None)
            return
        person = await self._store.residents.get(leader.resident_id)
        lang = self._i18n.language(person.language if person else None)
        text = self._i18n.t(
            lang, "report.leader.task", team=escape(team.name, quote=False), code=report.code,
            category=escape(self._reports.categories.name(report.category, lang), quote=False),
            place=self._cards.place(lang, report),
            description=escape(report.description, quote=False))
        notice = (Notice(report.staff_chat_id, report.staff_message_id, "", unreachable)
                  if report.staff_chat_id is not None else None)
        await self._relays.to_person(report, recipient, text, None, party="leader", note=None,
                                     notice=notice, buttons=self._cards.task_choices(lang, report))

    # --- escalation -----------------------------------------------------------------------

    async def escalate(self) -> int:
        """Raise the reports not accepted in time: first under the card in the staff group
        (where there is one), then with the card to each officer privately; how many."""
        taken = await self._reports.take_due_escalations()
        for report in taken:
            minutes = self._reports.minutes_waiting(report)
            if report.escalation_level == 1 and report.staff_chat_id is not None:
                await self._relays.to_staff(report, self._cards.t(
                    "report.staff.escalated", code=report.code, minutes=minutes), None,
                    party="reporter", note=None, notice=None)
                continue
            category = self._reports.categories.name(report.category, self._i18n.default)
            head = self._cards.t("report.staff.escalated_private", code=report.code,
                                 category=escape(category, quote=False), minutes=minutes)
            await self.send_copies(report, head, await self.officer_routes(report))
        return len(taken)

    async def _reporter_told(self, broadcast: Broadcast) -> None:
        """Someone who reported without registering has been told how their report ended:
        nothing of them is kept any longer (their account, the link to their reports), unless
        another of their reports is still open or they have registered meanwhile."""
        _, code, what = [*broadcast.origin.split(":"), "", ""][:3]
        digits = code[3:]
        if what not in CLOSING or not digits.isdigit() or self.forget_person is None:
            return
        report = await self._store.reports.get(int(digits))
        reporter = None if report is None or report.reporter_id is None else (
            await self._store.residents.get(report.reporter_id))
        if reporter is None or reporter.has_consented or any(
                mine.is_open for mine in await self._reports.mine(reporter)):
            return
        await self.forget_person(reporter)

    async def _copies_delivered(self, broadcast: Broadcast) -> None:
        """Link the copies delivered where replies are read (Telegram's integer ids): an
        officer's reply to one goes to the reporter."""
        report_id = int(broadcast.origin.split(":", 1)[1])
        arrived = [(d.chat_id, d.message_id) for d in
                   await self._store.outbox.deliveries(broadcast.id)
                   if d.state == "sent" and isinstance(d.chat_id, int)
                   and isinstance(d.message_id, int)]
        if arrived:
            await self._reports.link(report_id, arrived)
