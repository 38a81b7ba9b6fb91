"""`anninh`: the one entry point. Exit codes: 0 done, 1 failed, 2 bad config or usage."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.catalog import Catalog, CatalogError
from bot.cli_broadcast import BroadcastFailure
from bot.cli_run import EXIT_FAILED, EXIT_OK, EXIT_USAGE, cmd_run
from bot.cli_web import WebFailure
from bot.cli_zalo import ZaloFailure
from bot.config import Config, ConfigError, load_config, load_config_or_defaults
from bot.services.api_keys import ApiKeyError
from bot.store import DatabaseUnavailable, Store

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

T = TypeVar("T")


class Failure(Exception):
    """An expected failure, said in one line on stderr (exit code 1)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USAGE
    try:
        offline = args.handler in (cmd_demo, cmd_sandbox, cmd_areas_init)
        config = (load_config_or_defaults if offline else load_config)(args.config)
        result: int = args.handler(config, args)
        return result
    except ConfigError as error:
        print(f"anninh: config error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatabaseUnavailable as error:
        print(f"anninh: database {error}", file=sys.stderr)
        return EXIT_USAGE
    except (Failure, CatalogError, BroadcastFailure, WebFailure, ZaloFailure,
            ApiKeyError) as error:
        print(f"anninh: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_FAILED


def with_store(config: Config, work: Callable[[Store], Awaitable[T]]) -> T:
    """Open (and migrate) the database, run `work`, close it whatever happens."""

    async def run() -> T:
        store = await Store.open(config.database.path)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


# --- commands ---------------------------------------------------------------------------------


def cmd_demo(config: Config, args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    try:
        return asyncio.run(run_demo(config, quiet=args.quiet, serve=args.serve))
    except KeyboardInterrupt:  # Ctrl-C ends `--serve`: the demo itself went through
        return 0


def cmd_sandbox(config: Config, args: argparse.Namespace) -> int:
    from bot.demo import run_console_session

    return asyncio.run(run_console_session(config, args.user, channel=args.channel))


def cmd_db_migrate(config: Config, _args: argparse.Namespace) -> int:
    from bot.store.migrations import migrate

    async def work(store: Store) -> list[Any]:
        return await migrate(store.db)  # Store.open already migrated; this reports state

    with_store(config, work)
    print(f"database {config.database.path} is up to date")
    return EXIT_OK


def cmd_db_backup(config: Config, args: argparse.Namespace) -> int:
    """The database (SQLite's online backup), then the media files the copy names into a
    folder beside it: PATH.media, laid out as the media folder is."""
    from bot.clock import SystemClock
    from bot.media import MediaStore, Mirrored
    from bot.services.media import MediaService

    target = Path(args.path).resolve()
    media_target = target.with_name(target.name + ".media")
    if target == config.database.path.resolve():
        raise Failure("the backup path is the database itself")
    if media_target == config.media.folder.resolve():
        raise Failure("the backup's media folder would be the media folder itself")

    async def work(store: Store) -> Mirrored:
        await store.db.backup(target)
        media = MediaService(store, MediaStore(config.media.folder), config.media,
                             SystemClock())
        return await media.backup(target, media_target)

    copied = with_store(config, work)
    missing = f"; {copied.missing} named file(s) were missing" if copied.missing else ""
    print(f"backed up {config.database.path} to {target}, and its media from "
          f"{config.media.folder} to {media_target} ({copied.copied} file(s) copied, "
          f"{copied.bytes / 1e6:.1f} MB; {copied.removed} no longer named removed{missing})")
    return EXIT_OK


def cmd_areas_load(config: Config, args: argparse.Namespace) -> int:
    from bot.services.areas import AreasFileError, load_areas, parse_areas

    catalog = Catalog.load(config.content.folder)
    try:
        communes = parse_areas(Path(args.file), catalog, config.teams.require_approval)
        _warn_unofficial(communes)
        summary = with_store(config, lambda store: load_areas(store, communes, "cli"))
    except AreasFileError as error:
        raise Failure(f"areas file rejected, nothing written: {error}") from None
    print(
        f"loaded {summary.communes} commune(s), {summary.hamlets} hamlet(s), "
        f"{summary.teams} team(s); {summary.officers_added} officer(s) added, "
        f"{summary.leaders_changed} leader(s) set"
    )
    return EXIT_OK


def cmd_areas_init(_config: Config, args: argparse.Namespace) -> int:
    """A starter areas file for an official commune on stdout; an ambiguous or unknown name
    lists the closest official ones and exits 2."""
    from bot.services.official_units import NotFound, OfficialUnits, starter

    try:
        unit = OfficialUnits.load().commune(args.province, args.commune)
    except NotFound as missing:
        how = "names several units" if missing.ambiguous else "names no official unit"
        print(f"anninh: {missing.wanted!r} {how}; closest: "
              f"{', '.join(missing.closest) or 'none'}", file=sys.stderr)
        return EXIT_USAGE
    print(starter(unit), end="")
    return EXIT_OK


def _warn_unofficial(communes: list[Any]) -> None:
    """A warning on stderr for each commune whose name (or official_code) matches no official
    unit of the 2025 list; not an error: the list may be newer or older than the file."""
    from bot.services.official_units import OfficialUnits

    units = OfficialUnits.load()
    for commune in communes:
        problem = units.check(commune)
        if problem is not None:
            print(f"anninh: warning: commune {commune.code!r}: {problem}", file=sys.stderr)


def cmd_export_reports(config: Config, args: argparse.Namespace) -> int:
    from bot.services.export import ExportError, ExportFilter, export_reports

    wanted = ExportFilter(args.since, args.until, args.commune, args.status)
    try:
        output = with_store(config, lambda store: export_reports(store, config, args.format,
                                                                   wanted))
    except ExportError as error:
        raise Failure(str(error)) from None
    sys.stdout.write(output)
    return EXIT_OK


def cmd_export_patrols(config: Config, args: argparse.Namespace) -> int:
    from bot.services.export import ExportError
    from bot.services.patrol_export import export_patrols

    try:
        output = with_store(config, lambda store: export_patrols(
            store, config.locale.tz, args.team, args.month, args.commune))
    except ExportError as error:
        raise Failure(str(error)) from None
    sys.stdout.write(output)
    return EXIT_OK


def cmd_export_alerts(config: Config, args: argparse.Namespace) -> int:
    from bot.services.cap import document, export_alerts, standalone

    catalog = Catalog.load(config.content.folder)
    alerts = with_store(config, lambda store: export_alerts(store, catalog, config.locale.tz))
    if args.dir is None:
        sys.stdout.write(document(alerts))
        return EXIT_OK
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    for alert in alerts:
        identifier = alert.findtext("{urn:oasis:names:tc:emergency:cap:1.2}identifier")
        (folder / f"{identifier}.xml").write_text(standalone(alert), encoding="utf-8")
    print(f"wrote {len(alerts)} CAP 1.2 alert(s) to {folder}")
    return EXIT_OK


def _people(config: Config, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work` with an OfficerService; an unknown commune is a one-line failure."""
    from bot.services.officers import OfficerService, UnknownCommune

    try:
        return with_store(config, lambda store: work(OfficerService(store)))
    except UnknownCommune as error:
        raise Failure(str(error)) from None


def cmd_officers_add(config: Config, args: argparse.Namespace) -> int:
    added = _people(config, lambda s: s.grant_officer(args.telegram_id, args.commune, "cli"))
    print(f"{args.telegram_id} is {'now' if added else 'already'} an officer of {args.commune}")
    return EXIT_OK


def cmd_officers_remove(config: Config, args: argparse.Namespace) -> int:
    removed = _people(config, lambda s: s.revoke_officer(args.telegram_id, args.commune, "cli"))
    if not removed:
        raise Failure(f"{args.telegram_id} is not an officer of {args.commune}")
    print(f"{args.telegram_id} is no longer an officer of {args.commune}")
    return EXIT_OK


def cmd_officers_list(config: Config, args: argparse.Namespace) -> int:
    for role in _people(config, lambda s: s.officers(args.commune)):
        print(f"{role.commune}\t{role.telegram_id}\t{role.display_name or '-'}\t"
              f"{role.granted_at}\t{role.granted_by}")
    return EXIT_OK


def cmd_teams_list(config: Config, args: argparse.Namespace) -> int:
    teams = _people(config, lambda s: s.teams(args.commune))
    print("commune\tcode\tname\tkind\thamlet\tjoin_code\tleader\tactive\tpending\t"
          "leader_reachable")
    for t in teams:
        print(f"{t.commune}\t{t.code}\t{t.name}\t{t.kind}\t{t.hamlet or '-'}\t{t.join_code}\t"
              f"{t.leader_telegram_id or '-'}\t{t.active}\t{t.pending}\t"
              f"{t.leader_reachable or '-'}")
    return EXIT_OK


# --- parser -----------------------------------------------------------------------------------


class _ArgumentParser(argparse.ArgumentParser):
    """argparse, whose help and usage never crash on a terminal that cannot show Vietnamese
    (a traceback and exit code 1 instead of the help, or of a usage error's exit code 2)."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        stream = file or sys.stderr
        encoding = getattr(stream, "encoding", None) or "utf-8"
        super()._print_message(
            message.encode(encoding, "backslashreplace").decode(encoding), stream)


def _parser() -> argparse.ArgumentParser:
    top, common = (_ArgumentParser(add_help=False) for _ in range(2))
    for holder, default in ((top, None), (common, argparse.SUPPRESS)):
        # Subcommands must not reset a --config given before them, hence SUPPRESS there.
        holder.add_argument(
            "--config", type=Path, default=default,
            help="config file (default: $ANNINH_CONFIG, else ./config.toml)",
        )
    parser = _ArgumentParser(
        prog="anninh", parents=[top],
        description="anninh — Toàn dân bảo vệ an ninh Tổ quốc, on Telegram.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    def command(
        group: Any, name: str, handler: Callable[[Config, argparse.Namespace], int], text: str
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(
            name, parents=[common], help=text, description=text
        )
        sub.set_defaults(handler=handler)
        return sub

    run = command(commands, "run", cmd_run, "run the bot (token from the environment)")
    run.add_argument("--verbose", action="store_true", help="log debug messages")
    demo = command(commands, "demo", cmd_demo,
                   "play a scripted conversation offline (local sandbox, temporary database)")
    demo.add_argument("--quiet", action="store_true", help="print only the summary")
    demo.add_argument("--serve", action="store_true",
                      help="keep the bot and its web console running until Ctrl-C")
    sandbox = command(commands, "sandbox", cmd_sandbox,
                      "chat with the bot in the terminal, offline, as a simulated user")
    sandbox.add_argument("--channel", choices=["telegram", "zalo"], default="telegram",
                         help="the messenger to chat on (default: telegram)")
    sandbox.add_argument("--user", type=int, default=3001,
                         help="who to start as: a Telegram id, or on Zalo a number that "
                              "becomes a Zalo id (default: 3001)")

    db = commands.add_parser("db", parents=[common], help="database maintenance")
    db_commands = db.add_subparsers(title="commands", metavar="COMMAND", required=True)
    command(db_commands, "migrate", cmd_db_migrate, "bring the database schema up to date")
    backup = command(db_commands, "backup", cmd_db_backup,
                     "copy the database with SQLite's online backup, and the media files it "
                     "names into PATH.media (safe while the bot runs)")
    backup.add_argument("path", help="where to write the copy")

    areas = commands.add_parser("areas", parents=[common], help="communes, hamlets, teams")
    areas_commands = areas.add_subparsers(title="commands", metavar="COMMAND", required=True)
    load = command(areas_commands, "load", cmd_areas_load,
                   "create or update communes, hamlets, teams, leaders, officers from TOML")
    load.add_argument("file", help="a file shaped like content/areas.sample.toml")
    init = command(areas_commands, "init", cmd_areas_init,
                   "print a starter areas file for an official commune or ward (2025 list)")
    init.add_argument("--province", required=True, help='e.g. "Đồng Nai" (accents optional)')
    init.add_argument("--commune", required=True, help='e.g. "Thống Nhất" or "Xã Thống Nhất"')

    export = commands.add_parser("export", parents=[common], help="export data")
    export_commands = export.add_subparsers(title="commands", metavar="COMMAND", required=True)
    reports = command(export_commands, "reports", cmd_export_reports,
                      "print reports as Open311 GeoReport v2 JSON, or CSV")
    reports.add_argument("--format", choices=["json", "csv"], default="json")
    reports.add_argument("--since", help="from this date (YYYY-MM-DD, local) or ISO time")
    reports.add_argument("--until", help="up to this date (inclusive) or ISO time (exclusive)")
    reports.add_argument("--commune", help="only this commune (its code)")
    reports.add_argument("--status", help="open, closed, or a state (submitted, accepted, …)")
    patrols = command(export_commands, "patrols", cmd_export_patrols,
                      "print a team's patrol log of one month as CSV")
    patrols.add_argument("--team", required=True, help="the team's code")
    patrols.add_argument("--month", required=True, help="YYYY-MM")
    patrols.add_argument("--commune", help="the team's commune (where codes repeat)")
    patrols.add_argument("--format", choices=["csv"], default="csv")
    from bot.cli_thidua import add_commands as add_thidua

    add_thidua(export_commands, command)
    alerts = command(export_commands, "alerts", cmd_export_alerts,
                     "print security-gong alarms as OASIS CAP 1.2 alerts")
    alerts.add_argument("--format", choices=["cap"], default="cap")
    alerts.add_argument("--dir", default=None,
                        help="write one standalone CAP file per alarm into this folder")

    officers = commands.add_parser("officers", parents=[common], help="commune police officers")
    officer_commands = officers.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, handler, text in (
        ("add", cmd_officers_add, "give a Telegram user the officer role in a commune"),
        ("remove", cmd_officers_remove, "take the officer role away"),
    ):
        sub = command(officer_commands, name, handler, text)
        sub.add_argument("telegram_id", type=int, help="the officer's Telegram user id")
        sub.add_argument("--commune", required=True, help="commune code")
    listing = command(officer_commands, "list", cmd_officers_list, "list officers")
    listing.add_argument("--commune", help="only this commune")

    teams = commands.add_parser("teams", parents=[common], help="security teams")
    team_commands = teams.add_subparsers(title="commands", metavar="COMMAND", required=True)
    team_list = command(team_commands, "list", cmd_teams_list,
                        "list teams with leader, active members, pending requests and "
                        "whether the bot can reach the leader")
    team_list.add_argument("--commune", help="only this commune")
    from bot.cli_api_keys import add_commands as add_api_keys
    from bot.cli_broadcast import add_commands
    from bot.cli_web import add_commands as add_web
    from bot.cli_zalo import add_commands as add_zalo
    from bot.doctor import add_command as add_doctor

    add_commands(commands, common, command)
    add_web(commands, common, command)
    add_api_keys(commands, common, command)
    add_zalo(commands, common, command)
    add_doctor(commands, command)
    return parser
