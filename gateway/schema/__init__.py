"""The Strawberry schema: root types merged from each domain, and the schema object."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from typing import Any

import strawberry
from graphql import GraphQLError, InitialIncrementalExecutionResult
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.info import Info

from gateway.core.config import Settings
from gateway.core.errors import BadUserInput
from gateway.engine import Plans, executor_with_plans, selected
from gateway.request.context import GatewayContext
from gateway.resolvers import appointments
from gateway.resolvers.contacts import details_or_failure
from gateway.resolvers.entities import EntityBatch
from gateway.schema.appointment import Appointment
from gateway.schema.contact import HealthContact
from gateway.schema.directives import describe_directive_arguments
from gateway.schema.documents import CachedDocuments, DocumentCache
from gateway.schema.execution import serialize_enums_by_lookup
from gateway.schema.extensions import AuditTrail, MaskedFields, OperationMetrics, OperationSpan, PublicErrors
from gateway.schema.incremental import checked_parts
from gateway.schema.mutations import Mutation
from gateway.schema.person import Person
from gateway.schema.query import PersonQuery
from gateway.schema.subscription import Subscription
from gateway.schema.viewer import ViewerQuery


@strawberry.type(description="Reads: the viewer, and the persons they may act for.")
class Query(ViewerQuery, PersonQuery):
    pass


ENTITY_TYPES = frozenset({"Person", "HealthContact", "Appointment"})


class GatewaySchema(strawberry.federation.Schema):
    # Set by build_schema: the documents its requests are parsed and validated through, the plans
    # they run by (gateway/engine), and the most representations one `_entities` call may look up.
    documents: DocumentCache
    plans: Plans
    max_entities: int

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        """`_entities`, with each representation checked first: a malformed one is BAD_USER_INPUT for
        that entity alone (Strawberry would fail it with an internal error). The others are looked up
        together (resolvers/entities.py), so each source is asked once per level, on every run; one
        `resolve_reference` each would split the loaders' batches as the upstreams' timing falls."""
        if len(representations) > self.max_entities:
            # Each one costs upstream lookups: a router batches a page's entities, never thousands.
            raise BadUserInput(
                f"`_entities` takes at most {self.max_entities} representations; split the call.", "representations"
            )
        results: list[FederationAny | None] = []
        keys: list[tuple[str, str]] = []
        for representation in representations:
            if (
                isinstance(representation, dict)
                and representation.get("__typename") in ENTITY_TYPES
                and isinstance(representation.get("id"), str)
            ):
                # Only the key fields count: an entity is found by its key and nothing else.
                keys.append((representation["__typename"], representation["id"]))
                results.append(None)
            else:
                # An error in place of an entity fails that entity alone, as in Strawberry's own results.
                results.append(
                    FederationAny(
                        BadUserInput(
                            "Each representation needs a __typename (Person, HealthContact or Appointment) and an id.",
                            "representations",
                        )
                    )
                )
        batch = EntityBatch(info.context, keys)
        selection = selected(info)  # what the entities select, all their types together

        async def entity(typename: str, id: str) -> Person | HealthContact | Appointment | None:
            if typename == "Person":
                return Person.of(await batch.person(id))
            if typename == "HealthContact":
                contact = await batch.contact(id)
                if contact is None:
                    return None
                owner, record = contact
                return HealthContact(record=record, owner=owner, details=await details_or_failure(info.context, record))
            appointment = await batch.appointment(id)
            if appointment is None:
                return None
            subject, found = appointment
            places, practitioners = await appointments.parts_of(
                info.context, subject, [found], selection.on("Appointment")
            )
            return Appointment(
                record=found,
                owner=subject,
                place=places.get(found.id),
                practitioner_contact=practitioners.get(found.id),
            )

        pending = iter(keys)
        return [FederationAny(entity(*next(pending))) if result is None else result for result in results]

    async def stream(
        self, query: str | None, variable_values: Any = None, context_value: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        # A WebSocket connection shares one context among its operations; give each its own, so
        # loaders and decisions of one never serve another (graphql-js #894).
        if not isinstance(context_value, GatewayContext):
            return await super().stream(query, variable_values, context_value, *args, **kwargs)
        context_value = context_value.for_operation()
        results = await super().stream(query, variable_values, context_value, *args, **kwargs)
        return _in_parts(results, context_value, kwargs.get("operation_name"))

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        # PublicErrors logs what matters; Strawberry's default logs every denial with a traceback.
        pass


async def _in_parts(results: AsyncGenerator[Any, None], context: GatewayContext, operation_name: str | None) -> Any:
    """A streamed operation's results; an answer in parts (@defer, @stream) comes as its checked parts
    (schema/incremental.py), formatted, each of its results following the initial one."""
    async with aclosing(results):
        async for result in results:
            if isinstance(result, InitialIncrementalExecutionResult):
                async for part in checked_parts(result, results, context, operation_name):
                    yield part
                return
            yield result


def build_schema(settings: Settings) -> GatewaySchema:
    """The schema, with the document limits of `settings`; the app builds it once."""
    # The limiters' validation rules are classes made when a limiter is made: made here once, and
    # each distinct document is parsed and validated once (schema/documents.py).
    limits = [
        QueryDepthLimiter(max_depth=settings.max_query_depth),
        MaxAliasesLimiter(max_alias_count=settings.max_query_aliases),
    ]
    documents = DocumentCache(
        [rule for limiter in limits for rule in limiter.validation_rules],
        max_tokens=settings.max_query_tokens,
        max_cost=settings.max_query_cost,
    )
    executor, plans = executor_with_plans()
    built = GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        federation_version="2.11",
        execution_context_class=executor,
        # @defer and @stream in the schema; the engine applies them for a client that reads the parts
        # (GatewayContext.incremental_delivery), and ignores them for any other.
        config=StrawberryConfig(enable_experimental_incremental_execution=True),
        extensions=[
            OperationMetrics,
            OperationSpan,
            PublicErrors,
            AuditTrail,
            MaskedFields,
            lambda: CachedDocuments(documents),
        ],
    )
    built.documents = documents
    built.plans = plans
    built.max_entities = settings.max_entities
    describe_directive_arguments(built._schema)
    serialize_enums_by_lookup(built._schema)
    return built


def sdl() -> str:
    """The schema as checked in at schema.graphql (the limits do not show in it)."""
    return build_schema(Settings.model_construct()).as_str() + "\n"
