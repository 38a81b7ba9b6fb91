"""Printable pages for meetings, written by `anninh export … --format html`: standalone HTML
with its own small A4 print stylesheet (no console chrome, nothing fetched) — the commendation
list a commune's police hands to the People's Committee, and the annual review's figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import jinja2

from bot.i18n import I18n
from bot.services.commendations import Commendations
from bot.services.review import CommuneReview


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=jinja2.select_autoescape(["html"], default=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render(template: str, i18n: I18n, **values: Any) -> str:
    """A print template filled in the deployment's language."""
    lang = i18n.default

    def t(key: str, **more: Any) -> str:
        return i18n.t(lang, key, **more)

    return _environment().get_template(template).render(t=t, lang=lang, **values)


def commendations_page(found: Commendations, i18n: I18n) -> str:
    """The people and teams proposed, what earned it, and the chief's signature lines."""
    return render("print_commendations.html", i18n, found=found,
                  communes=", ".join(found.communes),
                  start=found.start.strftime("%d/%m/%Y"),
                  end=(found.end - timedelta(days=1)).strftime("%d/%m/%Y"))


def review_page(reviews: list[CommuneReview], year: int, i18n: I18n) -> str:
    """The year's figures per hamlet, for the commune's review meeting."""
    return render("print_review.html", i18n, reviews=reviews, year=year)
