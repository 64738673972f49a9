"""The access-rule directives, and the gates that both print and enforce them.

A field that opens a portal service is declared with `service_field` (on a type that belongs to a
subject), `service_mutation` or `service_subscription` (the subject is an argument), with a
`ServiceGate`; a field only the person may read (the access log) with `self_only_field`, with a
`SelfOnlyGate`. A gate puts its rule's directives on the very field it guards (as Strawberry's
`PermissionExtension.apply()` does) and refuses the field, before its resolver runs, when the rule
says no: the SDL and the gateway cannot drift apart, and no resolver has to remember a check. A gate
runs once per field, not per item. `confidential_address_field` does this for `@confidentialAddress`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

import strawberry
from graphql import GraphQLSchema
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case

from gateway.core.errors import Forbidden
from gateway.policy.catalog import CATALOG
from gateway.policy.representation import Denied
from gateway.policy.vocabulary import Basis, Service
from gateway.request.context import Info
from gateway.request.decisions import Decisions, Subject
from gateway.schema.enums import ACTING_FOR_OTHERS, ConsentLevel, ServiceArea, ServiceName, Visibility, one_of
from gateway.schema.extensions import as_public


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The subject's consent level (samtykkenivå) must be at least `level`; else FORBIDDEN "
    "with reason CONSENT_LEVEL (or NO_CONSENT).",
)
class RequiresConsent:
    level: ConsentLevel = strawberry.field(description="The lowest consent level that opens the field.")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description=f"Acting by fullmakt ({one_of(b for b in Basis if b.by_fullmakt)}), the fullmakt must name `area`; "
    "else FORBIDDEN with reason PROXY_SCOPE. A field without this directive is not available by fullmakt at all.",
)
class ProxyScope:
    area: ServiceArea = strawberry.field(description="The fullmakt service area the field belongs to.")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Acting as a parent (PARENT), by the child's age: FULL, PARTIAL (items filtered one by "
    "one, counted in hiddenCount) or NONE (FORBIDDEN with reason CHILD_AGE).",
)
class ChildVisibility:
    under12: Visibility = strawberry.field(description="For a child under 12.")
    from12_to16: Visibility = strawberry.field(name="from12To16", description="For a child of 12 to 15.")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The portal service this field belongs to (docs/access-rules.md#the-service-catalog); its other "
    "rules, such as availability at a confidential address, come from the same catalog row.",
)
class PortalService:
    name: ServiceName = strawberry.field(description="The service (a row of the service catalog).")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description=f"Only the person themselves (SELF) may read this field: for {ACTING_FOR_OTHERS} it is "
    "FORBIDDEN with reason NO_RELATION, for a service client with reason SERVICE_SCOPE.",
)
class SelfOnly:
    pass


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Reveals where a person lives. For a subject with address protection it is null for every "
    "viewer but the subject (for STRENGT_FORTROLIG also for the subject), listed in extensions.masked.",
)
class ConfidentialAddress:
    pass


class Owned(Protocol):
    """A type whose every field is data of one subject (Person, Thread, Appointment, ...)."""

    owner: Subject


class SubjectOf(Protocol):
    """How a gate finds the subject of the field it guards."""

    async def __call__(self, source: Any, kwargs: dict[str, Any], decisions: Decisions) -> Subject: ...


async def of_owner(source: Owned, kwargs: dict[str, Any], decisions: Decisions) -> Subject:
    """The subject is the owner of the object the field is on."""
    return source.owner


def of_argument(*path: str) -> SubjectOf:
    """The subject is the person id at `path` in the field's arguments (e.g. `input.person_id`)."""

    async def find(source: Any, kwargs: dict[str, Any], decisions: Decisions) -> Subject:
        value: Any = kwargs
        for name in path:
            value = value[name] if isinstance(value, dict) else getattr(value, name)
        return await decisions.required_subject(str(value))

    return find


def _print_on(field: StrawberryField, directives: list[object]) -> None:
    # `apply` runs each time a schema is built from the same field definitions (the app, the SDL
    # export, tests): add each directive once.
    field.directives.extend(d for d in directives if d not in field.directives)


class Gate(FieldExtension):
    """Prints its rule's directives on its field, and raises FORBIDDEN with the reason before the
    resolver runs when the rule denies the field's subject.

    On a subscription it holds for the whole stream: every event is checked on the event's own
    request before it is delivered (and written to the access log), and without events the right is
    checked again at least every `recheck_s` seconds, so a revoked fullmakt, a 16th birthday or an
    expired token ends the stream.
    """

    def __init__(self, subject_of: SubjectOf = of_owner) -> None:
        self.subject_of = subject_of
        self.streams = False

    def printed(self) -> list[object]:
        """The directives that state the rule in the SDL."""
        raise NotImplementedError

    def decide(self, subject: Subject, decisions: Decisions) -> object:
        """The rule's answer for the subject; a `Denied` refuses the field."""
        raise NotImplementedError

    def apply(self, field: StrawberryField) -> None:
        _print_on(field, self.printed())
        self.streams = field.is_subscription

    async def _enforce(self, source: Any, kwargs: dict[str, Any], decisions: Decisions) -> None:
        decided = self.decide(await self.subject_of(source, kwargs, decisions), decisions)
        if isinstance(decided, Denied):
            raise Forbidden(decided.reason)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        if self.streams:
            # Making the generator runs none of its code; the stream is checked when it starts, so a
            # refusal arrives as the stream's one result, like any execution error.
            return self._each_event(next_(source, info, **kwargs), source, info, kwargs)
        await self._enforce(source, kwargs, info.context.decisions)
        return await next_(source, info, **kwargs)

    async def _each_event(
        self, events: AsyncGenerator[Any, None], source: Any, info: Info, kwargs: dict[str, Any]
    ) -> AsyncIterator[Any]:
        context = info.context
        operation = info.operation.name.value if info.operation.name else None
        try:
            await self._enforce(source, kwargs, context.decisions)
            while True:
                pending = asyncio.ensure_future(anext(events))
                try:
                    while not (await asyncio.wait({pending}, timeout=context.recheck_s))[0]:
                        # No event for a while: check on a request of its own (the stream's request is
                        # the source's to renew), so a right that ended ends the stream all the same.
                        await self._enforce(source, kwargs, context.fresh_decisions())
                except BaseException:
                    pending.cancel()
                    with contextlib.suppress(BaseException):
                        await pending
                    raise
                try:
                    event = pending.result()
                except StopAsyncIteration:
                    return
                # The source renewed the request for this event and loaded it through the rules.
                await self._enforce(source, kwargs, context.decisions)
                await context.decisions.write_access_log(operation)
                yield event
        except Exception as exc:
            # An error that ends a stream skips the schema extensions that shape errors for queries.
            raise as_public(exc) from exc
        finally:
            await events.aclose()


class ServiceGate(Gate):
    """The gate of a field that opens `service`: prints the catalog's directives for it, and refuses
    the field when the service is not available for the subject (docs/access-rules.md#service-availability)."""

    def __init__(self, service: Service, subject_of: SubjectOf = of_owner) -> None:
        super().__init__(subject_of)
        self.service = service

    def printed(self) -> list[object]:
        return service_directives(self.service)

    def decide(self, subject: Subject, decisions: Decisions) -> Visibility | Denied:
        return decisions.visibility(subject, self.service)


class SelfOnlyGate(Gate):
    """The gate of a field only the person themselves may read: prints `@selfOnly`, and refuses every
    representative and service client (docs/access-rules.md#the-access-log)."""

    def printed(self) -> list[object]:
        return [SelfOnly()]

    def decide(self, subject: Subject, decisions: Decisions) -> Denied | None:
        return decisions.self_only(subject)


def service_directives(service: Service) -> list[object]:
    rule = CATALOG[service]
    directives: list[object] = [PortalService(name=service), RequiresConsent(level=rule.min_consent)]
    if rule.proxy_area is not None:
        directives.append(ProxyScope(area=rule.proxy_area))
    directives.append(ChildVisibility(under12=rule.parent_under_12, from12_to16=rule.parent_12_to_16))
    return directives


def service_field(service: Service, *, description: str) -> Any:
    """A field of an `Owned` type that opens `service` for its owner."""
    return strawberry.field(description=description, extensions=[ServiceGate(service)])


def service_mutation(service: Service, *subject_path: str, description: str) -> Any:
    """A mutation that opens `service` for the person whose id is at `subject_path` in its arguments."""
    return strawberry.mutation(description=description, extensions=[ServiceGate(service, of_argument(*subject_path))])


def service_subscription(service: Service, *subject_path: str, description: str) -> Any:
    """A subscription that opens `service` for the person whose id is at `subject_path`, event by event."""
    return strawberry.subscription(
        description=description, extensions=[ServiceGate(service, of_argument(*subject_path))]
    )


def self_only_field(*, description: str) -> Any:
    """A field of an `Owned` type that only its owner themselves may read."""
    return strawberry.field(description=description, extensions=[SelfOnlyGate()])


class AddressMask(FieldExtension):
    """Prints `@confidentialAddress`, and nulls the field (reported in extensions.masked) when the owner's
    address protection says so (docs/access-rules.md#confidential-address-masking). `reveals_home` says
    whether this object's value is where the owner lives (a home visit's location is; a GP office is not)."""

    def __init__(self, reveals_home: Callable[[Any], bool]) -> None:
        self.reveals_home = reveals_home

    def apply(self, field: StrawberryField) -> None:
        _print_on(field, [ConfidentialAddress()])

    def _masked(self, source: Owned, info: Info) -> bool:
        if not self.reveals_home(source):
            return False
        return info.context.decisions.address_masked(source.owner, info.path.as_list())

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return None if self._masked(source, info) else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        return None if self._masked(source, info) else await next_(source, info, **kwargs)


def _always(source: Any) -> bool:
    return True


def confidential_address_field(*, description: str, reveals_home: Callable[[Any], bool] = _always) -> Any:
    return strawberry.field(description=description, extensions=[AddressMask(reveals_home)])


ACCESS_RULE_DIRECTIVES = (PortalService, RequiresConsent, ProxyScope, ChildVisibility, SelfOnly, ConfidentialAddress)


def describe_directive_arguments(schema: GraphQLSchema) -> None:
    """Strawberry (0.341) drops the descriptions of schema-directive arguments; put them back, so the
    SDL documents every argument."""
    for cls in ACCESS_RULE_DIRECTIVES:
        definition = cls.__strawberry_directive__  # type: ignore[union-attr]  # set by @strawberry.schema_directive
        directive = schema.get_directive(definition.graphql_name or cls.__name__[0].lower() + cls.__name__[1:])
        if directive is None:
            continue
        for field in definition.fields:
            name = field.graphql_name or to_camel_case(field.python_name)
            directive.args[name].description = field.description
