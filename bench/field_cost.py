"""What one resolved field costs: the gateway's schema beside a bare graphql-core schema of the same shape.

The document is the 60-thread inbox of the execution-cost issue, for Kari. Both sides run in this
process over the same records, with no HTTP while measured:

- the gateway: `schema.execute` (Strawberry, the access rules, the resolvers, pagination) with a
  request context whose loaders are warm (every upstream answer already cached);
- bare: graphql-core 3.3 `execute` over a schema of the same types (enums and date scalars
  included), with plain synchronous resolvers reading the same records; its document is parsed and
  validated once, as a cache would.

Runs alternate between the two in blocks, and CPU time (time.process_time) is divided by the
number of fields in the response (every key of every object in `data`). Figures print; nothing is
asserted.

    python bench/field_cost.py [--runs 60]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import statistics
import time
from enum import Enum
from typing import Any

import aiohttp
import graphql
from _stack import KARI, PERSON_INBOX, sandbox_settings

from gateway.core.audit import MemoryAuditLog
from gateway.core.auth import Principal, PrincipalKind
from gateway.core.config import Settings
from gateway.core.events import MemoryEventBus
from gateway.policy.clock import system_clock
from gateway.policy.vocabulary import Assurance, MessageCategory
from gateway.request.context import GatewayContext
from gateway.schema import GatewaySchema, build_schema
from gateway.sources import Sources
from gateway.sources.loaders import Loaders
from gateway.sources.records import ContactRecord, Direction, MessageRecord, PersonRecord, ThreadRecord
from sandbox import start_sandbox

DOCUMENT = PERSON_INBOX
FIRST = 60
VARIABLES: dict[str, object] = {"id": KARI, "first": FIRST}

BARE_SDL = """
scalar Date
scalar DateTime
enum MessageCategory { DIALOG_FASTLEGE FORLOPSKOORDINATOR INNKALLING TIMEAVTALE KOMMUNE HELSEUNDERSOKELSE
                       FASTLEGEBYTTE FULLMAKT KJERNEJOURNAL }
enum Direction { IN OUT }
type Query { person(id: ID!): Person }
type PersonName { given: String! family: String! }
type Person { id: ID! name: PersonName! birthDate: Date! threads(first: Int): ThreadConnection }
type ThreadConnection { nodes: [Thread!]! }
type Thread { id: ID! subject: String! category: MessageCategory! lastMessageAt: DateTime! unreadCount: Int!
              messages(first: Int): MessageConnection! counterpart: HealthContact }
type MessageConnection { nodes: [Message!]! }
type Message { id: ID! body: String! sentAt: DateTime! direction: Direction! }
type HealthContact { id: ID! name: String! }
"""


def fields_in(value: Any) -> int:
    """How many fields a response holds: every key of every object."""
    if isinstance(value, dict):
        return len(value) + sum(fields_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(fields_in(v) for v in value)
    return 0


class Records:
    """The records the gateway's loaders hold after one run of the document."""

    def __init__(self, loaders: Loaders) -> None:
        person = _cached(loaders.person_by_id, KARI)
        assert isinstance(person, PersonRecord)
        self.person = person
        threads: list[ThreadRecord] = list(_cached(loaders.threads_by_owner, KARI))
        page = sorted(threads, key=lambda t: (t.last_message_at, t.id), reverse=True)[:FIRST]
        self.threads = page
        self.messages: dict[str, list[MessageRecord]] = {
            t.id: sorted(_cached(loaders.messages_by_thread, t.id), key=lambda m: (m.sent_at, m.id), reverse=True)
            for t in self.threads
        }
        contacts: list[ContactRecord] = list(_cached(loaders.contacts_by_subject, KARI))
        self.contacts = {c.id: c for c in contacts}
        self.names = {
            c.id: practitioner.name
            for c in contacts
            if c.practitioner_id
            and c.practitioner_id in loaders.practitioner_by_id._cache
            and (practitioner := _cached(loaders.practitioner_by_id, c.practitioner_id))
        }


def _cached(loader: Any, key: Any) -> Any:
    return loader._cache[key].result()


def bare_schema(records: Records) -> graphql.GraphQLSchema:
    """The same types with plain resolvers: what graphql-core itself costs per field."""
    schema = graphql.build_schema(BARE_SDL)

    def iso(value: dt.date) -> str:
        return value.isoformat()

    for name in ("Date", "DateTime"):
        scalar = schema.type_map[name]
        assert isinstance(scalar, graphql.GraphQLScalarType)
        # graphql-core 3.3 completes leaves with coerce_output_value (serialize is its deprecated alias).
        scalar.serialize = scalar.coerce_output_value = iso  # type: ignore[method-assign]
    for name, python_enum in (("MessageCategory", MessageCategory), ("Direction", Direction)):
        enum_type = schema.type_map[name]
        assert isinstance(enum_type, graphql.GraphQLEnumType)
        for value_name, value in enum_type.values.items():
            value.value = python_enum[value_name]

    def field(type_name: str, field_name: str) -> graphql.GraphQLField:
        graphql_type = schema.type_map[type_name]
        assert isinstance(graphql_type, graphql.GraphQLObjectType)
        found: graphql.GraphQLField = graphql_type.fields[field_name]
        return found

    field("Query", "person").resolve = lambda _root, _info, id: records.person
    field("Person", "name").resolve = lambda person, _info: person
    field("PersonName", "given").resolve = lambda person, _info: person.given_name
    field("PersonName", "family").resolve = lambda person, _info: person.family_name
    field("Person", "birthDate").resolve = lambda person, _info: person.birth_date
    field("Person", "threads").resolve = lambda _person, _info, first: {"nodes": records.threads[:first]}
    field("Thread", "lastMessageAt").resolve = lambda thread, _info: thread.last_message_at
    field("Thread", "unreadCount").resolve = lambda thread, _info: thread.unread_count
    field("Thread", "messages").resolve = lambda thread, _info, first: {"nodes": records.messages[thread.id][:first]}
    field("Thread", "counterpart").resolve = lambda thread, _info: records.contacts.get(
        thread.counterpart_contact_id or ""
    )
    field("Message", "sentAt").resolve = lambda message, _info: message.sent_at
    field("HealthContact", "name").resolve = lambda contact, _info: records.names.get(contact.id) or contact.name or ""
    return schema


async def gateway_runs(schema: GatewaySchema, sources: Sources, loaders: Loaders, runs: int) -> tuple[float, int]:
    """CPU seconds of `runs` executions, and the fields in one response."""
    principal = Principal(PrincipalKind.PERSON, pid=KARI, assurance=Assurance.HIGH)
    fields = 0
    started = time.process_time()
    for _ in range(runs):
        context = GatewayContext(principal, sources, system_clock, MemoryAuditLog(), MemoryEventBus())
        # Warm: every upstream answer is already cached, for the resolvers and the decisions alike.
        context.loaders = context.decisions.loaders = loaders
        result = await schema.execute(DOCUMENT, variable_values=VARIABLES, context_value=context)
        if result.errors:
            raise RuntimeError(result.errors[0].message)
        fields = fields_in(result.data)
    return time.process_time() - started, fields


def bare_runs(schema: graphql.GraphQLSchema, runs: int) -> tuple[float, int]:
    document = graphql.parse(DOCUMENT)
    assert not graphql.validate(schema, document)
    fields = 0
    started = time.process_time()
    for _ in range(runs):
        result = graphql.execute(schema, document, variable_values=VARIABLES)
        assert not isinstance(result, Enum) and not asyncio.iscoroutine(result)
        assert isinstance(result, graphql.ExecutionResult) and not result.errors, result
        fields = fields_in(result.data)
    return time.process_time() - started, fields


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=60, help="measured executions per side")
    parser.add_argument("--blocks", type=int, default=6, help="alternations between the two sides")
    args = parser.parse_args()
    schema = build_schema(Settings())
    async with await start_sandbox() as sandbox, aiohttp.ClientSession() as http:
        sources = Sources.build(http, sandbox_settings(sandbox))
        loaders = Loaders(sources)
        await gateway_runs(schema, sources, loaders, 3)  # warms the loaders: from here on no HTTP
        bare = bare_schema(Records(loaders))
        bare_runs(bare, 3)
        per_block = max(1, args.runs // args.blocks)
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(args.blocks):
            seconds, our_fields = await gateway_runs(schema, sources, loaders, per_block)
            ours.append(seconds / per_block / our_fields * 1e6)
            seconds, bare_fields = bare_runs(bare, per_block)
            theirs.append(seconds / per_block / bare_fields * 1e6)
    gateway_us, bare_us = statistics.median(ours), statistics.median(theirs)
    print(f"{platform.python_implementation()} {platform.python_version()}, graphql-core {graphql.__version__}")
    print(f"The 60-thread inbox document for Kari, in-process, warm loaders; median of {args.blocks} blocks")
    print(f"of {per_block} runs per side (CPU time per resolved field).")
    print()
    print(f"{'schema':<34} {'fields':>7} {'us/field':>9} {'ms/request':>11}")
    print(f"{'-' * 34} {'-' * 7} {'-' * 9} {'-' * 11}")
    for label, fields, us in (
        ("gateway (Strawberry, rules on)", our_fields, gateway_us),
        ("bare graphql-core, plain resolvers", bare_fields, bare_us),
    ):
        print(f"{label:<34} {fields:>7} {us:>9.2f} {us * fields / 1000:>11.2f}")
    print()
    print(f"ratio gateway / bare: {gateway_us / bare_us:.2f} (goal of issue 19: at most 0.6)")
    if our_fields != bare_fields:
        print(f"note: the responses differ in size ({our_fields} vs {bare_fields} fields)")


if __name__ == "__main__":
    asyncio.run(main())
