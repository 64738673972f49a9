"""Upstream values become enums where records are built; unknown ones the conservative member, with a warning.
Records are frozen msgspec Structs; the message store's bodies decode straight into them, and a body of another
shape is read by the lenient parsers as before."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import aiohttp
import msgspec
import orjson
import pytest
from aiohttp import web

from gateway.policy.vocabulary import (
    AddressProtection,
    ConsentLevel,
    MessageCategory,
    ProxyKind,
    ServiceArea,
    ServiceKind,
)
from gateway.sources.consent import _consent, _given_to
from gateway.sources.errors import UpstreamUnavailable
from gateway.sources.fhir_codings import ROLE_CODE, CodingsFileError, FhirCodings
from gateway.sources.http import JsonHttp
from gateway.sources.inbox import InboxClient, Messages, Threads, _message, _thread, decode_messages, decode_threads
from gateway.sources.records import ContactRole, Direction
from gateway.sources.registry import person_of
from sandbox import Sandbox
from sandbox.seed import KARI

PERSON = {  # as Folkeregisteret shapes a person document
    "navn": [{"fornavn": "Kari", "etternavn": "Nordmann", "erGjeldende": True}],
    "foedsel": [{"foedselsdato": "1985-04-12", "erGjeldende": True}],
}


def graded(grade: str) -> AddressProtection:
    person = person_of(KARI, {**PERSON, "adressebeskyttelse": [{"graderingsnivaa": grade, "erGjeldende": True}]})
    assert person is not None
    return person.address_protection


THREAD = {"id": "t", "owner": "o", "subject": "s", "lastMessageAt": "2026-01-01T00:00:00+00:00"}
PROXY = {"fullmaktReferanseId": "p", "fnr": "a", "gyldigFraOgMed": "2020-01-01T00:00:00+00:00"}
_proxy = _given_to("b")


def test_known_values_become_their_members() -> None:
    assert graded("fortrolig") is AddressProtection.FORTROLIG
    assert _consent({"personId": "x", "level": "BASIS_PLUS", "youthAccess": False}).level is ConsentLevel.BASIS_PLUS
    proxy = _proxy({**PROXY, "tjenesteomraader": [1, 3], "fullmaktstype": "TILDELT"})
    assert proxy.service_areas == {ServiceArea.REGISTERED_INFORMATION, ServiceArea.DIGITAL_HEALTH_SERVICES}
    assert proxy.kind is ProxyKind.ASSIGNED
    assert _thread({**THREAD, "category": "KOMMUNE"}).category is MessageCategory.KOMMUNE


def test_unknown_values_become_the_strictest_member_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        # An unknown protection shows the address to no one; an unknown consent level opens nothing.
        assert graded("hemmelig") is AddressProtection.STRENGT_FORTROLIG
        assert _consent({"personId": "x", "level": "SUPER", "youthAccess": True}).level is ConsentLevel.NONE
        # An unknown fullmakt area grants nothing; an unknown kind is taken as the stricter one.
        proxy = _proxy({**PROXY, "tjenesteomraader": [3, 9], "fullmaktstype": "NY"})
        assert proxy.service_areas == {ServiceArea.DIGITAL_HEALTH_SERVICES} and proxy.kind is ProxyKind.ASSIGNED
        # A category of no service: the thread is withheld by the rules.
        assert _thread({**THREAD, "category": "BREV"}).category is None
    warned = " ".join(r.getMessage() for r in caplog.records)
    for value in ("hemmelig", "SUPER", "9", "NY", "BREV"):
        assert value in warned


def test_codings_map_to_service_kinds_and_roles(caplog: pytest.LogCaptureFixture) -> None:
    codings = FhirCodings()
    assert codings.service_kind_of([{"system": ROLE_CODE, "code": "PC"}]) is ServiceKind.GP
    with caplog.at_level(logging.WARNING):
        assert codings.service_kind_of([{"system": ROLE_CODE, "code": "UNKNOWN"}]) is None  # the rules: a hospital
        assert codings.service_kind_of([{"system": ROLE_CODE, "code": "UNKNOWN"}]) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"no service kind for codings {ROLE_CODE}|UNKNOWN: taken as HOSPITAL"
    ]
    assert codings.role_of([{"system": "urn:x", "code": "y"}]) is ContactRole.OTHER


def test_a_codings_file_replaces_entries(tmp_path: Path) -> None:
    path = tmp_path / "codings.json"
    path.write_text(json.dumps({"serviceKind": {"urn:kommune|HJEM": "MUNICIPAL"}}))
    codings = FhirCodings.load(str(path))
    assert codings.service_kind_of([{"system": "urn:kommune", "code": "HJEM"}]) is ServiceKind.MUNICIPAL
    assert codings.role_of([{"system": "http://snomed.info/sct", "code": "62247001"}]) is ContactRole.GP


HPR = "urn:oid:2.16.578.1.12.4.1.4.4"
ENH = "urn:oid:2.16.578.1.12.4.1.4.101"
LOCAL = {"system": "urn:local", "value": "983974724"}  # a number of the right form, of another system


def test_numbers_are_chosen_by_their_system_in_their_form(caplog: pytest.LogCaptureFixture) -> None:
    codings = FhirCodings()
    assert codings.hpr_number_of([LOCAL, {"system": HPR, "value": "9144851"}]) == "9144851"
    assert codings.organization_number_of([LOCAL, {"system": ENH, "value": "983 974 724"}]) == "983974724"
    # Absent, another system only, an old one, or a list that holds no Identifier: no number, no warning.
    for identifiers in (None, [], [LOCAL], [{"system": ENH, "value": "983974724", "use": "old"}], ["x", None]):
        assert codings.organization_number_of(identifiers) is None
        assert codings.hpr_number_of(identifiers) is None
    assert caplog.records == []
    # Systems of this test alone: the warning comes once per kind and system in a process.
    hpr, enh = "urn:test:numbers-in-their-form:hpr", "urn:test:numbers-in-their-form:enh"
    codings = FhirCodings(hpr_number_systems=frozenset({hpr}), organization_number_systems=frozenset({enh}))
    with caplog.at_level(logging.WARNING):
        # A wrong check digit, too few digits, letters: no number, with one warning each, without the value.
        assert codings.organization_number_of([{"system": enh, "value": "983974725"}]) is None
        assert codings.organization_number_of([{"system": enh, "value": "98397472"}]) is None
        assert codings.hpr_number_of([{"system": hpr, "value": "HPR-9144851"}]) is None
        assert codings.hpr_number_of([{"system": hpr, "value": "x"}, {"system": hpr, "value": "9144851"}]) == "9144851"
    assert [r.getMessage() for r in caplog.records] == [
        f"an identifier of system {enh} is not an organisation number in its form: taken as none",
        f"an identifier of system {hpr} is not an HPR number in its form: taken as none",
    ]


def test_a_codings_file_names_further_identifier_systems(tmp_path: Path) -> None:
    """E.g. the system no-basis named the organisation number by before 2.0.13."""
    path = tmp_path / "codings.json"
    path.write_text(json.dumps({"organizationNumberSystems": [ENH, "urn:oid:2.16.578.1.12.4.1.2.101"]}))
    codings = FhirCodings.load(str(path))
    assert codings.organization_number_of([{"system": "urn:oid:2.16.578.1.12.4.1.2.101", "value": "983974724"}])
    assert codings.hpr_number_of([{"system": HPR, "value": "9144851"}]) == "9144851"


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ('{"serviceKind": {"a|b": "PRIMARY_CARE"}}', "'PRIMARY_CARE', which is none of HOSPITAL, GP, MUNICIPAL"),
        ('{"contactRole": {"a|b": "DOCTOR"}}', "'DOCTOR'"),
        ('{"atHome": "a|b"}', '"atHome" must be a list'),
        ('{"hprNumberSystems": "urn:oid:2.16.578.1.12.4.1.4.4"}', '"hprNumberSystems" must be a list of identifier'),
        ('{"colours": []}', "expected an object with keys among"),
        ("not json", "GATEWAY_FHIR_CODINGS_FILE"),
    ],
)
def test_a_codings_file_that_does_not_fit_is_one_line_naming_it(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "codings.json"
    path.write_text(content)
    with pytest.raises(CodingsFileError) as refused:
        FhirCodings.load(str(path))
    message = str(refused.value)
    assert message.startswith(f"GATEWAY_FHIR_CODINGS_FILE {path}: ") and "\n" not in message and says in message


# --- records as Structs, and the message store's bodies straight into them --------------------------------


def test_records_are_frozen_and_compared_and_hashed_by_value() -> None:
    thread = _thread({**THREAD, "category": "KOMMUNE"})
    again = _thread({**THREAD, "category": "KOMMUNE"})
    assert thread == again and hash(thread) == hash(again) and len({thread, again}) == 1
    with pytest.raises(AttributeError):
        thread.archived = True
    archived = msgspec.structs.replace(thread, archived=True)
    assert archived.archived and archived != thread and not thread.archived


async def test_the_stores_threads_and_messages_decode_straight_into_records(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    """The seed's bodies take the fast path, and it gives what the lenient parsers give, to the UTC offset."""
    base = sandbox.urls["inbox"]
    async with session.get(f"{base}/threads", params={"owner": KARI}) as resp:
        raw = await resp.read()
    threads = decode_threads(raw)
    assert isinstance(threads, Threads) and len(threads.threads) >= 60
    lenient = [_thread(row) for row in orjson.loads(raw)["threads"]]
    assert threads.threads == lenient and repr(threads.threads) == repr(lenient)
    async with session.get(f"{base}/messages", params={"threads": ",".join(t.id for t in lenient)}) as resp:
        raw = await resp.read()
    messages = decode_messages(raw)
    assert isinstance(messages, Messages) and any(m.attachments for m in messages.messages)
    lenient_messages = [_message(row) for row in orjson.loads(raw)["messages"]]
    assert messages.messages == lenient_messages and repr(messages.messages) == repr(lenient_messages)


async def _inbox_answering(aiohttp_server, session: aiohttp.ClientSession, body: bytes) -> InboxClient:
    async def answer(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/threads", answer)
    app.router.add_get("/messages", answer)
    server = await aiohttp_server(app)
    return InboxClient(JsonHttp("inbox", session, str(server.make_url("")), 2.0))


async def test_an_inbox_body_of_another_shape_is_read_as_before(
    aiohttp_server, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """An unknown category, keys left out, a timestamp without offset: what the record types refuse, the
    lenient parsers read, for the whole body."""
    rows = [
        {**THREAD, "id": "t1", "category": "BREV", "unreadCount": 2},
        {**THREAD, "id": "t2", "category": "KOMMUNE", "lastMessageAt": "2026-01-01T10:00:00"},
    ]
    inbox = await _inbox_answering(aiohttp_server, session, orjson.dumps({"threads": rows}))
    with caplog.at_level(logging.WARNING):
        threads = (await inbox.threads_by_owners(["o"]))["o"]
    assert [(t.id, t.category, t.unread_count, t.archived) for t in threads] == [
        ("t1", None, 2, False),
        ("t2", MessageCategory.KOMMUNE, 0, False),
    ]
    assert threads[1].last_message_at == dt.datetime(2026, 1, 1, 10, tzinfo=dt.UTC)
    assert "BREV" in caplog.text
    message = {"id": "m", "threadId": "t1", "direction": "IN", "sentAt": "2026-01-01T10:00:00+01:00", "body": "b"}
    inbox = await _inbox_answering(aiohttp_server, session, orjson.dumps({"messages": [message]}))
    [read] = (await inbox.messages_by_threads(["t1"]))["t1"]
    assert (read.direction, read.read_at, read.attachments, read.sender_contact_id) == (Direction.IN, None, (), None)


@pytest.mark.parametrize(
    "body",
    [
        b'{"threads": [{"id": 5}]}',
        b'{"threads": {}}',
        b'{"threads": [{"id": "t", "owner": "o", "subject": "s", "category": "KOMMUNE", "lastMessageAt": "today"}]}',
        b"[]",
        b'{"threads": [{',
        b"",
    ],
)
async def test_an_inbox_body_that_breaks_the_contract_makes_the_source_unavailable(
    aiohttp_server, session: aiohttp.ClientSession, body: bytes
) -> None:
    inbox = await _inbox_answering(aiohttp_server, session, body)
    with pytest.raises(UpstreamUnavailable) as raised:
        await inbox.threads_by_owners(["o"])
    assert raised.value.source == "inbox"
