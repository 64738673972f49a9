"""The subject of a query: whether the viewer may act for them, and what they may see of each service.

Every path to a person's data (root fields, nested fields, representations, federation entities)
comes through `resolve_subject`, and every service field through `service_visibility`. Both
decide once per request and remember the answer in the context.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from gateway.core.auth import SERVICE_READ_SCOPE, PrincipalKind
from gateway.core.errors import BadUserInput, Forbidden, Unauthenticated
from gateway.policy import access as policy_access
from gateway.policy import representation
from gateway.policy.national_id import invalid_reason
from gateway.policy.representation import Access, Allowed, Denied, PersonFacts, ProxyFacts
from gateway.policy.vocabulary import (
    AddressProtection,
    Assurance,
    Basis,
    ConsentLevel,
    Reason,
    Service,
    ServiceArea,
    Visibility,
)
from gateway.request.context import GatewayContext
from gateway.sources.records import ConsentRecord, PersonRecord, ProxyRecord


@dataclass(frozen=True, slots=True)
class Subject:
    """A person the viewer may see, with the decision that allows it."""

    person: PersonRecord
    access: Access

    @property
    def is_viewer(self) -> bool:
        return isinstance(self.access, Allowed) and self.access.basis is Basis.SELF


def viewer_pid(ctx: GatewayContext) -> str:
    """The logged-in person's id, or the error that says why health data is out of reach."""
    principal = ctx.principal
    if principal.kind is PrincipalKind.ANONYMOUS:
        raise Unauthenticated(principal.problem)
    if principal.kind is PrincipalKind.SERVICE:
        raise Forbidden(Reason.SERVICE_SCOPE)
    if principal.assurance is not Assurance.HIGH:
        raise Forbidden(Reason.INSUFFICIENT_ASSURANCE)
    assert principal.pid is not None
    return principal.pid


def check_person_id(person_id: str, argument: str = "id") -> str:
    problem = invalid_reason(person_id)
    if problem:
        raise BadUserInput(f"`{argument}` is not a valid fødselsnummer or D-number: it {problem}.", argument)
    return person_id


def person_facts(person: PersonRecord, consent: ConsentRecord | None) -> PersonFacts:
    address = person.address
    return PersonFacts(
        id=person.id,
        birth_date=person.birth_date,
        address_protection=AddressProtection(person.address_protection),
        consent=ConsentLevel[consent.level] if consent else ConsentLevel.NONE,
        youth_access=bool(consent and consent.youth_access),
        # Registered at the same address: the same street, postal code and municipality.
        address=(address.street.casefold(), address.postal_code, address.municipality_number) if address else None,
        parental_responsibility_for=frozenset(person.parental_responsibility_for),
        responsible_parents=frozenset(person.responsible_parents),
        deceased=person.deceased,
    )


def proxy_facts(proxy: ProxyRecord) -> ProxyFacts:
    areas = frozenset(ServiceArea(a) for a in proxy.service_areas if a in ServiceArea._value2member_map_)
    return ProxyFacts(proxy.grantor, proxy.grantee, areas, proxy.valid_from, proxy.valid_to)


async def resolve_subject(ctx: GatewayContext, person_id: str) -> Subject | None:
    """The subject `person_id` as the viewer may see it; Forbidden otherwise.

    For a person viewer, a stranger and an id that does not exist get the same answer, so nothing
    tells a viewer whether a person exists. A service client gets None for an unknown id.
    """
    if ctx.principal.kind is PrincipalKind.ANONYMOUS:
        raise Unauthenticated(ctx.principal.problem)
    check_person_id(person_id)
    if person_id not in ctx.subjects:
        # Fields resolved side by side may ask at once: the first asks, the others wait for its answer.
        deciding = ctx.deciding.get(person_id)
        if deciding is None:
            deciding = ctx.deciding[person_id] = asyncio.ensure_future(_decide(ctx, person_id))
        decision = await deciding
        ctx.subjects[person_id] = decision
    decided = ctx.subjects[person_id]
    if isinstance(decided, Denied):
        raise Forbidden(decided.reason)
    if decided is not None and not decided.is_viewer:
        ctx.touched.setdefault(person_id, set())
    return decided


async def _decide(ctx: GatewayContext, person_id: str) -> Subject | Denied | None:
    loaders = ctx.loaders
    if ctx.principal.kind is PrincipalKind.SERVICE:
        if SERVICE_READ_SCOPE not in ctx.principal.scopes:
            return Denied(Reason.SERVICE_SCOPE)
        person, consent = await asyncio.gather(
            loaders.person_by_id.load(person_id), loaders.consent_by_person_id.load(person_id)
        )
        if person is None:
            return None
        return Subject(person, representation.client_access(person_facts(person, consent), ctx.now))

    pid = viewer_pid(ctx)
    is_self = pid == person_id
    viewer, subject, consent, proxies = await asyncio.gather(
        loaders.person_by_id.load(pid),
        loaders.person_by_id.load(person_id),
        loaders.consent_by_person_id.load(person_id),
        _no_proxies() if is_self else loaders.proxies_by_grantee.load(pid),
    )
    if viewer is None:
        return Denied(Reason.NO_RELATION)
    ctx.viewer_name = f"{viewer.given_name} {viewer.family_name}"
    viewer_facts = person_facts(viewer, consent if is_self else None)
    if subject is None:
        # Answer exactly as for a stranger (4.2 rule 2 comes first for a protected viewer), so the
        # answer never tells whether the id belongs to anyone.
        if viewer_facts.address_protection is not AddressProtection.UGRADERT:
            return Denied(Reason.CONFIDENTIAL_ADDRESS)
        return Denied(Reason.NO_RELATION)
    subject_facts = person_facts(subject, consent)
    parents: list[PersonFacts] = []
    if not is_self and (pid in subject.responsible_parents or person_id in viewer.parental_responsibility_for):
        if viewer_facts.address is None or viewer_facts.address != subject_facts.address:
            others = [p for p in subject.responsible_parents if p != pid]
            records = await loaders.person_by_id.load_many(others)
            parents = [person_facts(r, None) for r in records if r is not None]
    decision = representation.decide(
        viewer_facts, subject_facts, ctx.now, proxies=[proxy_facts(p) for p in proxies], parents=parents
    )
    return decision if isinstance(decision, Denied) else Subject(subject, decision)


async def _no_proxies() -> tuple[ProxyRecord, ...]:
    return ()


def service_visibility(ctx: GatewayContext, subject: Subject, service: Service) -> Visibility:
    """FULL or PARTIAL for a service of the subject; Forbidden with the reason otherwise."""
    key = (subject.person.id, service)
    decided = ctx.visibilities.get(key)
    if decided is None:
        decided = ctx.visibilities[key] = policy_access.service_visibility(subject.access, service)
    if isinstance(decided, Denied):
        raise Forbidden(decided.reason)
    if not subject.is_viewer:
        ctx.touched.setdefault(subject.person.id, set()).add(service)
    return decided


async def representations(ctx: GatewayContext) -> list[Subject]:
    """Everyone the viewer may act for, self first: children and fullmakt grantors that pass the rules."""
    pid = viewer_pid(ctx)
    viewer, proxies = await asyncio.gather(ctx.loaders.person_by_id.load(pid), ctx.loaders.proxies_by_grantee.load(pid))
    candidates = [pid]
    if viewer is not None:
        candidates += sorted(viewer.parental_responsibility_for)
    candidates += sorted({p.grantor for p in proxies})
    found = await asyncio.gather(*(_allowed_or_none(ctx, c) for c in dict.fromkeys(candidates)))
    return [subject for subject in found if subject is not None]


async def _allowed_or_none(ctx: GatewayContext, person_id: str) -> Subject | None:
    try:
        return await resolve_subject(ctx, person_id)
    except (Forbidden, BadUserInput):
        return None
