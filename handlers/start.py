"""/start (and, on Zalo, a person's first message): welcome, consent (Decree 13/2023),
commune, hamlet and tags — then an optional join ("join_CODE", or "tham gia CODE" on Zalo)."""

from __future__ import annotations

from bot.dialog import END, Choice, Flow, Kind, Rows, Turn, rows_of
from bot.models import Commune, Hamlet

JOIN_PREFIX = "join_"
PENDING_JOIN = "pending_join"
TAGS_CHOSEN = "✓ "
YES, NO, LATER, DONE = "yes", "no", "later", "done"


async def start(turn: Turn) -> str:
    """Welcome; remembers a join code; asks for consent unless already given."""
    payload = turn.text.split()[0] if turn.text.split() else ""
    code = payload[len(JOIN_PREFIX):] if payload.lower().startswith(JOIN_PREFIX) else ""
    code = code or str(turn.data.get(PENDING_JOIN, ""))
    if turn.person.has_consented:
        if code:
            await turn.services.events.join_requested(turn, code)
        else:
            name = turn.esc(turn.person.display_name or turn.display_name)
            await turn.ask(turn.t("onboarding.welcome_back", name=name), replace=True)
        return END
    turn.data = {PENDING_JOIN: code} if code else {}
    await turn.ask(turn.t("consent.welcome"), replace=True)
    await _ask_consent(turn)
    return "consent"


async def consent(turn: Turn) -> str:
    """"Đồng ý" records consent (with its time and text version) and asks for the commune
    or hamlet; "Không đồng ý" keeps only the account and the refusal; a language button
    switches the consent text; anything else says which to choose."""
    choice = turn.input.choice if turn.kind is Kind.CHOICE else None
    residents = turn.services.residents
    if choice in ("vi", "en"):
        turn.person = await residents.set_language(turn.person, choice)
        turn.lang = choice
        # the welcome too, in the language chosen: the earlier one stays above, in the other
        await turn.close_press()
        await turn.say(turn.t("consent.welcome"))
        await turn.ask(turn.t("consent.ask"), _consent_choices(turn))
        return "consent"
    if choice == NO:
        await residents.decline_consent(turn.person, turn.t("consent.version"))
        turn.data = {}
        await turn.ask(turn.t("consent.declined"), replace=True)
        return END
    if choice != YES:
        await turn.ask(turn.t("consent.press_a_button"), _consent_choices(turn), replace=True)
        return "consent"
    turn.person = await residents.give_consent(
        turn.person, turn.t("consent.version"), turn.display_name, turn.lang)
    if turn.person.commune_id is not None:
        commune = await turn.services.store.areas.commune(turn.person.commune_id)
        assert commune is not None
        return await _ask_hamlet(turn, commune)
    communes = await turn.services.store.areas.communes()
    if not communes:
        await turn.ask(turn.t("onboarding.no_communes"), replace=True)
        return await _finish(turn)
    await _ask_commune(turn, communes)
    return "commune"


async def commune(turn: Turn) -> str:
    """A chosen or typed commune (accent-insensitive); asks for the hamlet, or again."""
    areas = turn.services.store.areas
    if turn.kind is Kind.CHOICE:
        found = await areas.commune(_as_id(turn.input.choice))
        if found is None:
            await turn.refuse(turn.t("errors.stale_button"))
            return "commune"
        return await _commune_chosen(turn, found)
    if turn.kind is not Kind.TEXT:
        await turn.ask(_hint(turn, "onboarding.ask_commune"),
                       _commune_choices(await areas.communes()))
        return "commune"
    matching = await turn.services.residents.match_communes(turn.text)
    if len(matching) == 1:
        return await _commune_chosen(turn, matching[0])
    await turn.ask(turn.t("onboarding.no_match", typed=turn.esc(turn.text)), replace=True)
    await _ask_commune(turn, matching or None)
    return "commune"


async def hamlet(turn: Turn) -> str:
    """A chosen or typed hamlet, or "Để sau"; asks for tags (the question stays optional)."""
    areas, commune_id = turn.services.store.areas, turn.person.commune_id
    place = await areas.commune(commune_id or 0)
    if place is None:
        return await _ask_tags(turn)
    if turn.kind is Kind.CHOICE:
        if turn.input.choice == LATER:
            return await _ask_tags(turn)
        found = await areas.hamlet(_as_id(turn.input.choice))
        if found is None:
            await turn.refuse(turn.t("errors.stale_button"))
            return "hamlet"
        return await _hamlet_chosen(turn, found)
    if turn.kind is not Kind.TEXT:
        hamlets = await areas.hamlets(place.id)
        await turn.ask(_hint(turn, "onboarding.ask_hamlet", commune=turn.esc(place.name)),
                       _hamlet_choices(turn, hamlets))
        return "hamlet"
    matching = await turn.services.residents.match_hamlets(place.id, turn.text)
    if len(matching) == 1:
        return await _hamlet_chosen(turn, matching[0])
    await turn.ask(turn.t("onboarding.hamlet_no_match", typed=turn.esc(turn.text)),
                   replace=True)
    return await _ask_hamlet(turn, place, matching or None)


async def tags(turn: Turn) -> str:
    """A chosen or typed group toggles it; "Xong" ends onboarding (and goes on to join a
    team when a code came with /start)."""
    catalog = turn.services.catalog
    if turn.kind is Kind.CHOICE and turn.input.choice == DONE:
        return await _finish(turn)
    if turn.kind is Kind.CHOICE and turn.input.choice in catalog.tags:
        await turn.services.residents.toggle_tag(turn.person, turn.input.choice or "")
        return await _ask_tags(turn)
    typed = turn.text if turn.kind is Kind.TEXT else ""
    tag = next((t for t in catalog.tags.values()
                if typed and _same(t.name(turn.lang), typed)), None)
    if tag is not None:
        await turn.services.residents.toggle_tag(turn.person, tag.code)
        return await _ask_tags(turn)
    await turn.ask(_hint(turn, "onboarding.ask_tags"), await _tag_choices(turn))
    return "tags"


# --- questions -------------------------------------------------------------------------------


async def _ask_consent(turn: Turn) -> None:
    await turn.ask(turn.t("consent.ask"), _consent_choices(turn), replace=True)


def _consent_choices(turn: Turn) -> Rows:
    other = "en" if turn.lang == "vi" else "vi"
    return ((Choice(turn.t("consent.agree"), YES), Choice(turn.t("consent.decline"), NO)),
            (Choice(turn.t("consent.switch_language"), other),))


async def _ask_commune(turn: Turn, communes: list[Commune] | None = None) -> None:
    communes = communes or await turn.services.store.areas.communes()
    await turn.ask(turn.t("onboarding.ask_commune"), _commune_choices(communes), replace=True)


def _commune_choices(communes: list[Commune]) -> Rows:
    return rows_of([Choice(c.name, str(c.id)) for c in communes])


async def _commune_chosen(turn: Turn, place: Commune) -> str:
    turn.person = await turn.services.residents.set_area(turn.person, place.id, None)
    return await _ask_hamlet(turn, place)


async def _ask_hamlet(turn: Turn, place: Commune, hamlets: list[Hamlet] | None = None) -> str:
    hamlets = hamlets or await turn.services.store.areas.hamlets(place.id)
    if not hamlets:
        return await _ask_tags(turn)
    await turn.ask(turn.t("onboarding.ask_hamlet", commune=turn.esc(place.name)),
                   _hamlet_choices(turn, hamlets), replace=True)
    return "hamlet"


def _hamlet_choices(turn: Turn, hamlets: list[Hamlet]) -> Rows:
    return rows_of([*(Choice(h.name, str(h.id)) for h in hamlets),
                    Choice(turn.t("onboarding.hamlet_later"), LATER)])


async def _hamlet_chosen(turn: Turn, place: Hamlet) -> str:
    if place.commune_id == turn.person.commune_id:
        turn.person = await turn.services.residents.set_area(
            turn.person, place.commune_id, place.id)
    return await _ask_tags(turn)


async def _ask_tags(turn: Turn) -> str:
    await turn.ask(turn.t("onboarding.ask_tags"), await _tag_choices(turn), replace=True)
    return "tags"


async def _tag_choices(turn: Turn) -> Rows:
    services = turn.services
    chosen = set(await services.residents.tags(turn.person))
    return rows_of([
        *(Choice((TAGS_CHOSEN if tag.code in chosen else "") + tag.name(turn.lang), tag.code)
          for tag in services.catalog.tags.values()),
        Choice(turn.t("onboarding.done_button"), DONE)])


async def _roles(turn: Turn) -> list[str]:
    """A line for each team the person leads, and one if they are an officer (the database
    says so: the areas file named them)."""
    services = turn.services
    lines = [turn.t("onboarding.done_leader", team=turn.esc(team.name))
             for team, membership in await services.store.memberships.of_resident(turn.person.id)
             if membership.role == "leader"]
    if await services.officers.communes_of(turn.person):
        lines.append(turn.t("onboarding.done_officer"))
    return lines


async def _finish(turn: Turn) -> str:
    areas, person = turn.services.store.areas, turn.person
    places = []
    if person.hamlet_id is not None and (found := await areas.hamlet(person.hamlet_id)):
        places.append(found.name)
    if person.commune_id is not None and (place := await areas.commune(person.commune_id)):
        places.append(place.name)
    area = turn.esc(", ".join(places) or "—")
    roles = await _roles(turn)
    if roles:  # a leader or an officer: their own first steps, not how to join a team
        await turn.ask(turn.t("onboarding.done_staff", area=area, roles="\n".join(roles)),
                       replace=True)
    else:
        await turn.ask(turn.t("onboarding.done", area=area), replace=True)
    code = turn.data.pop(PENDING_JOIN, None)
    if isinstance(code, str) and code:
        await turn.services.events.join_requested(turn, code)
    return END


def _hint(turn: Turn, key: str, **values: object) -> str:
    """An answer the step cannot use: says so, then asks the step's question again."""
    return f"{turn.t('flows.choose_below')}\n\n{turn.t(key, **values)}"


def _same(label: str, typed: str) -> bool:
    from bot.text import matches

    return matches(label, typed)


def _as_id(value: str | None) -> int:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else 0


def build_flow() -> Flow:
    """Onboarding: resumed after a restart; every step answers every kind of message; a
    command leaves it."""
    return Flow(
        name="onboarding", commands=("start",), start=start,
        steps={"consent": consent, "commune": commune, "hamlet": hamlet, "tags": tags},
        timeout_minutes=24 * 60, cancelled="onboarding.cancelled",
    )
