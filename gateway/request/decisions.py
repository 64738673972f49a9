"""What the access rules decided in one request, and what the access log must say about it.

`Decisions` is made per request, like `Loaders` (and afresh for every event of a subscription), and
is the one way to the rules' answers at run time:

- `subject(id)` / `required_subject(id)`: whether the viewer may act for a person, and on what
  basis (docs/access-rules.md#who-may-act-for-whom); decided once per person per request,
  side-by-side fields wait for the first answer;
- `visibility(subject, service)`: FULL or PARTIAL for a portal service, or the denial as a value;
  `service(subject, service)` the same, raising FORBIDDEN (docs/access-rules.md#service-availability);
- `self_only(subject)`: whether a field only the subject themselves may read (their access log) is
  refused (docs/access-rules.md#the-access-log);
- `address_masked(subject, path)`: whether an address-revealing field is masked
  (docs/access-rules.md#confidential-address-masking);
- `write_access_log(operation)`: one entry per subject other than the viewer whose data was touched,
  appended or the request fails (docs/access-rules.md#the-access-log).

The rules themselves are pure functions in `gateway.policy`; this class loads the facts they need
through the request's loaders and remembers the answers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from gateway.core.audit import AuditBasis, AuditEntry, AuditLog
from gateway.core.auth import SERVICE_READ_SCOPE, Principal, PrincipalKind
from gateway.core.errors import AuditUnavailable, BadUserInput, Forbidden, Unauthenticated
from gateway.policy import access as policy_access
from gateway.policy import representation
from gateway.policy.national_id import invalid_reason
from gateway.policy.representation import Access, Allowed, Denied, PersonFacts, ProxyFacts
from gateway.policy.vocabulary import Assurance, Basis, ConsentLevel, Reason, Service, Visibility
from gateway.sources.loaders import Loaders
from gateway.sources.records import ConsentRecord, PersonRecord, ProxyRecord


@dataclass(frozen=True, slots=True)
class Subject:
    """A person the viewer may see, with the decision that allows it."""

    person: PersonRecord
    access: Access

    @property
    def is_viewer(self) -> bool:
        return isinstance(self.access, Allowed) and self.access.basis is Basis.SELF


def check_person_id(person_id: str, argument: str = "id") -> str:
    """A fødselsnummer or D-number, checked before any upstream call (docs/access-rules.md#malformed-ids)."""
    problem = invalid_reason(person_id)
    if problem:
        raise BadUserInput(f"`{argument}` is not a valid fødselsnummer or D-number: it {problem}.", argument)
    return person_id


def person_facts(person: PersonRecord, consent: ConsentRecord | None) -> PersonFacts:
    address = person.address
    return PersonFacts(
        id=person.id,
        birth_date=person.birth_date,
        address_protection=person.address_protection,
        consent=consent.level if consent else ConsentLevel.NONE,
        youth_access=bool(consent and consent.youth_access),
        address=representation.address_key(address.street, address.postal_code, address.municipality_number)
        if address
        else None,
        parental_responsibility_for=frozenset(person.parental_responsibility_for),
        responsible_parents=frozenset(person.responsible_parents),
        deceased=person.deceased,
        resident=person.resident,
    )


def proxy_facts(proxy: ProxyRecord) -> ProxyFacts:
    return ProxyFacts(proxy.grantor, proxy.grantee, proxy.service_areas, proxy.valid_from, proxy.valid_to, proxy.kind)


class Decisions:
    def __init__(self, principal: Principal, loaders: Loaders, now: dt.datetime, audit_log: AuditLog) -> None:
        self.principal = principal
        self.now = now
        self.loaders = loaders
        self._audit_log = audit_log
        self._subjects: dict[str, asyncio.Future[Subject | Denied | None]] = {}
        self._services: dict[tuple[str, Service], Visibility | Denied] = {}
        # For the access log: the services touched per subject other than the viewer.
        self._touched: dict[str, set[Service]] = {}
        self._audited: set[str] = set()  # subjects whose entry this request already wrote
        self.masked: list[dict[str, Any]] = []  # reported in the response's extensions.masked

    # Who the subject is

    def signed_in(self) -> tuple[str, Assurance]:
        """The signed-in person's id and level of assurance, or the error that says why no person is
        signed in (`Query.viewer` answers at any level; health data needs `viewer_pid`)."""
        principal = self.principal
        if principal.kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated(principal.problem)
        if principal.expires_at is not None and time.time() >= principal.expires_at:
            # A WebSocket outlives its token: a live subscription ends when the token does.
            raise Unauthenticated("token has expired")
        if principal.kind is PrincipalKind.SERVICE:
            raise Forbidden(Reason.SERVICE_SCOPE)
        assert principal.pid is not None and principal.assurance is not None
        return principal.pid, principal.assurance

    def viewer_pid(self) -> str:
        """The signed-in person's id, or the error that says why health data is out of reach."""
        pid, assurance = self.signed_in()
        if assurance is not Assurance.HIGH:
            raise Forbidden(Reason.INSUFFICIENT_ASSURANCE)
        return pid

    async def subject(self, person_id: str) -> Subject | None:
        """The person as the viewer may see them; FORBIDDEN otherwise.

        For a person viewer, a stranger and an id that does not exist get the same answer, so nothing
        tells whether a person exists. A service client gets None for an id that does not exist.
        """
        if self.principal.kind is PrincipalKind.ANONYMOUS:
            raise Unauthenticated(self.principal.problem)
        check_person_id(person_id)
        deciding = self._subjects.get(person_id)
        if deciding is None:
            # Fields resolved side by side may ask at once: the first asks, the others wait for its answer.
            deciding = self._subjects[person_id] = asyncio.ensure_future(self._decide(person_id))
        decided = await deciding
        if isinstance(decided, Denied):
            raise Forbidden(decided.reason)
        if decided is not None and not decided.is_viewer:
            self._touched.setdefault(person_id, set())
        return decided

    async def required_subject(self, person_id: str) -> Subject:
        """As `subject`, for a path that needs one (a write, a subscription, an entity's owner): an id
        that does not exist answers NO_RELATION, as a stranger does."""
        subject = await self.subject(person_id)
        if subject is None:
            raise Forbidden(Reason.NO_RELATION)
        return subject

    async def representations(self) -> list[Subject]:
        """Everyone the viewer may act for, self first: children and fullmakt grantors that pass the rules."""
        pid = self.viewer_pid()
        viewer, proxies = await asyncio.gather(
            self.loaders.person_by_id.load(pid), self.loaders.proxies_by_grantee.load(pid)
        )
        candidates = [pid]
        if viewer is not None:
            candidates += sorted(viewer.parental_responsibility_for)
        candidates += sorted({p.grantor for p in proxies})
        found = await asyncio.gather(*(self._allowed_or_none(c) for c in dict.fromkeys(candidates)))
        return [subject for subject in found if subject is not None]

    async def _allowed_or_none(self, person_id: str) -> Subject | None:
        try:
            return await self.subject(person_id)
        except (Forbidden, BadUserInput):
            return None

    async def _decide(self, person_id: str) -> Subject | Denied | None:
        loaders = self.loaders
        if self.principal.kind is PrincipalKind.SERVICE:
            if SERVICE_READ_SCOPE not in self.principal.scopes:
                return Denied(Reason.SERVICE_SCOPE)
            person, consent = await asyncio.gather(
                loaders.person_by_id.load(person_id), loaders.consent_by_person_id.load(person_id)
            )
            if person is None:
                return None
            return Subject(person, representation.client_access(person_facts(person, consent), self.now))

        pid = self.viewer_pid()
        is_self = pid == person_id
        viewer, subject, consent, proxies = await asyncio.gather(
            loaders.person_by_id.load(pid),
            loaders.person_by_id.load(person_id),
            loaders.consent_by_person_id.load(person_id),
            _no_proxies() if is_self else loaders.proxies_by_grantee.load(pid),
        )
        if viewer is None:
            return Denied(Reason.NO_RELATION)
        viewer_facts = person_facts(viewer, consent if is_self else None)
        if subject is None:
            return representation.unknown_subject(viewer_facts)
        subject_facts = person_facts(subject, consent)
        parents: list[PersonFacts] = []
        if not is_self and representation.needs_other_parents(viewer_facts, subject_facts):
            others = [p for p in subject.responsible_parents if p != pid]
            records = await loaders.person_by_id.load_many(others)
            parents = [person_facts(r, None) for r in records if r is not None]
        decision = representation.decide(
            viewer_facts, subject_facts, self.now, proxies=[proxy_facts(p) for p in proxies], parents=parents
        )
        return decision if isinstance(decision, Denied) else Subject(subject, decision)

    # What each service shows

    def visibility(self, subject: Subject, service: Service) -> Visibility | Denied:
        """FULL or PARTIAL for a service of the subject (noted for the access log), or why not."""
        key = (subject.person.id, service)
        decided = self._services.get(key)
        if decided is None:
            decided = self._services[key] = policy_access.service_visibility(subject.access, service)
        if not isinstance(decided, Denied):
            self.touch(subject, {service})
        return decided

    def service(self, subject: Subject, service: Service) -> Visibility:
        """As `visibility`, for a field that opens the service: FORBIDDEN with the reason when denied."""
        decided = self.visibility(subject, service)
        if isinstance(decided, Denied):
            raise Forbidden(decided.reason)
        return decided

    def self_only(self, subject: Subject) -> Denied | None:
        """Why the viewer may not read a field only the subject themselves may read (their access log)."""
        return policy_access.self_only_denial(subject.access)

    def address_masked(self, subject: Subject, path: list[str | int]) -> bool:
        """Whether an address-revealing field of the subject is masked; a masked one is reported."""
        reason = policy_access.address_mask(subject.access)
        if reason is None:
            return False
        self.masked.append({"path": path, "reason": reason.value})
        return True

    # The access log

    def touch(self, subject: Subject, services: set[Service]) -> None:
        """Note that data of these services of the subject was read or written in this request."""
        if not subject.is_viewer:
            self._touched.setdefault(subject.person.id, set()).update(services)

    async def pending_entries(self, operation: str | None) -> list[AuditEntry]:
        """An entry for every subject touched in this request whose entry is not yet written."""
        principal = self.principal
        pending = [(s, services) for s, services in sorted(self._touched.items()) if s not in self._audited]
        if not pending:
            return []
        actor_name = principal.client_id
        if principal.pid is not None:
            # Loaded when the viewer's right was decided: no upstream call.
            viewer = await self.loaders.person_by_id.load(principal.pid)
            actor_name = f"{viewer.given_name} {viewer.family_name}" if viewer else None
        entries = []
        for subject_id, services in pending:
            decided = self._subjects[subject_id].result()
            access = decided.access if isinstance(decided, Subject) else None
            entries.append(
                AuditEntry(
                    at=self.now,
                    actor_id=principal.pid or principal.client_id or "unknown",
                    actor_name=actor_name,
                    subject_id=subject_id,
                    basis=AuditBasis(access.basis.value) if isinstance(access, Allowed) else AuditBasis.SERVICE,
                    services=tuple(sorted(services, key=lambda service: service.value)),
                    operation=operation,
                )
            )
        return entries

    async def write_access_log(self, operation: str | None, *, only: Subject | None = None) -> None:
        """Append the pending entries (only `only`'s, before a write on their behalf), or raise
        AUDIT_UNAVAILABLE: no other person's data is shown or changed without its entry."""
        entries = await self.pending_entries(operation)
        if only is not None:
            entries = [e for e in entries if e.subject_id == only.person.id]
        if not entries:
            return
        try:
            await self._audit_log.append(entries)
        except Exception as exc:
            raise AuditUnavailable() from exc
        self._audited.update(e.subject_id for e in entries)


async def _no_proxies() -> tuple[ProxyRecord, ...]:
    return ()
