"""/baotin (/report): category → what happened → where → photos → anonymous or named → send.

This module holds the flow's first steps and its shape; handlers/report_send.py the last
steps; handlers/report_photos.py the rules for photos; handlers/report_choices.py the
choices each step offers."""

from __future__ import annotations

from bot.dialog import (
    END,
    Choice,
    Flow,
    Kind,
    Rows,
    Share,
    Turn,
    as_command,
    command_value,
    rows_of,
)
from bot.services import draft_token
from bot.services.categories import Category
from bot.text import matches
from handlers import help, report_photos
from handlers.report_choices import (
    BACK,
    PARTS,
    SKIP,
    category_choices,
    done_choice,
    edit_choices,
    is_done_or_skip,
    is_skip,
    photo_choices,
    skip_choice,
)
from handlers.report_send import ask_identity, confirm, identity, refuse_rate, summary
from handlers.text import as_id

MAX_ADDRESS = 300
HAMLET = "h:"  # a hamlet chosen as the place: h:<id>
PATROL = "patrol:"  # /baotin's argument from a patrol: patrol:<shift id>
EDITING = "editing"  # in the draft: one part is asked again ("Sửa"), then the summary
UNREGISTERED = "unregistered"  # in the draft: no consent, so anonymous and nothing kept
COMMUNE = "c:"  # a commune chosen by someone who has not registered: c:<id>
ANONYMOUS_NOW = "anonymous-now"


async def start(turn: Turn) -> str:
    """/baotin: checks consent, commune and the hourly limit; asks for the category."""
    reports = turn.services.reports
    if not turn.person.has_consented:
        return await _start_unregistered(turn)
    if turn.person.commune_id is None:
        await turn.ask(turn.t("report.no_commune"), replace=True)
        return END
    if not await reports.may_report(turn.person):
        await refuse_rate(turn)
        return END
    turn.data = {"token": draft_token()}
    if (shift := await _patrol_shift(turn)) is not None:
        turn.data["patrol"] = shift
    await turn.ask(turn.t("report.ask_category"), category_choices(turn), replace=True)
    return "category"


async def _start_unregistered(turn: Turn) -> str:
    """Someone who has not registered may still report, always anonymously; one never asked
    for consent chooses first between registering and an anonymous report."""
    if turn.person.consent == "none":
        await turn.ask(turn.t("report.register_or_anonymous"), (
            (Choice(turn.t("report.anonymous_now"), ANONYMOUS_NOW),),
            (Choice(turn.t("report.register"), command_value("start")),)), replace=True)
        return "unregistered"
    return await _anonymous_without_registering(turn)


async def unregistered(turn: Turn) -> str:
    """"Báo tin ẩn danh" starts the report ("Đăng ký" is /start itself); anything else is
    answered as a message outside any flow (the question holds nobody)."""
    if turn.kind is Kind.CHOICE and turn.input.choice == ANONYMOUS_NOW:
        return await _anonymous_without_registering(turn)
    if turn.kind is Kind.CHOICE and as_command(turn.input.choice) is not None:
        return str(turn.input.choice)
    return await help.outside(turn)


async def _anonymous_without_registering(turn: Turn) -> str:
    """Told it goes anonymously; the commune asked where the deployment has several."""
    if not await turn.services.reports.may_report(turn.person):
        await refuse_rate(turn)
        return END
    communes = await turn.services.store.areas.communes()
    if not communes:
        await turn.ask(turn.t("onboarding.no_communes"), replace=True)
        return END
    turn.data = {"token": draft_token(), UNREGISTERED: True, "anonymous": True}
    await turn.say(turn.t("report.unregistered"))
    if len(communes) > 1:
        await turn.ask(turn.t("report.ask_commune"), rows_of(
            [Choice(c.name, f"{COMMUNE}{c.id}") for c in communes], 2), replace=True)
        return "commune"
    turn.data["commune"] = communes[0].id
    await turn.ask(turn.t("report.ask_category"), category_choices(turn), replace=True)
    return "category"


async def commune(turn: Turn) -> str:
    """The commune someone who has not registered names; asks the category."""
    chosen = turn.input.choice if turn.kind is Kind.CHOICE else ""
    found = None
    if chosen and chosen.startswith(COMMUNE):
        found = await turn.services.store.areas.commune(_as_id(chosen[len(COMMUNE):]))
    if found is None:
        communes = await turn.services.store.areas.communes()
        found = next((c for c in communes if matches(c.name, turn.text)), None) if (
            turn.kind is Kind.TEXT and turn.text) else None
    if found is None:
        communes = await turn.services.store.areas.communes()
        await turn.ask(turn.t("report.ask_commune"), rows_of(
            [Choice(c.name, f"{COMMUNE}{c.id}") for c in communes], 2))
        return "commune"
    turn.data["commune"] = found.id
    await turn.ask(turn.t("report.ask_category"), category_choices(turn), replace=True)
    return "category"


def commune_of(turn: Turn) -> int | None:
    """The commune the report is for: the resident's, or the one an unregistered person named."""
    named = turn.data.get("commune")
    return named if turn.data.get(UNREGISTERED) and isinstance(named, int) else (
        turn.person.commune_id)


async def _patrol_shift(turn: Turn) -> int | None:
    """"Báo tin từ ca tuần tra" starts /baotin with "patrol:<shift id>": the shift, where
    the person is on it (handlers/patrol_actions.py)."""
    if not turn.text.startswith(PATROL):
        return None
    shift_id = as_id(turn.text[len(PATROL):])
    if shift_id is None or await turn.services.store.patrols.assignment(
            shift_id, turn.person.id) is None:
        return None
    return shift_id


async def category(turn: Turn) -> str:
    """Stores the chosen or typed category (accent-insensitive words); asks what happened."""
    categories = turn.services.reports.categories
    found: Category | None
    if turn.kind is Kind.CHOICE:
        found = categories.get(turn.input.choice or "")
    else:
        found = categories.match(turn.text)
    if found is None:
        await turn.ask(turn.t("report.press_category"), category_choices(turn))
        return "category"
    turn.data["category"] = found.code
    if turn.data.pop(EDITING, False):
        return await summary(turn)
    return await _ask_description(turn, found)


async def _ask_description(turn: Turn, found: Category) -> str:
    emergency = (turn.t("report.emergency", number=turn.esc(found.emergency))
                 if found.emergency else "")
    await turn.ask(turn.t("report.ask_description", emergency=emergency,
                          category=turn.esc(found.name(turn.lang))), replace=True)
    return "description"


async def description(turn: Turn) -> str:
    """Stores the description (a text within the configured length, a voice note, or a
    photo's caption); asks where."""
    if turn.kind is Kind.VOICE:
        assert turn.input.media is not None
        stored = await turn.keep_media("voice")
        if stored is None:  # the person was told, and sends it again or types
            return "description"
        turn.data["voice"], turn.data["voice_key"] = turn.input.media.cache_id, stored.key
        turn.data["description"] = turn.t("report.voice_description")
        return await _ask_location(turn)
    if turn.kind is Kind.PHOTO:
        return await _description_photo(turn)
    if turn.kind not in (Kind.TEXT, Kind.CHOICE):
        await turn.ask(turn.t("report.text_expected"), replace=True)
        return "description"
    limit = turn.services.config.reports.max_text_length
    if not turn.text:  # nothing visible: only spaces, zero-width or other invisible characters
        await turn.ask(turn.t("errors.blank_text"), replace=True)
        return "description"
    if len(turn.text) > limit:
        await turn.ask(turn.t("report.too_long", length=len(turn.text), limit=limit),
                       replace=True)
        return "description"
    turn.data["description"] = turn.text
    return await _ask_location(turn)


async def _description_photo(turn: Turn) -> str:
    """A photo: kept as the first photo; its caption is the description (asks where), else
    asks for the text (once per album)."""
    first_of_album = not report_photos.in_album(turn)
    await report_photos.keep(turn, caption=False)
    limit = turn.services.config.reports.max_text_length
    if not turn.text:
        if first_of_album:
            await turn.say(turn.t("report.photo_kept_text_expected"))
        return "description"
    if len(turn.text) > limit:
        await turn.say(turn.t("report.too_long", length=len(turn.text), limit=limit))
        return "description"
    turn.data["description"] = turn.text
    return await _ask_location(turn)


async def _ask_location(turn: Turn) -> str:
    """Where: a shared location (where the channel can), a hamlet of the commune, a typed
    address or landmark, or "Bỏ qua" (the summary instead, when only the text was changed)."""
    if turn.data.pop(EDITING, False):
        return await summary(turn)
    choices = await place_choices(turn)
    if not turn.can_share(Share.LOCATION):
        await turn.ask(turn.t("report.ask_place"), choices)
        return "location"
    await turn.ask(turn.t("report.ask_location"), choices, share=Share.LOCATION,
                   share_label=turn.t("report.share_location"),
                   share_hint=turn.t("report.location_keyboard"),
                   cancel_label=turn.t("report.skip"))
    return "location"


async def location(turn: Turn) -> str:
    """A shared location (unless far outside the commune), a typed address, or "Bỏ qua";
    asks for photos. The rest of an album sent at the description step is kept."""
    if turn.kind is Kind.LOCATION:
        assert turn.input.location is not None
        lat, lon = turn.input.location
        far = await turn.services.reports.too_far_km(commune_of(turn), lat, lon)
        if far is not None:
            await turn.say(turn.t("report.location_far", km=round(far)))
            return "location"
        turn.data.update(lat=lat, long=lon)
        return await _ask_photos(turn, None, "report.place_shared")
    if turn.kind is Kind.CHOICE and (turn.input.choice or "").startswith(HAMLET):
        return await _hamlet_chosen(turn)
    if (turn.kind is Kind.CHOICE and turn.input.choice == SKIP) or (
            turn.kind is Kind.TEXT and is_skip(turn, turn.text)):
        await turn.close_press()
        return await _ask_photos(turn, None, "report.place_none")
    if turn.kind is Kind.PHOTO and report_photos.in_album(turn):
        await report_photos.keep(turn)
        return "location"
    if turn.kind is not Kind.TEXT:
        await turn.say(turn.t("report.location_expected"))
        return "location"
    address = await turn.typed(MAX_ADDRESS, "report.address_too_long")
    if address is None:
        return "location"
    turn.data["address"] = address
    return await _ask_photos(turn, turn.esc(address))


async def _hamlet_chosen(turn: Turn) -> str:
    """A hamlet chosen as the place: asks for the exact spot within it (or "Bỏ qua")."""
    found = await turn.services.store.areas.hamlet(
        _as_id((turn.input.choice or "")[len(HAMLET):]))
    if found is None or found.commune_id != commune_of(turn):
        await turn.refuse(turn.t("errors.stale_button"))
        return "location"
    turn.data["hamlet_name"] = found.name
    await turn.ask(turn.t("report.ask_landmark", hamlet=turn.esc(found.name)),
                   skip_choice(turn))
    return "landmark"


async def landmark(turn: Turn) -> str:
    """The exact spot in the chosen hamlet, typed (or "Bỏ qua": the hamlet alone); asks for
    photos. The address names the hamlet, so the report is placed in it."""
    hamlet = str(turn.data.get("hamlet_name", ""))
    if (turn.kind is Kind.CHOICE and turn.input.choice == SKIP) or (
            turn.kind is Kind.TEXT and is_skip(turn, turn.text)):
        turn.data["address"] = hamlet
        return await _ask_photos(turn, turn.esc(hamlet))
    if turn.kind is not Kind.TEXT or not turn.text:
        await turn.ask(turn.t("report.ask_landmark", hamlet=turn.esc(hamlet)), skip_choice(turn))
        return "landmark"
    if len(turn.text) + len(hamlet) + 2 > MAX_ADDRESS:
        await turn.say(turn.t("report.address_too_long", limit=MAX_ADDRESS - len(hamlet) - 2))
        return "landmark"
    turn.data["address"] = f"{turn.text}, {hamlet}"
    return await _ask_photos(turn, turn.esc(turn.data["address"]))


async def place_choices(turn: Turn) -> Rows:
    """The commune's hamlets (two to a row), then "Bỏ qua"."""
    hamlets = await turn.services.store.areas.hamlets(commune_of(turn) or 0)
    return (*rows_of([Choice(h.name, f"{HAMLET}{h.id}") for h in hamlets], 2),
            *skip_choice(turn))


def _as_id(value: str) -> int:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


async def _ask_photos(turn: Turn, place: str | None, key: str = "report.place_noted") -> str:
    """Says which place the report keeps (`key`'s text; `place` fills it), then asks for
    photos."""
    await turn.say(turn.t(key) if place is None else turn.t(key, place=place),
                   remove_keyboard=True)
    if turn.data.pop(EDITING, False):  # only the place was asked again
        return await summary(turn)
    config = turn.services.config.reports
    if report_photos.count(turn) >= config.max_photos:
        return await ask_identity(turn)  # an album brought them all
    await turn.ask(turn.t("report.ask_photos", max=config.max_photos), photo_choices(turn))
    return "photos"


async def photos(turn: Turn) -> str:
    """A photo (size and count checked, its caption added to the description); "Xong" or
    "Bỏ qua" (chosen or typed) asks anonymous or named."""
    if turn.kind is Kind.PHOTO:
        kept = await report_photos.keep(turn)
        if kept is report_photos.Kept.FULL:
            return await ask_identity(turn)
        if kept is report_photos.Kept.ADDED:
            await turn.ask(turn.t("report.photo_received", count=report_photos.count(turn),
                                  max=turn.services.config.reports.max_photos),
                           done_choice(turn))
        return "photos"
    if turn.kind is Kind.CHOICE or (
            turn.kind is Kind.TEXT and is_done_or_skip(turn, turn.text)):
        await turn.close_press()
        return await ask_identity(turn)
    await turn.ask(turn.t("report.photo_expected"), photo_choices(turn))
    return "photos"


async def edit(turn: Turn) -> str:
    """"Sửa": the part chosen is asked again, then the summary comes back ("Quay lại": the
    summary at once); anything else asks which part."""
    part = turn.input.choice if turn.kind is Kind.CHOICE else None
    if part == BACK:
        return await summary(turn)
    if part == "identity":  # its answer always leads to the summary
        return await ask_identity(turn)
    if part not in PARTS:
        await turn.ask(turn.t("flows.choose_below"), edit_choices(turn))
        return "edit"
    found = turn.services.reports.categories.get(str(turn.data.get("category")))
    if part == "category" or found is None:
        step = "category"
        await turn.ask(turn.t("report.ask_category"), category_choices(turn), replace=True)
    elif part == "description":
        step = await _ask_description(turn, found)
    else:
        for key in ("lat", "long", "address", "hamlet_name"):  # the place, asked again
            turn.data.pop(key, None)
        step = await _ask_location(turn)
    turn.data[EDITING] = True  # the answer to that question brings the summary back
    return step


def build_flow(timeout_minutes: float) -> Flow:
    """The report conversation, one per person, resumed after a restart."""
    return Flow(
        name="report",
        commands=("baotin", "report"),
        start=start,
        steps={"category": category, "description": description, "location": location,
               "landmark": landmark, "photos": photos, "identity": identity,
               "confirm": confirm, "edit": edit, "commune": commune,
               "unregistered": unregistered},
        timeout_minutes=timeout_minutes,
        label="flows.report",
        cancelled="report.cancelled",
        timed_out="report.timed_out",
    )
