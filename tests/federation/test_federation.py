"""Our subgraph composed with another team's subgraph and served by Apollo's own gateway (Node).

The supergraph is composed with `@apollo/composition` and served by `@apollo/gateway` on
`@apollo/server`, as a federating team would run it (packages from package-lock.json). The other
subgraph (tests/federation/preferences.py) adds `Person.preferredLanguage` and returns bare
references, so the Apollo gateway must ask our `_entities` for everything else: data crosses the
boundary both ways, and a person, contact or appointment the viewer may not see yields nothing of
theirs, through the gateway and when our `_entities` is asked directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox import Sandbox, consent, registry, seed
from sandbox.seed import ERIK, INGRID, JONAS, KARI, LARS, OLA, PER, SOFIE
from tests.federation.preferences import serving_preferences
from tests.support import GatewayClient, gateway_for, require_node_modules, seeded_numbers

ROOT = Path(__file__).resolve().parents[2]
GATEWAY_SCRIPT = ROOT / "tests" / "federation" / "gateway.mjs"
UNKNOWN_BUT_VALID = "01018510193"  # passes the mod-11 check, is not in the registry

# Composition hints our subgraph is known to cause, each with its reason. Any other hint fails
# test_composition_succeeds_and_data_crosses_the_boundary: look at it before adding it here.
KNOWN_HINTS = (
    # `Visibility` is used only by the @childVisibility directive, which composition does not carry
    # into the supergraph (it is not a @composeDirective), so there the enum is unused.
    'UNUSED_ENUM_TYPE: Enum type "Visibility" is defined but unused.',
)


# --- the Apollo gateway as a subprocess -------------------------------------------------------------


@dataclass
class ApolloGateway:
    """The Node gateway over our subgraph and the preferences subgraph."""

    url: str
    http: aiohttp.ClientSession
    output: list[str] = field(default_factory=list)  # its stderr, and its stdout after "READY"

    @property
    def hints(self) -> list[str]:
        return [line.removeprefix("hint ") for line in self.output if line.startswith("hint ")]

    async def execute(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with self.http.post(
            self.url, json={"query": query, "variables": variables or {}}, headers=headers
        ) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()


@pytest.fixture
def node() -> str:
    return require_node_modules()


@pytest.fixture
async def preferences_url() -> AsyncIterator[str]:
    async with serving_preferences() as url:
        yield url


async def _drain(stream: asyncio.StreamReader, into: list[str]) -> None:
    while line := await stream.readline():
        into.append(line.decode().rstrip())


@pytest.fixture
async def apollo(node: str, gateway: GatewayClient, preferences_url: str) -> AsyncIterator[ApolloGateway]:
    process = await asyncio.create_subprocess_exec(
        node,
        str(GATEWAY_SCRIPT),
        "--port",
        "0",
        f"health={gateway.url}/graphql",
        f"preferences={preferences_url}",
        cwd=ROOT,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    output: list[str] = []
    readers = [asyncio.create_task(_drain(process.stderr, output))]
    try:
        try:
            line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode().strip()
        except TimeoutError:
            line = ""
        if not line.startswith("READY "):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(process.wait(), timeout=5)
                await asyncio.wait_for(readers[0], timeout=5)
            pytest.fail("the Apollo gateway did not start:\n" + "\n".join([line, *output]))
        # Keep reading stdout too, so a chatty gateway never blocks on a full pipe.
        readers.append(asyncio.create_task(_drain(process.stdout, output)))
        yield ApolloGateway(line.removeprefix("READY "), gateway.http, output)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), timeout=5)
            except TimeoutError:
                process.kill()
                await process.wait()
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


# --- what must not show: every value of a person the viewer may not see ------------------------------


def _own_values(pid: str) -> set[str]:
    person = next(p for p in seed.PERSONS if p.id == pid)
    values = {pid, f"{person.given} {person.family}"}
    if person.address is not None:
        values.add(person.address.street)
    threads = {t.id: t for t in seed.THREADS if t.owner == pid}
    values |= set(threads) | {t.subject for t in threads.values()}
    values |= {m.id for m in seed.MESSAGES if m.thread_id in threads}
    values |= {m.body for m in seed.MESSAGES if m.thread_id in threads}
    values |= {c.id for c in seed.CARE_TEAMS if c.patient == pid}
    values |= {a.id for a in seed.APPOINTMENTS if a.patient == pid}
    return values


def traces_of(pid: str, *, besides: Iterable[str] = (), asked_by_id: bool = False) -> set[str]:
    """Values only `pid` has: their name, street, thread ids, subjects and bodies, contact and appointment ids.

    Values shared with any other person are left out (a common subject such as "Timebekreftelse", or
    a street where the viewer lives too), and so is the id when another subgraph echoes it because it
    was asked about it.
    """
    others = set().union(*(_own_values(p.id) for p in seed.PERSONS if p.id != pid), *map(_own_values, besides))
    values = {v for v in _own_values(pid) if not any(v in other for other in others)}
    return values - {pid} if asked_by_id else values


def assert_nothing_of(result: dict[str, Any], pid: str, **kwargs: Any) -> None:
    text = json.dumps(result, ensure_ascii=False)
    leaked = sorted(v for v in traces_of(pid, **kwargs) if v in text)
    assert not leaked, f"data of {pid} in the response: {leaked}\n{text}"


def _decisions(result: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(e["extensions"]["code"], e["extensions"].get("reason")) for e in result.get("errors", [])]


# --- queries ------------------------------------------------------------------------------------------

PERSON = """query($id: ID!) { person(id: $id) {
  id name { full } address { street } preferredLanguage threads(first: 2) { nodes { id subject } } } }"""
PEOPLE = """query($ids: [ID!]!) { peopleWithLanguage(ids: $ids) {
  id preferredLanguage name { full } address { street } threads(first: 100) { nodes { id subject } } } }"""
PEOPLE_THREADS = """query($ids: [ID!]!) { peopleWithLanguage(ids: $ids) {
  id preferredLanguage threads(first: 100) { nodes { id subject messages { nodes { body } } } } } }"""
ENTITIES = """query($r: [_Any!]!) { _entities(representations: $r) {
  __typename
  ... on Person { id name { full } address { street } threads(first: 100) { nodes { id subject } } }
  ... on HealthContact { id contactName: name organization }
  ... on Appointment { id title start } } }"""
CONTACTS_AND_APPOINTMENTS = """query($contacts: [ID!]!, $appointments: [ID!]!) {
  contactsById(ids: $contacts) { id name organization hprNumber organizationNumber }
  appointmentsById(ids: $appointments) { id title start organizationNumber } }"""
# The national numbers alone (an appointment's comes with its place, which nothing else here asks for).
ENTITY_NUMBERS = """query($r: [_Any!]!) { _entities(representations: $r) {
  ... on HealthContact { id hprNumber organizationNumber }
  ... on Appointment { id organizationNumber } } }"""


# (viewer, subject): persons the viewer may not see.
HIDDEN_PERSONS = [
    pytest.param(KARI, SOFIE, id="kari-sofie-17"),  # her daughter, 17: a parent's access has ended
    pytest.param(KARI, PER, id="kari-stranger-per"),
    pytest.param(KARI, LARS, id="kari-stranger-lars"),  # a stranger, STRENGT_FORTROLIG
    pytest.param(PER, LARS, id="per-lars-strengt-fortrolig"),  # his son, but Per cannot represent him
    pytest.param(ERIK, OLA, id="erik-ola-expired-fullmakt"),
]


def _persons(*ids: str) -> list[dict[str, str]]:
    return [{"__typename": "Person", "id": i} for i in ids]


# --- through the Apollo gateway -------------------------------------------------------------------------


async def test_composition_succeeds_and_data_crosses_the_boundary(
    apollo: ApolloGateway, gateway: GatewayClient
) -> None:
    unexplained = [h for h in apollo.hints if not any(h.startswith(known) for known in KNOWN_HINTS)]
    assert not unexplained, f"new composition hints for our subgraph: {unexplained}"
    token = await gateway.token(KARI)

    # From our root field out to the preferences subgraph.
    query = """query($id: ID!) {
  person(id: $id) { name { full } preferredLanguage threads(first: 2) { nodes { subject } } } }"""
    result = await apollo.execute(query, {"id": KARI}, token=token)
    assert "errors" not in result, result
    kari = result["data"]["person"]
    assert kari["name"] == {"full": "Kari Nordmann"} and kari["preferredLanguage"] == "nb"
    assert len(kari["threads"]["nodes"]) == 2 and all(t["subject"] for t in kari["threads"]["nodes"])

    # From the preferences subgraph's root field into our `_entities`, for herself and (by fullmakt) Ola.
    result = await apollo.execute(
        "query($ids: [ID!]!) { peopleWithLanguage(ids: $ids) { id preferredLanguage name { full } } }",
        {"ids": [KARI, OLA]},
        token=token,
    )
    assert result == {
        "data": {
            "peopleWithLanguage": [
                {"id": KARI, "preferredLanguage": "nb", "name": {"full": "Kari Nordmann"}},
                {"id": OLA, "preferredLanguage": "nn", "name": {"full": "Ola Nordmann"}},
            ]
        }
    }


async def test_the_same_person_answers_alike_directly_and_through_the_gateway(
    apollo: ApolloGateway, gateway: GatewayClient
) -> None:
    token = await gateway.token(KARI)
    query = "query($id: ID!) { person(id: $id) { id name { full } address { street } consentLevel } }"
    direct = await gateway.execute(query, {"id": JONAS}, token=token)
    federated = await apollo.execute(query, {"id": JONAS}, token=token)
    assert "errors" not in direct and federated == direct


async def test_a_person_the_viewer_may_not_see_gives_nothing_through_the_gateway(
    apollo: ApolloGateway, gateway: GatewayClient
) -> None:
    # One Node gateway for all cases (each start costs a second); every assertion names its case.
    for param in HIDDEN_PERSONS:
        (viewer, subject), case = param.values, param.id
        token = await gateway.token(viewer)
        portal = await gateway.execute("query($id: ID!) { person(id: $id) { id } }", {"id": subject}, token=token)
        [decision] = _decisions(portal)
        assert decision[0] == "FORBIDDEN", case

        # Our root field: the person is null, with the portal's decision.
        result = await apollo.execute(PERSON, {"id": subject}, token=token)
        assert result["data"] == {"person": None}, case
        assert _decisions(result) == [decision], case
        assert_nothing_of(result, subject)

        # The other subgraph's root field: Apollo asks our `_entities`, which gives nothing of them; the
        # preferences subgraph knows only the id it was asked about and its own field.
        result = await apollo.execute(PEOPLE, {"ids": [subject]}, token=token)
        assert result["data"] == {"peopleWithLanguage": [None]}, case
        assert _decisions(result) == [decision], case
        assert_nothing_of(result, subject, asked_by_id=True)

        result = await apollo.execute(PEOPLE_THREADS, {"ids": [subject]}, token=token)
        [person] = result["data"]["peopleWithLanguage"]
        assert person == {"id": subject, "preferredLanguage": person["preferredLanguage"], "threads": None}, case
        assert _decisions(result) == [decision], case
        assert_nothing_of(result, subject, asked_by_id=True)


async def test_one_federated_batch_gives_only_the_persons_the_viewer_may_see(
    apollo: ApolloGateway, gateway: GatewayClient
) -> None:
    token = await gateway.token(KARI)
    ids = [SOFIE, KARI, PER, UNKNOWN_BUT_VALID, LARS, JONAS, INGRID]
    result = await apollo.execute(PEOPLE, {"ids": ids}, token=token)
    people = result["data"]["peopleWithLanguage"]
    assert [p and p["id"] for p in people] == [None, KARI, None, None, None, JONAS, None]
    assert people[1]["name"] == {"full": "Kari Nordmann"} and people[5]["name"] == {"full": "Jonas Nordmann"}
    assert sorted(e["path"][1] for e in result["errors"]) == [0, 2, 3, 4, 6]
    for hidden in (SOFIE, PER, LARS, INGRID):
        assert_nothing_of(result, hidden, besides=(KARI, JONAS), asked_by_id=True)


async def test_without_a_token_the_gateway_gets_nothing_from_our_subgraph(
    apollo: ApolloGateway, sandbox: Sandbox
) -> None:
    sandbox.reset()
    result = await apollo.execute(PEOPLE, {"ids": [KARI]})
    assert result["data"] == {"peopleWithLanguage": [None]}
    assert _decisions(result) == [("UNAUTHENTICATED", None)]
    assert_nothing_of(result, KARI, asked_by_id=True)
    assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)


# HealthContact and Appointment: the entity is there only when the viewer sees it in the subject's list.
ITEMS = [
    pytest.param(KARI, "HealthContact", seed.CT_JONAS_GP, True, id="kari-jonas-gp-contact"),
    pytest.param(KARI, "HealthContact", seed.CT_JONAS_HOSPITAL, False, id="kari-jonas-hospital-contact-withheld"),
    pytest.param(KARI, "HealthContact", seed.CT_SOFIE_GP, False, id="kari-sofie-gp-contact"),
    pytest.param(KARI, "HealthContact", seed.CT_PER_GP, False, id="kari-stranger-contact"),
    pytest.param(PER, "HealthContact", seed.CT_LARS_GP, False, id="per-lars-gp-contact"),
    pytest.param(KARI, "Appointment", seed.AP_JONAS_GP, True, id="kari-jonas-gp-appointment"),
    pytest.param(KARI, "Appointment", seed.AP_JONAS_GP_HIDDEN, False, id="kari-jonas-hidden-from-guardian"),
    pytest.param(KARI, "Appointment", seed.AP_JONAS_HOSPITAL, False, id="kari-jonas-hospital-appointment"),
    pytest.param(ERIK, "Appointment", seed.AP_OLA_HOSPITAL, False, id="erik-ola-expired-fullmakt"),
]


def _item_values(typename: str, item_id: str) -> set[str]:
    """The seeded values of one contact or appointment that only it has."""
    if typename == "HealthContact":
        rows = [(c.id, c.name) for c in seed.CARE_TEAMS]
    else:
        rows = [(a.id, a.description) for a in seed.APPOINTMENTS]
    mine = {v for i, v in rows if i == item_id}
    return mine - {v for i, v in rows if i != item_id}


async def test_contacts_and_appointments_through_the_gateway(apollo: ApolloGateway, gateway: GatewayClient) -> None:
    for param in ITEMS:
        (viewer, typename, item_id, visible), case = param.values, param.id
        token = await gateway.token(viewer)
        contacts, appointments = ([item_id], []) if typename == "HealthContact" else ([], [item_id])
        result = await apollo.execute(
            CONTACTS_AND_APPOINTMENTS, {"contacts": contacts, "appointments": appointments}, token=token
        )
        [entity] = result["data"]["contactsById" if typename == "HealthContact" else "appointmentsById"]
        numbers = seeded_numbers(typename, item_id)
        if visible:
            assert "errors" not in result and entity["id"] == item_id, (case, result)
            assert entity.get("name") or entity.get("title"), (case, result)
            assert {k: entity[k] for k in numbers} == numbers and all(numbers.values()), (case, result)
        else:
            assert entity is None, (case, result)
            text = json.dumps(result, ensure_ascii=False)
            assert not [v for v in _item_values(typename, item_id) if v in text], (case, text)
            assert not [n for n in numbers.values() if n and n in text], (case, text)


# --- directly against our subgraph's `_entities` -----------------------------------------------------------


@pytest.mark.parametrize(("viewer", "subject"), HIDDEN_PERSONS)
async def test_entities_of_a_person_the_viewer_may_not_see_give_nothing(
    gateway: GatewayClient, viewer: str, subject: str
) -> None:
    token = await gateway.token(viewer)
    portal = await gateway.execute("query($id: ID!) { person(id: $id) { id } }", {"id": subject}, token=token)
    result = await gateway.execute(ENTITIES, {"r": _persons(subject)}, token=token)
    assert result["data"] == {"_entities": [None]}
    assert _decisions(result) == _decisions(portal) and _decisions(result)[0][0] == "FORBIDDEN"
    assert_nothing_of(result, subject)


async def test_entities_in_one_batch_give_only_the_persons_the_viewer_may_see(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    result = await gateway.execute(ENTITIES, {"r": _persons(LARS, KARI, SOFIE, PER, JONAS)}, token=token)
    entities = result["data"]["_entities"]
    assert [e and e["id"] for e in entities] == [None, KARI, None, None, JONAS]
    assert sorted(e["path"][1] for e in result["errors"]) == [0, 2, 3]
    for hidden in (LARS, SOFIE, PER):
        assert_nothing_of(result, hidden, besides=(KARI, JONAS))


async def test_entities_of_a_stranger_and_of_no_one_answer_alike(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    stranger = await gateway.execute(ENTITIES, {"r": _persons(PER)}, token=token)
    missing = await gateway.execute(ENTITIES, {"r": _persons(UNKNOWN_BUT_VALID)}, token=token)
    assert stranger["data"] == missing["data"] == {"_entities": [None]}
    assert _decisions(stranger) == _decisions(missing) == [("FORBIDDEN", "NO_RELATION")]
    assert stranger["errors"][0]["message"] == missing["errors"][0]["message"]


async def test_entities_without_a_token_are_unauthenticated(gateway: GatewayClient, sandbox: Sandbox) -> None:
    sandbox.reset()
    result = await gateway.execute(ENTITIES, {"r": _persons(KARI, LARS)})
    assert result["data"] == {"_entities": [None, None]}
    assert set(_decisions(result)) == {("UNAUTHENTICATED", None)}
    assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)


@pytest.mark.parametrize(("viewer", "typename", "item_id", "visible"), ITEMS)
async def test_entities_of_contacts_and_appointments(
    gateway: GatewayClient, viewer: str, typename: str, item_id: str, visible: bool
) -> None:
    token = await gateway.token(viewer)
    result = await gateway.execute(ENTITIES, {"r": [{"__typename": typename, "id": item_id}]}, token=token)
    [entity] = result["data"]["_entities"]
    if visible:
        assert "errors" not in result and entity["__typename"] == typename and entity["id"] == item_id
    else:
        assert entity is None
        text = json.dumps(result, ensure_ascii=False)
        assert not [v for v in _item_values(typename, item_id) if v in text], text


@pytest.mark.parametrize(("viewer", "typename", "item_id", "visible"), ITEMS)
async def test_entities_give_the_numbers_of_the_contacts_and_appointments_the_viewer_sees(
    gateway: GatewayClient, viewer: str, typename: str, item_id: str, visible: bool
) -> None:
    """Issue 21's numbers through `_entities`, with the same decisions as the entity's other fields."""
    token = await gateway.token(viewer)
    representations = {"r": [{"__typename": typename, "id": item_id}]}
    result = await gateway.execute(ENTITY_NUMBERS, representations, token=token)
    siblings = await gateway.execute(ENTITIES, representations, token=token)
    assert _decisions(result) == _decisions(siblings)
    [entity] = result["data"]["_entities"]
    numbers = seeded_numbers(typename, item_id)
    if visible:
        assert entity == {"id": item_id, **numbers} and all(numbers.values()), result
    else:
        assert entity is None
        text = json.dumps(result, ensure_ascii=False)
        assert not [n for n in numbers.values() if n and n in text], text


# --- what `_entities` costs upstream ------------------------------------------------------------------------

MANY = list(seed.SAMPLE_REPRESENTATIONS)
# One of each type, for a subject of the same standing (a child of Kari's).
FEW = [
    *_persons(JONAS),
    {"__typename": "HealthContact", "id": seed.CT_JONAS_GP},
    {"__typename": "Appointment", "id": seed.AP_JONAS_GP},
]
# Milliseconds per source (in the order of sandbox.apps), so the answers arrive in another order each run.
LATENCIES = [(0, 0, 0, 0, 0), (20, 0, 5, 2, 10), (0, 20, 10, 5, 2), (5, 2, 0, 20, 10), (10, 5, 20, 0, 0)]


async def _entity_calls(
    gateway: GatewayClient, sandbox: Sandbox, token: str, representations: list[dict[str, str]], latency: Iterable[int]
) -> dict[str, dict[str, int]]:
    sandbox.reset()
    for name, ms in zip(sandbox.apps, latency, strict=True):
        sandbox.control(name).latency_ms = ms
    result = await gateway.execute(ENTITIES, {"r": representations}, token=token)
    assert len(result["data"]["_entities"]) == len(representations)
    calls = {name: dict(sandbox.control(name).counts) for name in sandbox.apps}
    sandbox.reset()
    return calls


async def test_entities_cost_the_same_on_every_run_and_not_more_for_more_representations(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    token = await gateway.token(KARI)
    runs = [await _entity_calls(gateway, sandbox, token, MANY, latency) for latency in LATENCIES]
    assert all(run == runs[0] for run in runs), runs
    # One request per route per level: the records by id; the subjects (persons, consents, fullmakter);
    # the subjects' lists (care teams with their practitioners and organisations, appointments); then
    # the persons' threads and, for the children, their messages (ENTITIES asks for threads).
    assert runs[0] == {
        "registry": {registry.BULK_ROUTE: 1},
        "consent": {consent.CONSENTS_ROUTE: 1, consent.GIVERS_ROUTE: 1},
        "inbox": {"GET /threads": 1, "GET /messages": 1},
        "contacts": {"GET /fhir/CareTeam": 2},
        "appointments": {"GET /fhir/Appointment": 2},
    }
    few = [await _entity_calls(gateway, sandbox, token, FEW, latency) for latency in LATENCIES[:2]]
    assert few == [runs[0], runs[0]]


def _items_of(patient: str) -> list[dict[str, str]]:
    """Representations of every health contact and appointment of `patient`."""
    return [{"__typename": "HealthContact", "id": c.id} for c in seed.CARE_TEAMS if c.patient == patient] + [
        {"__typename": "Appointment", "id": a.id} for a in seed.APPOINTMENTS if a.patient == patient
    ]


async def test_entities_of_more_items_than_a_page_holds_from_servers_without_next_links(sandbox: Sandbox) -> None:
    """FHIR servers that never link to a next page (Medplum's in-memory store), with pages of 5: the
    contacts and appointments are looked up by id 5 at a time, all at once, each search in one page."""
    # Kari's 5 contacts and 5 appointments, and a stranger's 3 of each: looked up by id too, then
    # withheld (Kari may not see Ingrid), so only Kari's own lists are searched, 5 items each.
    kari, ingrid = _items_of(KARI), _items_of(INGRID)
    for name in ("contacts", "appointments"):
        control = sandbox.control(name)
        control.max_page_size, control.omit_next_links = 5, True
    async with gateway_for(sandbox, fhir_page_size=5) as gateway:
        token = await gateway.token(KARI)
        sandbox.control("contacts").counts.clear()
        sandbox.control("appointments").counts.clear()
        result = await gateway.execute(ENTITIES, {"r": [*kari, *ingrid]}, token=token)
    entities = result["data"]["_entities"]
    assert [e and e["id"] for e in entities] == [r["id"] for r in kari] + [None] * len(ingrid)
    assert _decisions(result) == [("FORBIDDEN", "NO_RELATION")] * len(ingrid)
    # Of each kind, 8 ids: two searches by id (5 and 3), then the search of Kari's list.
    assert sandbox.control("contacts").counts == {"GET /fhir/CareTeam": 3}
    assert sandbox.control("appointments").counts == {"GET /fhir/Appointment": 3}


async def test_entities_answer_alike_in_a_batch_and_one_by_one(gateway: GatewayClient) -> None:
    token = await gateway.token(KARI)
    together = await gateway.execute(ENTITIES, {"r": MANY}, token=token)
    alone = [await gateway.execute(ENTITIES, {"r": [r]}, token=token) for r in MANY]
    assert together["data"]["_entities"] == [a["data"]["_entities"][0] for a in alone]
    decisions = {e["path"][1]: (e["extensions"]["code"], e["extensions"].get("reason")) for e in together["errors"]}
    assert decisions == {i: d for i, a in enumerate(alone) for d in _decisions(a)}
    assert [e is None for e in together["data"]["_entities"]] == [
        False, False, False, False, True,  # Sofie, 17
        False, False, False, True, False, True,  # Jonas's hospital contact, a stranger's contact
        False, False, True, False, False,  # Jonas's appointment withheld from a guardian
    ]  # fmt: skip


async def test_entities_of_contacts_and_appointments_without_a_token_call_no_upstream(
    gateway: GatewayClient, sandbox: Sandbox
) -> None:
    sandbox.reset()
    items = [r for r in MANY if r["__typename"] != "Person"] + [{"__typename": "HealthContact", "id": "ct-nobody"}]
    result = await gateway.execute(ENTITIES, {"r": items})
    assert result["data"] == {"_entities": [None] * len(items)}
    assert _decisions(result) == [("UNAUTHENTICATED", None)] * len(items)
    assert sandbox.total_requests() == dict.fromkeys(sandbox.apps, 0)
