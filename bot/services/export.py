"""Reports as Open311 GeoReport v2 service requests (JSON) or CSV, for `anninh export`."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.config import Config
from bot.store import Store

# The Open311 GeoReport v2 fields, in order, then anninh's own under "extensions".
OPEN311_FIELDS = (
    "service_request_id", "status", "status_notes", "service_code", "service_name",
    "description", "requested_datetime", "updated_datetime", "lat", "long", "address",
    "agency_responsible", "media_url",
)
EXTENSION_FIELDS = ("state", "team", "anonymous", "urgency")


async def service_requests(store: Store, config: Config) -> list[dict[str, Any]]:
    """Every report as an Open311 service request. No reports exist before the reports issue."""
    del store, config
    return []


async def export_reports(store: Store, config: Config, fmt: str) -> str:
    requests = await service_requests(store, config)
    if fmt == "json":
        return json.dumps(requests, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*OPEN311_FIELDS, *EXTENSION_FIELDS])
    for request in requests:
        extensions = request.get("extensions", {})
        writer.writerow([request.get(f, "") for f in OPEN311_FIELDS]
                        + [extensions.get(f, "") for f in EXTENSION_FIELDS])
    return buffer.getvalue()
