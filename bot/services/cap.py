"""Alarms as OASIS CAP 1.2 alerts (Common Alerting Protocol), for `anninh export alerts`."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.models import Alarm, Commune
from bot.store import Store

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
EXPORT_NS = "urn:anninh:export:alerts"
ET.register_namespace("", CAP_NS)
ET.register_namespace("anninh", EXPORT_NS)


def cap_time(stored: str, tz: ZoneInfo) -> str:
    """CAP's dateTime: local time with a numeric offset, no fractions, never "Z"."""
    return datetime.fromisoformat(stored).astimezone(tz).isoformat(timespec="seconds")


def alert_element(alarm: Alarm, commune: Commune, catalog: Catalog, tz: ZoneInfo) -> ET.Element:
    """One <alert>: an Alert while the alarm is live or expired, a Cancel after "Đã an toàn"."""
    kind = catalog.alarm_kinds.get(alarm.kind) or catalog.alarm_kinds["khac"]
    sender = f"anninh@{commune.code}"
    cancelled = alarm.state == "all_clear"
    alert = ET.Element(f"{{{CAP_NS}}}alert")

    def add(parent: ET.Element, name: str, text: str) -> ET.Element:
        child = ET.SubElement(parent, f"{{{CAP_NS}}}{name}")
        child.text = text
        return child

    add(alert, "identifier", alarm.identifier + ("-cancel" if cancelled else ""))
    add(alert, "sender", sender)
    add(alert, "sent", cap_time(alarm.ended_at if cancelled and alarm.ended_at
                                else alarm.sent_at, tz))
    add(alert, "status", alarm.status)
    add(alert, "msgType", "Cancel" if cancelled else "Alert")
    add(alert, "source", f"{alarm.caller_role}: {alarm.caller_name}")
    add(alert, "scope", "Private")
    add(alert, "addresses", f"{alarm.scope_kind}:{alarm.scope_id}")
    if cancelled:
        add(alert, "note", "Đã an toàn (all clear)")
        add(alert, "references", f"{sender},{alarm.identifier},{cap_time(alarm.sent_at, tz)}")
    elif alarm.state == "expired":
        add(alert, "note", "Hết hạn (expired)")
    info = add(alert, "info", "")
    info.text = None
    add(info, "language", "vi-VN")
    add(info, "category", kind.cap_category)
    add(info, "event", kind.cap_event)
    add(info, "responseType", "AllClear" if cancelled else "Monitor")
    add(info, "urgency", "Past" if cancelled else kind.urgency)
    add(info, "severity", kind.severity)
    add(info, "certainty", kind.certainty)
    add(info, "expires", cap_time(alarm.expires_at, tz))
    add(info, "senderName", f"anninh — {commune.name}")
    add(info, "headline", f"Kẻng an ninh: {kind.name('vi')} — {alarm.scope_name}")
    if alarm.note:
        add(info, "description", alarm.note)
    area = add(info, "area", "")
    area.text = None
    add(area, "areaDesc", f"{alarm.scope_name}, {commune.name}")
    if alarm.latitude is not None and alarm.longitude is not None:
        add(area, "circle", f"{alarm.latitude:.6f},{alarm.longitude:.6f} 0.5")
    return alert


async def export_alerts(store: Store, catalog: Catalog, tz: ZoneInfo,
                        commune_ids: Collection[int] | None = None,
                        since: str = "") -> list[ET.Element]:
    """Every alarm as an alert; of `commune_ids` only and sent since `since` (stored form)
    where they are given."""
    communes = {c.id: c for c in await store.areas.communes()
                if commune_ids is None or c.id in commune_ids}
    return [alert_element(alarm, communes[alarm.commune_id], catalog, tz)
            for alarm in await store.alarms.all()
            if alarm.commune_id in communes and alarm.sent_at >= since]


def document(alerts: list[ET.Element]) -> str:
    """Every alert in one XML document; each <alert> inside is a complete CAP 1.2 alert."""
    root = ET.Element(f"{{{EXPORT_NS}}}alerts")
    root.extend(alerts)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def standalone(alert: ET.Element) -> str:
    """One alert as its own CAP 1.2 XML document."""
    ET.indent(alert)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(alert, "unicode") + "\n"
