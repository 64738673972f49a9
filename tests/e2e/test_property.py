"""Property: in random small worlds, no response over HTTP holds a value the access rules forbid.

Each example builds a world (tests/e2e/worlds.py), serves it from the sandbox, starts the gateway
in front of it, and asks one broad query as every person about every person (and about an unknown
valid id). The expectations come from a small oracle written from docs/access-rules.md,
not from `gateway.policy`: it says whom a viewer may act for, and an upper bound of what may be shown.
Every violation found in a world is reported at once, with the world, the pair and the rule.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import aiohttp
from hypothesis import HealthCheck, Phase, given, settings

from gateway.app import build_app
from gateway.policy.clock import fixed_clock
from gateway.serving import serving
from sandbox import Sandbox, seed
from tests.e2e.worlds import TEST_NOW, World, WorldPerson, worlds
from tests.support import GatewayClient, settings_for

# Pages that hold all of a world's items (at most 4 threads of 3 messages, 3 appointments a person),
# small enough for the query cost limit (README, Errors).
QUERY = """query Probe($id: ID!) {
  person(id: $id) {
    id name { full } address { street } consentLevel
    threads(first: 20) {
      hiddenCount
      nodes { id subject category counterpart { id }
              messages(first: 20) { nodes { id body attachments { id } } } }
    }
    appointments(first: 20) { nodes { id location { address { street } } } }
    healthContacts(includeFormer: true) { id }
    accessLog { nodes { id } }
  }
  viewer { representations { person { id } basis } }
}"""

ALLOWED_CODES = frozenset({"UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "UPSTREAM_UNAVAILABLE"})

# --- the oracle, from docs/access-rules.md ----------------------------------------------------------

RANK = {"NONE": 0, "BASIS": 1, "BASIS_PLUS": 2, "FULL": 3}
# docs/access-rules.md#the-service-catalog: service -> (min consent, proxy area, parent of a child under 12,
# parent of a 12-15, at a confidential address)
SERVICES: dict[str, tuple[str, int | None, str, str, bool]] = {
    "INNBOKS": ("BASIS", 3, "PARTIAL", "PARTIAL", True),
    "TIMEAVTALER": ("FULL", 3, "FULL", "PARTIAL", True),
    "FASTLEGE": ("BASIS", 1, "FULL", "FULL", True),
    "HELSEKONTAKTER": ("FULL", 3, "FULL", "FULL", True),
    "DIGITAL_DIALOG": ("FULL", 3, "FULL", "NONE", True),
    "PASIENTJOURNAL": ("BASIS_PLUS", 2, "FULL", "NONE", True),
    "FORSKNING": ("BASIS", 1, "FULL", "FULL", True),
    "KJERNEJOURNAL": ("FULL", 1, "FULL", "NONE", True),
    "FULLMAKT": ("BASIS", None, "NONE", "NONE", False),
}
# docs/access-rules.md#message-categories
CATEGORY_SERVICE = {
    "DIALOG_FASTLEGE": "DIGITAL_DIALOG",
    "FORLOPSKOORDINATOR": "HELSEKONTAKTER",
    "INNKALLING": "TIMEAVTALER",
    "TIMEAVTALE": "TIMEAVTALER",
    "KOMMUNE": "DIGITAL_DIALOG",
    "HELSEUNDERSOKELSE": "FORSKNING",
    "FASTLEGEBYTTE": "FASTLEGE",
    "FULLMAKT": "FULLMAKT",
    "KJERNEJOURNAL": "KJERNEJOURNAL",
}
# docs/access-rules.md#youth-access: GP and municipal appointments, the GP, inbox messages about appointments and
# prescriptions (renewed in the dialogue with the GP or the municipality) from the GP or municipality.
YOUTH_SERVICES = frozenset({"INNBOKS", "TIMEAVTALER", "FASTLEGE"})
YOUTH_CATEGORIES = frozenset({"INNKALLING", "TIMEAVTALE", "DIALOG_FASTLEGE", "KOMMUNE"})
NEAR_HOME = frozenset({"PC", "COMM"})  # v3-RoleCode of GP and municipal services


@dataclass(frozen=True)
class Relation:
    basis: str  # SELF, PARENT, PROXY
    areas: frozenset[int] = frozenset({1, 3})
    youth: bool = False  # a 13-15-year-old as themselves


def _active(proxy: seed.Proxy) -> bool:
    return proxy.valid_from <= TEST_NOW and (proxy.valid_to is None or TEST_NOW < proxy.valid_to)


def _lives_with_a_parent(world: World, child: WorldPerson) -> bool:
    home = child.registered_address
    return home is not None and any(p.registered_address == home for p in world.parents_of(child))


def relation(world: World, viewer: WorldPerson, subject: WorldPerson) -> Relation | None:
    """How the viewer may act for the subject, or None (docs/access-rules.md#who-may-act-for-whom)."""
    if viewer.id == subject.id:
        if RANK[subject.consent_level] < RANK["BASIS"]:
            return None
        if subject.age < 16 and not (subject.youth_access and subject.age >= 13):
            return None
        return Relation("SELF", youth=subject.age < 16)
    if viewer.protected or subject.protected:
        return None
    if subject.id in viewer.person.parental_responsibility_for and subject.age < 16:
        if _lives_with_a_parent(world, subject):
            return Relation("PARENT")
    active = [p for p in world.proxies if p.grantor == subject.id and p.grantee == viewer.id and _active(p)]
    if active and viewer.age >= 18:
        return Relation("PROXY", frozenset(a for p in active for a in p.service_areas))
    return None


def expected_reason(world: World, viewer: WorldPerson, subject: WorldPerson | None) -> str:
    """The reason a denied viewer is told; `None` stands for an id nobody has (#who-may-act-for-whom)."""
    if subject is not None and subject.id == viewer.id:
        return "NO_CONSENT" if RANK[subject.consent_level] < RANK["BASIS"] else "CHILD_AGE"
    if viewer.protected:
        return "CONFIDENTIAL_ADDRESS"
    if subject is None or subject.protected:
        return "NO_RELATION"
    if subject.id in viewer.person.parental_responsibility_for and subject.age >= 16:
        return "CHILD_AGE"
    mine = [p for p in world.proxies if p.grantor == subject.id and p.grantee == viewer.id]
    if any(p.valid_to is not None and p.valid_to <= TEST_NOW for p in mine):
        return "PROXY_EXPIRED"
    return "NO_RELATION"


def service_denied(rel: Relation, subject: WorldPerson, service: str, *, youth_list: bool = True) -> str | None:
    """Why `service` is not available to this relation (the rule, for the failure message), or None
    (docs/access-rules.md#service-availability).

    `youth_list=False` for a message's own service: youth access picks messages by category instead.
    """
    min_consent, area, under_12, from_12, at_confidential = SERVICES[service]
    if subject.protected and not at_confidential:
        return f"4: {service} is not available at a confidential address ({subject.protection})"
    if rel.basis == "PROXY" and (area is None or area not in rel.areas):
        return f"5: {service} needs fullmakt area {area}, the fullmakt names {sorted(rel.areas)}"
    if rel.basis == "PARENT" and (under_12 if subject.age < 12 else from_12) == "NONE":
        return f"catalog: {service} is NONE for a parent of a {subject.age}-year-old"
    if rel.youth and youth_list and service not in YOUTH_SERVICES:
        return f"youth access: {service} is not among the youth services"
    if RANK[subject.consent_level] < RANK[min_consent]:
        return f"4: {service} needs consent {min_consent}, the subject has {subject.consent_level}"
    return None


def _first(reasons: Iterable[str | None]) -> str | None:
    return next((r for r in reasons if r), None)


def message_denied(
    world: World, rel: Relation, subject: WorldPerson, thread: seed.Thread, message: seed.Message
) -> str | None:
    category = thread.category
    kind = world.contact_kind(thread.counterpart_contact_id)
    why = service_denied(rel, subject, "INNBOKS")
    if why := why or service_denied(rel, subject, CATEGORY_SERVICE[category], youth_list=False):
        return why
    if rel.basis == "PARENT":
        if category == "FULLMAKT":
            return "4: a FULLMAKT item shown to a PARENT"
        if message.hidden_from_guardian:
            return "2: a hiddenFromGuardian message shown to a PARENT"
        if subject.age >= 12 and kind not in NEAR_HOME:
            return f"3: a {kind} message shown to a PARENT of a {subject.age}-year-old"
    if rel.youth:
        if kind not in NEAR_HOME:
            return f"youth access: a {kind} message"
        if category not in YOUTH_CATEGORIES:
            return f"youth access: a {category} message"
        if message.sent_on_behalf_of in {p.id for p in world.parents_of(subject)}:
            return "youth access: a message a parent wrote on the child's behalf"
    return None


def attachment_denied(
    world: World, rel: Relation, subject: WorldPerson, thread: seed.Thread, message: seed.Message
) -> str | None:
    return message_denied(world, rel, subject, thread, message) or service_denied(rel, subject, "PASIENTJOURNAL")


def appointment_denied(rel: Relation, subject: WorldPerson, appointment: seed.Appointment) -> str | None:
    if why := service_denied(rel, subject, "TIMEAVTALER"):
        return why
    if rel.basis == "PARENT":
        if appointment.hidden_from_guardian:
            return "2: a GUARDIAN-RESTRICTED appointment shown to a PARENT"
        if subject.age >= 12 and appointment.kind not in NEAR_HOME:
            return f"3: a {appointment.kind} appointment shown to a PARENT of a {subject.age}-year-old"
    if rel.youth and appointment.kind not in NEAR_HOME:
        return f"youth access: a {appointment.kind} appointment"
    return None


def contact_denied(world: World, rel: Relation, subject: WorldPerson, team: seed.CareTeam) -> str | None:
    is_gp = team.role == seed.ROLE_GP
    own = "FASTLEGE" if is_gp else "HELSEKONTAKTER"
    if why := _first(service_denied(rel, subject, s) for s in ("FASTLEGE", own)):
        return why
    if rel.youth and not (is_gp and world.contact_kind(team.id) in NEAR_HOME):
        return "youth access: a contact other than the GP"
    return None


# --- checking one response ----------------------------------------------------------------------------


def _text(response: dict[str, Any]) -> str:
    return json.dumps(response, ensure_ascii=False, sort_keys=True)


def traces(world: World, person: WorldPerson) -> list[str]:
    """Every value of `person` a response could carry (ids quoted, so one id is not part of another)."""
    found = [f'"{person.id}"', person.person.given, person.person.family]
    for t in world.threads:
        if t.owner == person.id:
            found += [f'"{t.id}"', t.subject]
            for m in world.messages:
                if m.thread_id == t.id:
                    found += [f'"{m.id}"', m.body, *(f'"{a.id}"' for a in m.attachments)]
    found += [f'"{a.id}"' for a in world.appointments if a.patient == person.id]
    found += [f'"{c.id}"' for c in world.care_teams if c.patient == person.id]
    return found


def check_hygiene(response: dict[str, Any], upstreams: Iterable[str]) -> list[str]:
    """8: no stack trace, no upstream address, only the documented error codes."""
    problems = []
    text = _text(response)
    if "Traceback" in text:
        problems.append("8: a stack trace in the response")
    if "127.0.0.1:" in text or any(host in text for host in upstreams):
        problems.append("8: an upstream address in the response")
    for error in response.get("errors") or ():
        code = (error.get("extensions") or {}).get("code")
        if code not in ALLOWED_CODES:
            problems.append(f"8: error code {code!r}: {error.get('message')!r}")
    return problems


def check_pair(
    world: World, viewer: WorldPerson, subject: WorldPerson, response: dict[str, Any], unknown: dict[str, Any]
) -> list[str]:
    """Every rule this response breaks, each as one line naming the rule."""
    problems = []
    text = _text(response)
    data = response.get("data") or {}
    rel = relation(world, viewer, subject)

    # 1: whom the viewer may act for; nothing of anyone else.
    for row in ((data.get("viewer") or {}).get("representations")) or ():
        pid, basis = row["person"]["id"], row["basis"]
        other = world.by_id.get(pid)
        other_rel = relation(world, viewer, other) if other else None
        if other_rel is None or other_rel.basis != basis:
            problems.append(f"1: representations list {pid} as {basis}; the rules say {other_rel}")
    listed = {row["person"]["id"] for row in ((data.get("viewer") or {}).get("representations")) or ()}
    for other in world.persons:
        if other.id == subject.id:
            continue
        leaked = [t for t in traces(world, other) if t in text and not (t == f'"{other.id}"' and other.id in listed)]
        if leaked:
            problems.append(f"1: values of {other.id}, not the subject, in the response: {leaked[:5]}")
    person = data.get("person")
    if rel is None:
        if person is not None:
            problems.append(f"1: person is not null for a subject the viewer may not act for: {str(person)[:300]}")
        own = f'"{subject.id}"'
        leaked = [t for t in traces(world, subject) if t in text and not (t == own and subject.id in listed)]
        if subject.person.address and subject.person.address.street in text:
            leaked.append(subject.person.address.street)
        if leaked:
            problems.append(f"1: values of the subject it may not see in the response: {leaked[:5]}")
        if viewer.id != subject.id and expected_reason(world, viewer, subject) == expected_reason(world, viewer, None):
            if _text(response.get("errors") or []) != _text(unknown.get("errors") or []):
                problems.append(
                    "1: a person the viewer may not see and an unknown id answer differently: "
                    f"{response.get('errors')} vs {unknown.get('errors')}"
                )
        return problems
    if person is None:
        return problems  # stricter than the oracle: no leak

    # 6: a protected address, to anyone but the subject, and for the STRENGT kinds not even to them.
    address_ok = not subject.protected or (rel.basis == "SELF" and subject.protection == "FORTROLIG")
    if not address_ok:
        if person.get("address") is not None:
            problems.append(f"6: the {subject.protection} address shown to {rel.basis}")
        if subject.person.address and subject.person.address.street in text:
            problems.append(f"6: the {subject.protection} street appears in the response as {rel.basis}")

    # 7: the access log is the subject's own.
    if person.get("accessLog") is not None and rel.basis != "SELF":
        problems.append(f"7: accessLog shown to {rel.basis}")

    # 2 to 5: every item shown may be shown.
    threads = {t.id: t for t in world.threads if t.owner == subject.id}
    messages = {m.id: m for m in world.messages}
    for node in ((person.get("threads") or {}).get("nodes")) or ():
        thread = threads.get(node["id"])
        if thread is None:
            problems.append(f"1: thread {node['id']} is not the subject's")
            continue
        own = [m for m in world.messages if m.thread_id == thread.id]
        reasons = [message_denied(world, rel, subject, thread, m) for m in own]
        if all(reasons):
            why = "; ".join(dict.fromkeys(r for r in reasons if r))
            problems.append(f"4: thread {thread.id} shown though none of its messages may be: {why}")
        for shown in node["messages"]["nodes"]:
            message = messages.get(shown["id"])
            if message is None or message.thread_id != thread.id:
                problems.append(f"1: message {shown['id']} is not of thread {thread.id}")
                continue
            if why := message_denied(world, rel, subject, thread, message):
                problems.append(f"message {message.id} as {rel.basis}: {why}")
            if shown["attachments"] and (why := attachment_denied(world, rel, subject, thread, message)):
                problems.append(f"attachment of {message.id} as {rel.basis}: {why}")
    appointments = {a.id: a for a in world.appointments if a.patient == subject.id}
    for node in ((person.get("appointments") or {}).get("nodes")) or ():
        appointment = appointments.get(node["id"])
        if appointment is None:
            problems.append(f"1: appointment {node['id']} is not the subject's")
        elif why := appointment_denied(rel, subject, appointment):
            problems.append(f"appointment {appointment.id} as {rel.basis}: {why}")
    for node in person.get("healthContacts") or ():
        team = world.care_team(node["id"])
        if team is None or team.patient != subject.id:
            problems.append(f"1: contact {node['id']} is not the subject's")
        elif why := contact_denied(world, rel, subject, team):
            problems.append(f"contact {team.id} as {rel.basis}: {why}")
    return problems


# --- running a world ----------------------------------------------------------------------------------


async def ask_everyone(world: World) -> list[str]:
    """Serve the world, ask every pair, and return every violation found (empty when all is well)."""
    async with Sandbox(apps=world.apps()) as sandbox:
        upstreams = [url.split("//", 1)[1].split("/", 1)[0] for url in sandbox.urls.values()]
        gateway_settings = settings_for(sandbox, upstream_timeout_s=5.0, redis_url=None)
        app = build_app(gateway_settings, clock=fixed_clock(TEST_NOW))
        async with serving(app) as url, aiohttp.ClientSession() as http:
            client = GatewayClient(url, http)
            problems: list[str] = []
            for viewer in world.persons:
                token = await client.token(viewer.id)
                unknown = await client.execute(QUERY, {"id": world.unknown_id}, token=token)
                problems += [f"{viewer.tag} asks an unknown id: {p}" for p in check_hygiene(unknown, upstreams)]
                responses = await asyncio.gather(
                    *(client.execute(QUERY, {"id": subject.id}, token=token) for subject in world.persons)
                )
                for subject, response in zip(world.persons, responses, strict=True):
                    found = check_hygiene(response, upstreams) + check_pair(world, viewer, subject, response, unknown)
                    problems += [f"{viewer.tag} asks about {subject.tag}: {p}" for p in found]
            return problems


@settings(
    max_examples=40,  # about 0.5 s each: a world's servers start and stop, and it asks n * n + n questions
    deadline=None,
    derandomize=True,  # the same worlds on every run and machine
    database=None,
    # No shrinking: it reruns whole worlds for minutes. A failure lists every violation in the world
    # with its rule, and the world itself; add Phase.shrink here to minimise one by machine.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(world=worlds())
async def test_no_response_holds_a_value_the_rules_forbid(world: World) -> None:
    problems = await ask_everyone(world)
    assert not problems, "\n".join([*problems[:20], "world:", world.describe()])
