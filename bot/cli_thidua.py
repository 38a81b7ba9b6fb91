"""`anninh export commendations` and `anninh export review`: the thi đua lists — who is
proposed for commendation in a period, and the year's "An toàn về an ninh, trật tự" figures
per hamlet — as CSV, or as a printable HTML page for the meeting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from bot.config import Config

Command = Callable[[Any, str, Callable[[Config, argparse.Namespace], int], str],
                   argparse.ArgumentParser]


def cmd_export_commendations(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import Failure, with_store
    from bot.cli_run import EXIT_OK
    from bot.i18n import I18n
    from bot.services.commendations import export_commendations, gather_commendations
    from bot.services.export import ExportError
    from bot.services.points import load_rules
    from bot.web.printable import commendations_page

    rules = load_rules(config.content.folder)
    i18n = I18n.load(config.content.folder, config.locale.default_language)
    tz = config.locale.tz
    try:
        if args.format == "html":
            found = with_store(config, lambda store: gather_commendations(
                store, tz, rules, args.period, args.commune, i18n.default))
            output = commendations_page(found, i18n)
        else:
            output = with_store(config, lambda store: export_commendations(
                store, tz, rules, args.period, args.commune))
    except ExportError as error:
        raise Failure(str(error)) from None
    sys.stdout.write(output)
    return EXIT_OK


def cmd_export_review(config: Config, args: argparse.Namespace) -> int:
    from bot.cli import Failure, with_store
    from bot.cli_run import EXIT_OK
    from bot.i18n import I18n
    from bot.services.categories import Categories
    from bot.services.export import ExportError
    from bot.services.review import gather_review, review_csv
    from bot.web.printable import review_page

    i18n = I18n.load(config.content.folder, config.locale.default_language)
    categories = Categories.load(config.content.folder)
    try:
        reviews = with_store(config, lambda store: gather_review(
            store, config.locale.tz, categories, args.year, args.commune, i18n.default))
    except ExportError as error:
        raise Failure(str(error)) from None
    output = (review_page(reviews, args.year, i18n) if args.format == "html"
              else review_csv(reviews, args.year))
    sys.stdout.write(output)
    return EXIT_OK


def add_commands(export_commands: Any, command: Command) -> None:
    commendations = command(export_commands, "commendations", cmd_export_commendations,
                            "print who is proposed for commendation in a period, as CSV or "
                            "a printable HTML page")
    commendations.add_argument("--period", required=True, help="YYYY, YYYY-Qn or YYYY-MM")
    commendations.add_argument("--commune", help="only this commune")
    commendations.add_argument("--format", choices=["csv", "html"], default="csv")
    review = command(export_commands, "review", cmd_export_review,
                     "print the year's figures per hamlet for the annual review "
                     "(An toàn về an ninh, trật tự), as CSV or a printable HTML page")
    review.add_argument("--year", type=int, required=True, help="YYYY")
    review.add_argument("--commune", help="only this commune")
    review.add_argument("--format", choices=["csv", "html"], default="csv")
