"""Resolving the subject of a query: who the viewer is, and whether they may act for the subject."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from gateway.auth import PrincipalKind
from gateway.context import GatewayContext
from gateway.errors import BadUserInput, Forbidden, Unauthenticated
from gateway.policy import representation
from gateway.policy.national_id import invalid_reason
from gateway.policy.representation import Allowed, Denied, PersonFacts
from gateway.policy.vocabulary import AddressProtection, Assurance, ConsentLevel, Reason
from gateway.sources.records import ConsentRecord, PersonRecord


@dataclass(frozen=True, slots=True)
class Subject:
    """A person the viewer may act for, with the decision that allows it."""

    person: PersonRecord
    access: Allowed


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
    return PersonFacts(
        id=person.id,
        birth_date=person.birth_date,
        address_protection=AddressProtection(person.address_protection),
        consent=ConsentLevel[consent.level] if consent else ConsentLevel.NONE,
        youth_access=bool(consent and consent.youth_access),
    )


async def resolve_subject(ctx: GatewayContext, person_id: str) -> Subject:
    """The subject `person_id` as the viewer may see it; Forbidden otherwise.

    A stranger and an id that does not exist get the same answer, so nothing tells a viewer
    whether a person exists.
    """
    pid = viewer_pid(ctx)
    check_person_id(person_id)
    cached = ctx.subjects.get(person_id)
    if cached is not None:
        return cached
    if person_id != pid:
        raise Forbidden(Reason.NO_RELATION)
    person, consent = await asyncio.gather(
        ctx.loaders.person_by_id.load(person_id), ctx.loaders.consent_by_person_id.load(person_id)
    )
    if person is None or person.deceased:
        raise Forbidden(Reason.NO_RELATION)
    decision = representation.decide(pid, person_facts(person, consent), ctx.now)
    if isinstance(decision, Denied):
        raise Forbidden(decision.reason)
    subject = Subject(person, decision)
    ctx.subjects[person_id] = subject
    return subject
