"""`/figures`: the officer's communes in figures over a period (bot/services/figures.py), as
tables; each table as CSV (`/figures/<table>.csv`), and the exports `anninh export` makes —
reports as CSV and as Open311 JSON, gongs as CAP 1.2 alerts — for the same communes and
period (`/exports/reports.csv`, `/exports/reports.json`, `/exports/alerts.xml`)."""

from __future__ import annotations

import csv
import io
import json

from aiohttp import web

from bot.services import cap
from bot.services.export import ExportFilter, as_text, service_requests
from bot.services.figures import PERIODS, TABLES
from bot.web.context import CONTEXT, context_of, officer_of
from bot.web.figures_cache import FiguresCache

FIGURES = web.AppKey("figures", FiguresCache)
DEFAULT_DAYS = 30
BOM = "\ufeff"  # so that a spreadsheet opens the CSV as UTF-8 (Vietnamese names)


def days_of(request: web.Request) -> int:
    """The period asked for, in days; anything unknown is the default."""
    value = request.query.get("days", "")
    return int(value) if value.isdigit() and int(value) in PERIODS else DEFAULT_DAYS


async def figures_page(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    days = days_of(request)
    tables = await request.app[FIGURES].tables(officer.communes, days)
    return context.render(request, "figures.html", tables=tables, days=days, periods=PERIODS)


async def table_csv(request: web.Request) -> web.Response:
    officer = officer_of(request)
    name = request.match_info["table"]
    if name not in TABLES:
        raise web.HTTPNotFound()
    days = days_of(request)
    tables = await request.app[FIGURES].tables(officer.communes, days)
    table = next(t for t in tables if t.name == name)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return download(BOM + buffer.getvalue(), "text/csv", f"{name}-{days}d.csv")


async def reports_export(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    fmt = request.match_info["format"]
    services, days = context.services, days_of(request)
    since = services.figures.since(days)
    requests = []
    for commune in officer.communes:
        requests += await service_requests(services.store, services.config, ExportFilter(
            since=since, commune=commune.code))
    text = as_text(requests, fmt)
    if fmt == "json":
        return download(text, "application/json", f"reports-{days}d.json")
    return download(BOM + text, "text/csv", f"reports-{days}d.csv")


async def alerts_export(request: web.Request) -> web.Response:
    context, officer = context_of(request), officer_of(request)
    services, days = context.services, days_of(request)
    alerts = await cap.export_alerts(
        services.store, services.catalog, services.config.locale.tz,
        {commune.id for commune in officer.communes}, services.figures.since(days))
    return download(cap.document(alerts), "application/xml", f"alerts-{days}d.xml")


def download(body: str, content_type: str, filename: str) -> web.Response:
    return web.Response(text=body, content_type=content_type, charset="utf-8", headers={
        "Content-Disposition": f"attachment; filename={json.dumps(filename)}"})


def add_routes(app: web.Application) -> None:
    """The routes, and the tables kept for a while (dropped when a report moves)."""
    services = app[CONTEXT].services
    kept = app[FIGURES] = FiguresCache(services.figures, services.clock)
    events = services.events
    events.report_filed_listeners.append(kept.filed)
    events.report_changed_listeners.append(kept.changed)

    async def forget(_app: web.Application) -> None:
        events.report_filed_listeners.remove(kept.filed)
        events.report_changed_listeners.remove(kept.changed)

    app.on_cleanup.append(forget)
    app.router.add_get("/figures", figures_page)
    app.router.add_get("/figures/{table}.csv", table_csv)
    app.router.add_get(r"/exports/reports.{format:csv|json}", reports_export)
    app.router.add_get("/exports/alerts.xml", alerts_export)
