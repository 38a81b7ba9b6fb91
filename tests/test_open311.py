"""Open311 GeoReport v2 on the web server (aiohttp's test client, a real database, no bot):
services, filing with a key (and every way a filing is refused), following one request, the
listing, photos by media_url, XML, and what a caller without its commune's key never sees."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from georeport import GeoReport

from bot.clock import FakeClock
from bot.config import Config
from bot.services.api_keys import FILINGS_PER_MINUTE
from bot.services.container import Services
from bot.store import Store
from bot.web.media import MediaLinks
from bot.web.server import build_app
from tests.open311_kit import API, errors_of, form, key_of, photo_server
from tests.web_kit import JPEG, People, file_report, people

LIMIT = 100_000  # [media] max_photo_bytes here
WEB = '[web]\nport = 8098\npublic_url = "https://anninh.example"\n\n'


@pytest.fixture
def config_extra() -> str:
    """The test photo server is on 127.0.0.1: private addresses allowed, as a deployment may."""
    return f"{WEB}[media]\nmax_photo_bytes = {LIMIT}\n\n[open311]\nallow_private_media = true\n"


@pytest.fixture
def services(config: Config, store: Store, clock: FakeClock) -> Services:
    return Services.build(config, store, clock)


@pytest.fixture
async def client(services: Services, config: Config, clock: FakeClock,
                 store: Store) -> AsyncIterator[TestClient]:
    web = config.web_on
    assert web is not None
    links = MediaLinks(await store.db.secret("media-links"), web.public_url, clock)
    started = TestClient(TestServer(build_app(services, web, links)))
    await started.start_server()
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
async def key(services: Services) -> str:
    return await key_of(services)


@pytest.fixture
async def photos() -> AsyncIterator[TestClient]:
    async for server in photo_server(big=LIMIT + 10):
        yield server


async def _filed(client: TestClient, key: str, **fields: str) -> str:
    async with client.post(f"{API}/requests.json", data=form(key, **fields)) as response:
        body = await response.json()
        assert response.status == 200, body
    [answer] = body
    assert list(answer) == ["service_request_id"]
    return str(answer["service_request_id"])


async def _report_count(store: Store) -> int:
    return int(await store.db.scalar("SELECT count(*) FROM reports"))


async def test_the_categories_are_the_services_for_anyone(client: TestClient) -> None:
    async with client.get(f"{API}/services.json") as response:
        assert response.status == 200
        services = await response.json()
    theft = next(s for s in services if s["service_code"] == "trom-cap")
    assert theft["service_name"] == "Trộm cắp" and theft["metadata"] is False
    assert theft["type"] == "realtime"
    async with client.get(f"{API}/services.xml") as response:
        assert response.status == 200 and response.content_type == "text/xml"
        root = ET.fromstring(await response.text())
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root] == [s["service_code"] for s in services]


async def test_a_service_definition_has_no_attributes(client: TestClient) -> None:
    async with client.get(f"{API}/services/trom-cap.json") as response:
        assert response.status == 200
        assert await response.json() == {"service_code": "trom-cap", "attributes": []}
    async with client.get(f"{API}/services/trom-cap.xml") as response:
        assert response.status == 200 and response.content_type == "text/xml"
        root = ET.fromstring(await response.text())
    assert root.tag == "service_definition" and root.findtext("service_code") == "trom-cap"
    attributes = root.find("attributes")
    assert attributes is not None and list(attributes) == []
    reader = GeoReport(str(client.make_url(API)), jurisdiction="hung-loc")
    read = await asyncio.to_thread(reader.get_service_definition, "trom-cap")
    assert read == {"service_code": "trom-cap", "attributes": []}
    for path, status, said in ((f"{API}/services/flying-saucer.json", 404, "flying-saucer"),
                               (f"{API}/services/trom-cap.json?jurisdiction_id=nowhere", 404,
                                "nowhere")):
        async with client.get(path) as response:
            assert response.status == status
            [error] = await errors_of(response)
        assert said in error["description"]
    async with client.get(f"{API}/services/flying-saucer.xml") as response:
        assert response.status == 404
        assert ET.fromstring(await response.text()).findtext("error/code") == "404"


async def test_discovery_names_the_endpoint_at_the_public_address(
    client: TestClient, clock: FakeClock,
) -> None:
    for path in (f"{API}/discovery.json", "/open311/discovery.json"):
        async with client.get(path) as response:
            assert response.status == 200
            found = await response.json()
        assert found["changeset"] == clock.now().astimezone(UTC).isoformat(timespec="seconds")
        assert "Công an xã" in found["contact"] and "api_key" in found["key_service"]
        [endpoint] = found["endpoints"]
        assert endpoint == {"specification": "http://wiki.open311.org/GeoReport_v2",
                            "url": "https://anninh.example/open311/v2",
                            "changeset": found["changeset"], "type": "production",
                            "formats": ["text/xml", "application/json"]}
    async with client.get(f"{API}/discovery.xml") as response:
        assert response.status == 200 and response.content_type == "text/xml"
        root = ET.fromstring(await response.text())
    assert root.tag == "discovery" and root.findtext("changeset") == found["changeset"]
    assert root.findtext("endpoints/endpoint/url") == "https://anninh.example/open311/v2"
    assert [f.text for f in root.iterfind("endpoints/endpoint/formats/format")] == [
        "text/xml", "application/json"]


@pytest.mark.parametrize("config_extra", [
    '[web]\nport = 8098\n\n[open311]\ncontact = "Công an xã Hưng Lộc, 0251 000 000"\n'
    'key_service = "https://anninh.example/keys"\n'])
async def test_discovery_without_a_public_url_names_the_address_asked(
    client: TestClient,
) -> None:
    async with client.get(f"{API}/discovery.json") as response:
        found = await response.json()
    assert found["contact"] == "Công an xã Hưng Lộc, 0251 000 000"
    assert found["key_service"] == "https://anninh.example/keys"
    assert found["endpoints"][0]["url"] == str(client.make_url(API))


async def test_a_request_may_be_filed_as_a_json_object(
    client: TestClient, key: str, store: Store,
) -> None:
    body: dict[str, object] = {**form(key), "lat": 10.9409, "long": 107.0921}
    async with client.post(f"{API}/requests.json", json=body) as response:
        assert response.status == 200
        assert await response.json() == [{"service_request_id": "TB-000001"}]
    report = await store.reports.get(1)
    assert report is not None and report.latitude == pytest.approx(10.9409)
    assert report.description.startswith("Người dân gọi 1022")
    for sent, said in (("{not json", "JSON"), (json.dumps([form(key)]), "JSON"),
                       (json.dumps({**form(key), "description": ["x"]}), "description")):
        async with client.post(f"{API}/requests.json", data=sent,
                               headers={"Content-Type": "application/json"}) as response:
            assert response.status == 400
            [error] = await errors_of(response)
        assert said in error["description"]
    assert await _report_count(store) == 1


async def test_a_filed_request_is_an_anonymous_report_of_the_keys_commune(
    client: TestClient, key: str, store: Store,
) -> None:
    code = await _filed(client, key)
    assert code == "TB-000001"
    report = await store.reports.get(1)
    hung_loc = await store.areas.commune_by_code("hung-loc")
    assert report is not None and hung_loc is not None
    assert report.reporter_id is None and report.anonymous and report.state == "submitted"
    assert report.commune_id == hung_loc.id and report.category == "trom-cap"
    assert report.latitude == pytest.approx(10.9409) and report.escalate_at is not None
    assert "Hưng Nhơn" in (report.address or "")
    entries = await store.audit.entries("report", report.id)
    assert [(e.action, e.actor_label, e.actor_id) for e in entries] == [
        ("report.submitted", "open311", None)]
    assert json.loads(entries[0].detail)["origin"] == "Trung tâm 1022 tỉnh"


async def test_an_address_alone_is_enough(client: TestClient, key: str, store: Store) -> None:
    await _filed(client, key, lat="-", long="-")
    report = await store.reports.get(1)
    assert report is not None and report.latitude is None and report.address


@pytest.mark.parametrize(("fields", "status", "said"), [
    ({"api_key": "-"}, 403, "api_key"),
    ({"api_key": "an311_not-a-key"}, 403, "api_key"),
    ({"jurisdiction_id": "phu-hoi"}, 403, "phu-hoi"),
    ({"jurisdiction_id": "nowhere"}, 404, "nowhere"),
    ({"service_code": "flying-saucer"}, 404, "flying-saucer"),
    ({"service_code": "-"}, 400, "service_code"),
    ({"description": "-"}, 400, "description"),
    ({"description": "   "}, 400, "description"),
    ({"lat": "mười"}, 400, "lat"),
    ({"lat": "95", "long": "107"}, 400, "lat"),
    ({"long": "-"}, 400, "lat"),
    ({"lat": "nan", "long": "107"}, 400, "lat"),
    ({"lat": "-", "long": "-", "address_string": "-"}, 400, "address_string"),
    ({"lat": "21.03", "long": "105.85"}, 400, "km"),  # Hà Nội, far from the commune
    ({"media_url": "file:///etc/passwd"}, 400, "media_url"),
], ids=["no key", "unknown key", "other commune", "unknown commune", "unknown service",
        "no service", "no description", "blank description", "lat not a number",
        "lat out of range", "long missing", "lat nan", "no location", "too far",
        "media not http"])
async def test_a_filing_refused_says_why_and_files_nothing(
    client: TestClient, key: str, store: Store, services: Services,
    fields: dict[str, str], status: int, said: str,
) -> None:
    async with store.db.transaction() as tx:
        await store.areas.upsert_commune(tx, "phu-hoi", "Xã Phú Hội", None)
    async with client.post(f"{API}/requests.json", data=form(key, **fields)) as response:
        assert response.status == status
        [error] = await errors_of(response)
    assert said in error["description"]
    assert "<code>" not in error["description"]
    assert await _report_count(store) == 0


async def test_a_revoked_key_files_nothing(
    client: TestClient, key: str, services: Services, store: Store,
) -> None:
    await services.api_keys.revoke("Trung tâm 1022 tỉnh")
    async with client.post(f"{API}/requests.json", data=form(key)) as response:
        assert response.status == 403
        await errors_of(response)
    async with client.get(f"{API}/requests.json", params={"api_key": key}) as response:
        assert response.status == 403
    assert await _report_count(store) == 0


async def test_errors_and_answers_come_as_xml_when_asked(
    client: TestClient, key: str,
) -> None:
    async with client.post(f"{API}/requests.xml", data=form(key, description="-")) as response:
        assert response.status == 400 and response.content_type == "text/xml"
        root = ET.fromstring(await response.text())
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert "description" in (root.findtext("error/description") or "")
    async with client.post(f"{API}/requests.xml", data=form(key)) as response:
        assert response.status == 200
        root = ET.fromstring(await response.text())
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == "TB-000001"
    async with client.get(f"{API}/requests/TB-000001.xml",
                          params={"api_key": key}) as response:
        root = ET.fromstring(await response.text())
    assert root.findtext("request/status") == "open"
    assert root.findtext("request/extensions/state") == "submitted"
    assert root.findtext("request/extensions/anonymous") == "true"


async def test_a_key_files_a_few_a_minute(
    client: TestClient, key: str, clock: FakeClock, store: Store,
) -> None:
    for _ in range(FILINGS_PER_MINUTE):
        await _filed(client, key)
    async with client.post(f"{API}/requests.json", data=form(key)) as response:
        assert response.status == 429
        await errors_of(response)
    assert await _report_count(store) == FILINGS_PER_MINUTE
    clock.advance(timedelta(seconds=61))
    await _filed(client, key)


async def test_one_request_whole_for_its_commune_and_its_state_for_anyone_else(
    client: TestClient, key: str, services: Services, store: Store,
) -> None:
    code = await _filed(client, key)
    async with client.get(f"{API}/requests/{code}.json", params={"api_key": key}) as response:
        [whole] = await response.json()
    assert whole["service_request_id"] == code and whole["status"] == "open"
    assert whole["description"].startswith("Người dân gọi 1022")
    assert whole["lat"] == pytest.approx(10.9409) and whole["service_name"] == "Trộm cắp"
    assert whole["extensions"]["state"] == "submitted" and whole["media_url"] == ""
    async with store.db.transaction() as tx:
        await store.areas.upsert_commune(tx, "phu-hoi", "Xã Phú Hội", None)
    other = await key_of(services, "Phú Hội", "phu-hoi")
    for params in ({}, {"api_key": other}):
        async with client.get(f"{API}/requests/{code}.json", params=params) as response:
            assert response.status == 200
            [seen] = await response.json()
        # the export's every field, as with a key, but what could say who or where is empty
        assert set(seen) == set(whole) and set(seen["extensions"]) == set(whole["extensions"])
        assert seen["status"] == "open" and seen["extensions"]["state"] == "submitted"
        assert seen["extensions"]["urgency"] == "high" and seen["extensions"]["team"] is None
        assert seen["description"] == seen["address"] == ""
        assert seen["lat"] is seen["long"] is seen["media_url"] is None
        assert "1022" not in json.dumps(seen, ensure_ascii=False)
    for missing in ("TB-009999", "abc"):
        async with client.get(f"{API}/requests/{missing}.json") as response:
            assert response.status == 404
            [error] = await errors_of(response)
        assert missing in error["description"]


async def test_the_listing_needs_a_key_and_shows_its_commune_only(
    client: TestClient, key: str, services: Services, config: Config, store: Store,
) -> None:
    cast: People = await people(services, config)
    chat_report = await file_report(services, cast.resident)  # from chat, Hưng Lộc
    code = await _filed(client, key)
    async with client.get(f"{API}/requests.json") as response:
        assert response.status == 403
        await errors_of(response)
    async with client.get(f"{API}/requests.json", params={"api_key": key}) as response:
        listed = await response.json()
    assert [r["service_request_id"] for r in listed] == [code, chat_report.code]
    assert "Nguyễn Văn Hà" not in json.dumps(listed, ensure_ascii=False)
    async with client.get(f"{API}/requests.json", params={
            "api_key": key, "service_request_id": chat_report.code}) as response:
        assert [r["service_request_id"] for r in await response.json()] == [chat_report.code]
    async with client.get(f"{API}/requests.json",
                          params={"api_key": key, "status": "closed"}) as response:
        assert await response.json() == []
    async with client.get(f"{API}/requests.json",
                          params={"api_key": key, "status": "sideways"}) as response:
        assert response.status == 400
    other = await key_of(services, "Phú Hội", "phu-hoi")
    async with client.get(f"{API}/requests.json", params={"api_key": other}) as response:
        assert response.status == 200 and await response.json() == []
    uses = await store.db.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'api_key.listed'")
    assert uses == 4


async def test_a_photo_by_media_url_is_kept_and_linked(
    client: TestClient, key: str, photos: TestClient, services: Services, store: Store,
) -> None:
    code = await _filed(client, key, media_url=str(photos.make_url("/photo.jpg")))
    [photo] = await store.reports.photos(int(code[3:]))
    assert photo.media_key is not None and photo.file_id is None
    assert await services.media.files.read(photo.media_key) == JPEG
    async with client.get(f"{API}/requests/{code}.json", params={"api_key": key}) as response:
        [whole] = await response.json()
    assert whole["media_url"].startswith(f"https://anninh.example/media/{photo.media_key}.")
    token = whole["media_url"].rsplit("/", 1)[1]
    async with client.get(f"/media/{token}") as response:
        assert response.status == 200 and await response.read() == JPEG


@pytest.mark.parametrize(("path", "said"), [
    ("/big.jpg", "MB"), ("/page.html", "media_url"), ("/gone", "media_url")])
async def test_a_photo_that_cannot_be_kept_files_nothing(
    client: TestClient, key: str, photos: TestClient, store: Store, path: str, said: str,
) -> None:
    async with client.post(f"{API}/requests.json", data=form(
            key, media_url=str(photos.make_url(path)))) as response:
        assert response.status == 400
        [error] = await errors_of(response)
    assert said in error["description"]
    assert await _report_count(store) == 0


@pytest.mark.parametrize("config_extra", [WEB])  # [open311] allow_private_media by default
@pytest.mark.parametrize("where", [
    "127.0.0.1:{port}/photo.jpg", "localhost:{port}/photo.jpg", "10.1.2.3/photo.jpg",
    "[::1]:{port}/photo.jpg", "169.254.169.254/latest/meta-data", "[::ffff:127.0.0.1]/a.jpg",
    "0.0.0.0:{port}/photo.jpg"])
async def test_a_media_url_at_a_private_address_files_nothing(
    client: TestClient, key: str, photos: TestClient, store: Store, where: str,
) -> None:
    url = "http://" + where.format(port=photos.port)
    async with client.post(f"{API}/requests.json", data=form(key, media_url=url)) as response:
        assert response.status == 400
        [error] = await errors_of(response)
    assert "media_url" in error["description"] and "loopback" in error["description"]
    assert await _report_count(store) == 0


async def test_anything_else_under_open311_is_a_georeport_404(client: TestClient) -> None:
    for path in (f"{API}/tokens/1.json", f"{API}/requests.csv", "/open311/v3/services.json",
                 f"{API}/services/trom-cap.csv"):
        async with client.get(path) as response:
            assert response.status == 404
            await errors_of(response)

