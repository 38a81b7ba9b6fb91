"""GeoReport v2's two formats: every answer of bot/web/open311.py as JSON (a list; a service
definition and the discovery document are one object) or XML (a root element holding one
element per item, nested fields as nested elements, a list as one element per entry), and its
errors as `[{"code": 400, "description": "…"}]` or `<errors><error>…</error></errors>`."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from aiohttp import web

FORMATS = ("json", "xml")
# The XML root and item elements of each kind of answer, as GeoReport v2 names them.
SERVICES = ("services", "service")
REQUESTS = ("service_requests", "request")
ERRORS = ("errors", "error")
# A list field's entries in XML, as GeoReport v2 and its Service Discovery name them.
ENTRIES = {"attributes": "attribute", "values": "value", "endpoints": "endpoint",
           "formats": "format"}


def answer(items: list[dict[str, Any]], fmt: str, kind: tuple[str, str],
           status: int = 200) -> web.Response:
    if fmt == "xml":
        root = ET.Element(kind[0])
        for item in items:
            _fill(ET.SubElement(root, kind[1]), item)
        return _xml(root, status)
    return _json(items, status)


def document(fields: dict[str, Any], fmt: str, root: str) -> web.Response:
    """One object: JSON `{…}`, or XML `<root>…</root>` (a service definition, discovery)."""
    if fmt == "xml":
        element = ET.Element(root)
        _fill(element, fields)
        return _xml(element, 200)
    return _json(fields, 200)


def _xml(root: ET.Element, status: int) -> web.Response:
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return web.Response(text=f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n',
                        status=status, content_type="text/xml", charset="utf-8")


def _json(value: Any, status: int) -> web.Response:
    return web.Response(text=json.dumps(value, ensure_ascii=False), status=status,
                        content_type="application/json", charset="utf-8")


def error(status: int, description: str, fmt: str) -> web.Response:
    return answer([{"code": status, "description": description}], fmt, ERRORS, status)


def _fill(element: ET.Element, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        child = ET.SubElement(element, name)
        if isinstance(value, dict):
            _fill(child, value)
        elif isinstance(value, list):
            for entry in value:
                _fill(child, {ENTRIES.get(name, "item"): entry})
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)
