"""The four access-rule directives: printed in the SDL, enforced by the same field extensions.

`service_field(Service.X, ...)` is the one way to declare a field that opens a portal service:
it takes the directive arguments from the service catalog and adds the `ServiceGate` extension
that enforces them, so what the SDL shows and what the gateway does cannot drift apart. The
gate runs once per service field (a list or a connection), not once per scalar, so the rules
cost almost nothing per item. `confidential_address_field` does the same for
`@confidentialAddress`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from graphql import GraphQLSchema
from strawberry.extensions import FieldExtension
from strawberry.schema_directive import Location
from strawberry.utils.str_converters import to_camel_case

from gateway.policy import access
from gateway.policy.catalog import CATALOG
from gateway.policy.vocabulary import Service
from gateway.request.context import Info
from gateway.resolvers.subjects import Subject, service_visibility
from gateway.schema.enums import ConsentLevel, ServiceArea, ServiceName, Visibility


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="The subject's consent level (samtykkenivå) must be at least `level`; else FORBIDDEN "
    "with reason CONSENT_LEVEL (or NO_CONSENT).",
)
class RequiresConsent:
    level: ConsentLevel = strawberry.field(description="The lowest consent level that opens the field.")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Acting by fullmakt (PROXY), the fullmakt must name `area`; else FORBIDDEN with reason "
    "PROXY_SCOPE. A field without this directive is not available by fullmakt at all.",
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
    description="The portal service this field belongs to (DESIGN.md 4.3); its other rules, such as "
    "availability at a confidential address, come from the same catalog row.",
)
class PortalService:
    name: ServiceName = strawberry.field(description="The service (a row of the service catalog).")


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Reveals where a person lives. For a subject with address protection it is null for every "
    "viewer but the subject (for STRENGT_FORTROLIG also for the subject), listed in extensions.masked.",
)
class ConfidentialAddress:
    pass


def _owner(source: Any) -> Subject:
    """The subject whose data `source` is: every type with gated fields carries it as `owner`."""
    return source.owner


class ServiceGate(FieldExtension):
    """Raises FORBIDDEN with the reason before the resolver runs when the service is not available."""

    def __init__(self, service: Service) -> None:
        self.service = service

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        service_visibility(info.context, _owner(source), self.service)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        service_visibility(info.context, _owner(source), self.service)
        return await next_(source, info, **kwargs)


def service_directives(service: Service) -> list[object]:
    rule = CATALOG[service]
    directives: list[object] = [PortalService(name=service), RequiresConsent(level=rule.min_consent)]
    if rule.proxy_area is not None:
        directives.append(ProxyScope(area=rule.proxy_area))
    directives.append(ChildVisibility(under12=rule.parent_under_12, from12_to16=rule.parent_12_to_16))
    return directives


def service_field(service: Service, *, description: str) -> Any:
    """A field that opens `service`: directives from the catalog, enforced by `ServiceGate`."""
    return strawberry.field(
        description=description, directives=service_directives(service), extensions=[ServiceGate(service)]
    )


class AddressMask(FieldExtension):
    """Nulls an address-revealing field and reports it in extensions.masked (DESIGN.md 4.4)."""

    def _masked(self, source: Any, info: Info) -> bool:
        if not getattr(source, "reveals_home", True):
            return False
        reason = access.address_mask(_owner(source).access)
        if reason is not None:
            info.context.mask(info.path.as_list(), reason)
            return True
        return False

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return None if self._masked(source, info) else next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info, **kwargs: Any) -> Any:
        return None if self._masked(source, info) else await next_(source, info, **kwargs)


def confidential_address_field(*, description: str) -> Any:
    return strawberry.field(description=description, directives=[ConfidentialAddress()], extensions=[AddressMask()])


ACCESS_RULE_DIRECTIVES = (PortalService, RequiresConsent, ProxyScope, ChildVisibility, ConfidentialAddress)


def describe_directive_arguments(schema: GraphQLSchema) -> None:
    """Strawberry (0.341) drops the descriptions of schema-directive arguments; put them back, so the
    SDL documents every argument."""
    for cls in ACCESS_RULE_DIRECTIVES:
        definition = cls.__strawberry_directive__  # type: ignore[attr-defined]
        directive = schema.get_directive(definition.graphql_name or cls.__name__[0].lower() + cls.__name__[1:])
        if directive is None:
            continue
        for field in definition.fields:
            name = field.graphql_name or to_camel_case(field.python_name)
            directive.args[name].description = field.description
