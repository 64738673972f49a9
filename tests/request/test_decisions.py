"""gateway/request/decisions.py: what the rules decided in one request, and what its access log says.

Every Decisions here is a real request's (tests/request/factory.py): the facts come from the sandbox
registry and consent services through the request's loaders.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from gateway.core.audit import AuditBasis, AuditEntry, MemoryAuditLog
from gateway.core.auth import ANONYMOUS, Principal
from gateway.core.config import Settings
from gateway.core.errors import AuditUnavailable, BadUserInput, Forbidden, Unauthenticated
from gateway.policy import access as policy_access
from gateway.policy import representation
from gateway.policy.representation import Allowed, ClientAccess, Denied
from gateway.policy.vocabulary import Assurance, Basis, Reason, Service, Visibility
from gateway.request.decisions import Decisions, Subject
from gateway.schema import build_schema
from sandbox import Sandbox, consent, registry
from sandbox.seed import EMMA, ERIK, INGRID, JONAS, KARI, LARS, MAJA, NORA, OLA, PER, SOFIE
from tests.request.factory import NOBODY, Contexts, person, service_client
from tests.support import TEST_NOW


class Calls:
    """Counts the calls of a module-level function that Decisions uses, passing them through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> None:
        self.count = 0
        real: Callable[..., Any] = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


class FailingAuditLog(MemoryAuditLog):
    """An access log whose store refuses writes while `failing` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.failing = True

    async def append(self, entries: Sequence[AuditEntry]) -> None:
        if self.failing:
            raise ConnectionError("audit store at 10.0.0.7:6379 refused the write")
        await super().append(entries)


async def forbidden(decisions: Decisions, person_id: str) -> Forbidden:
    with pytest.raises(Forbidden) as exc:
        await decisions.subject(person_id)
    return exc.value


def allowed(subject: Subject | None) -> Allowed:
    assert subject is not None and isinstance(subject.access, Allowed)
    return subject.access


# Deciding once


async def test_one_subject_asked_for_by_several_fields_at_once_is_decided_once(
    contexts: Contexts, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide = Calls(monkeypatch, representation, "decide")
    decisions = contexts.person(KARI).decisions
    sandbox.reset()
    answers = await asyncio.gather(
        *(decisions.subject(JONAS) for _ in range(4)), decisions.required_subject(JONAS), decisions.subject(JONAS)
    )
    assert all(answer is answers[0] for answer in answers)
    assert allowed(answers[0]).basis is Basis.PARENT
    assert decide.count == 1
    assert sandbox.control("registry").counts == {registry.BULK_ROUTE: 1}
    assert sandbox.control("consent").counts == {consent.CONSENTS_ROUTE: 1, consent.GIVERS_ROUTE: 1}
    # Asked again later in the request: the answer is remembered, nothing is asked upstream.
    before = sandbox.total_requests()
    assert await decisions.subject(JONAS) is answers[0]
    assert sandbox.total_requests() == before and decide.count == 1


async def test_a_parent_living_apart_is_decided_once_with_one_more_registry_call(
    contexts: Contexts, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Per lives apart from Maja: the rule asks whether another responsible parent lives with her.
    decide = Calls(monkeypatch, representation, "decide")
    decisions = contexts.person(PER).decisions
    sandbox.reset()
    answers = await asyncio.gather(*(decisions.subject(MAJA) for _ in range(3)))
    assert allowed(answers[0]).basis is Basis.PARENT and answers.count(answers[0]) == 3
    assert decide.count == 1
    assert sandbox.control("registry").counts == {registry.BULK_ROUTE: 2}  # Per and Maja, then her mother


async def test_a_denial_is_decided_once_too(
    contexts: Contexts, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    decide = Calls(monkeypatch, representation, "decide")
    decisions = contexts.person(KARI).decisions
    sandbox.reset()
    denials = await asyncio.gather(*(decisions.subject(SOFIE) for _ in range(3)), return_exceptions=True)
    assert [d.reason for d in denials if isinstance(d, Forbidden)] == [Reason.CHILD_AGE] * 3
    assert decide.count == 1 and sandbox.control("registry").counts == {registry.BULK_ROUTE: 1}


# What a viewer is told


async def test_a_stranger_and_a_non_existent_id_answer_alike(contexts: Contexts) -> None:
    decisions = contexts.person(PER).decisions
    stranger, nobody = await forbidden(decisions, KARI), await forbidden(decisions, NOBODY)
    assert stranger.reason is nobody.reason is Reason.NO_RELATION
    assert (stranger.message, stranger.extensions) == (nobody.message, nobody.extensions)
    assert nobody.extensions == {"code": "FORBIDDEN", "reason": "NO_RELATION"}
    with pytest.raises(Forbidden) as exc:
        await decisions.required_subject(NOBODY)
    assert exc.value.reason is Reason.NO_RELATION


async def test_a_subjects_confidential_address_is_never_told(contexts: Contexts) -> None:
    # Nora's fullmakt to Kari is ignored, and Per is Lars's parent: both are answered as a stranger is.
    assert (await forbidden(contexts.person(KARI).decisions, NORA)).reason is Reason.NO_RELATION
    assert (await forbidden(contexts.person(PER).decisions, LARS)).reason is Reason.NO_RELATION


async def test_a_viewer_at_a_confidential_address_is_told_so_for_anyone_and_for_no_one(contexts: Contexts) -> None:
    decisions = contexts.person(NORA).decisions
    someone, nobody = await forbidden(decisions, KARI), await forbidden(decisions, NOBODY)
    assert someone.reason is nobody.reason is Reason.CONFIDENTIAL_ADDRESS
    assert someone.extensions == nobody.extensions
    assert allowed(await decisions.subject(NORA)).basis is Basis.SELF


async def test_a_malformed_id_is_bad_user_input_before_any_upstream_call(contexts: Contexts, sandbox: Sandbox) -> None:
    decisions = contexts.person(KARI).decisions
    sandbox.reset()
    for malformed in ("1284851005", "12848510059", "kari"):
        with pytest.raises(BadUserInput) as exc:
            await decisions.subject(malformed)
        assert exc.value.extensions == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert sum(sandbox.total_requests().values()) == 0


async def test_representations_are_self_first_then_everyone_the_rules_allow(contexts: Contexts) -> None:
    async def rows(viewer: str) -> list[tuple[str, Basis]]:
        found = await contexts.person(viewer).decisions.representations()
        return [(s.person.id, allowed(s).basis) for s in found]

    # Not Sofie (17), not Nora (confidential address, her fullmakt ignored), not Ola for Erik (expired).
    assert await rows(KARI) == [(KARI, Basis.SELF), (EMMA, Basis.PARENT), (JONAS, Basis.PARENT), (OLA, Basis.PROXY)]
    assert await rows(PER) == [(PER, Basis.SELF), (MAJA, Basis.PARENT)]
    assert await rows(ERIK) == [(ERIK, Basis.SELF), (INGRID, Basis.PROXY)]


# Who is asking


async def test_an_expired_token_is_unauthenticated(contexts: Contexts) -> None:
    expired = contexts.of(person(KARI, expires_at=time.time() - 60)).decisions
    with pytest.raises(Unauthenticated) as exc:
        expired.viewer_pid()
    assert exc.value.extensions == {"code": "UNAUTHENTICATED"} and "expired" in exc.value.message
    with pytest.raises(Unauthenticated):
        await expired.subject(KARI)
    with pytest.raises(Unauthenticated):
        await expired.representations()
    valid = contexts.of(person(KARI, expires_at=time.time() + 3600)).decisions
    assert valid.viewer_pid() == KARI


async def test_who_may_reach_health_data(contexts: Contexts) -> None:
    with pytest.raises(Unauthenticated):
        contexts.of(ANONYMOUS).decisions.viewer_pid()
    with pytest.raises(Unauthenticated):
        await contexts.of(ANONYMOUS).decisions.subject(KARI)
    for principal, reason in [
        (person(KARI, assurance=Assurance.SUBSTANTIAL), Reason.INSUFFICIENT_ASSURANCE),
        (service_client(), Reason.SERVICE_SCOPE),
    ]:
        with pytest.raises(Forbidden) as exc:
            contexts.of(principal).decisions.viewer_pid()
        assert exc.value.reason is reason


async def test_who_is_signed_in_is_told_at_any_assurance(contexts: Contexts) -> None:
    """The viewer's own id answers at `idporten-loa-substantial` too; everything else is refused as it
    is for health data (docs/access-rules.md#authentication)."""
    substantial = contexts.of(person(KARI, assurance=Assurance.SUBSTANTIAL)).decisions
    assert substantial.signed_in() == (KARI, Assurance.SUBSTANTIAL)
    assert contexts.person(KARI).decisions.signed_in() == (KARI, Assurance.HIGH)
    with pytest.raises(Unauthenticated):
        contexts.of(ANONYMOUS).decisions.signed_in()
    with pytest.raises(Unauthenticated) as expired:
        contexts.of(person(KARI, expires_at=time.time() - 60)).decisions.signed_in()
    assert "expired" in expired.value.message
    with pytest.raises(Forbidden) as exc:
        contexts.of(service_client()).decisions.signed_in()
    assert exc.value.reason is Reason.SERVICE_SCOPE


async def test_the_viewer_field_refuses_as_the_decisions_do(contexts: Contexts) -> None:
    """`Query.viewer` asks `Decisions` who is signed in, as every other field does: a token that
    expired while a WebSocket stayed open answers UNAUTHENTICATED there too."""
    schema = build_schema(Settings.model_construct())

    async def viewer(principal: Principal) -> tuple[Any, list[dict[str, Any] | None]]:
        result = await schema.execute("{ viewer { id assurance } }", context_value=contexts.of(principal))
        return result.data, [e.extensions for e in result.errors or ()]

    assert await viewer(person(KARI, assurance=Assurance.SUBSTANTIAL)) == (
        {"viewer": {"id": KARI, "assurance": "SUBSTANTIAL"}},
        [],
    )
    assert await viewer(person(KARI, expires_at=time.time() - 60)) == (None, [{"code": "UNAUTHENTICATED"}])
    assert await viewer(ANONYMOUS) == (None, [{"code": "UNAUTHENTICATED"}])
    assert await viewer(service_client()) == (None, [{"code": "FORBIDDEN", "reason": "SERVICE_SCOPE"}])


async def test_a_service_client_gets_none_for_an_unknown_id(contexts: Contexts) -> None:
    decisions = contexts.of(service_client()).decisions
    assert await decisions.subject(NOBODY) is None
    with pytest.raises(Forbidden) as exc:
        await decisions.required_subject(NOBODY)
    assert exc.value.reason is Reason.NO_RELATION
    kari = await decisions.subject(KARI)
    assert kari is not None and isinstance(kari.access, ClientAccess) and not kari.is_viewer
    # Not even a service client's Person is a way to health data.
    with pytest.raises(Forbidden) as exc:
        decisions.service(kari, Service.FASTLEGE)
    assert exc.value.reason is Reason.SERVICE_SCOPE
    # An unknown id touched no one: only Kari's entry is pending.
    assert [e.subject_id for e in await decisions.pending_entries(None)] == [KARI]


async def test_a_service_client_without_the_read_scope_is_refused(contexts: Contexts) -> None:
    decisions = contexts.of(service_client(scopes=frozenset({"inbox:write"}))).decisions
    assert (await forbidden(decisions, KARI)).reason is Reason.SERVICE_SCOPE


# Services and the access log


async def test_a_service_is_decided_once_per_subject_and_touched_only_for_another_person(
    contexts: Contexts, monkeypatch: pytest.MonkeyPatch
) -> None:
    visibility = Calls(monkeypatch, policy_access, "service_visibility")
    decisions = contexts.person(KARI).decisions
    kari, jonas = await decisions.required_subject(KARI), await decisions.required_subject(JONAS)
    assert [decisions.service(jonas, Service.INNBOKS) for _ in range(3)] == [Visibility.PARTIAL] * 3
    assert visibility.count == 1
    assert decisions.service(jonas, Service.TIMEAVTALER) is Visibility.PARTIAL
    assert decisions.service(kari, Service.INNBOKS) is Visibility.FULL
    assert visibility.count == 3
    for _ in range(2):  # a denial is remembered as well, and raised every time
        with pytest.raises(Forbidden) as exc:
            decisions.service(jonas, Service.DIGITAL_DIALOG)
        assert exc.value.reason is Reason.CHILD_AGE
    assert visibility.count == 4
    # One entry, Jonas's, with the services actually opened; Kari's own reads are not logged.
    assert await decisions.pending_entries("ReadJonas") == [
        AuditEntry(
            at=TEST_NOW,
            actor_id=KARI,
            actor_name="Kari Nordmann",
            subject_id=JONAS,
            basis=AuditBasis.PARENT,
            services=(Service.INNBOKS, Service.TIMEAVTALER),
            operation="ReadJonas",
        )
    ]


async def test_whether_a_service_is_open_is_answered_as_a_value(contexts: Contexts) -> None:
    """`visibility` answers a denial as a value, for a caller that shows less rather than failing (a
    contact of a service the viewer may not see is left out); `service` raises it. Either way the
    answer is remembered, and only a service that opens is written to the access log."""
    decisions = contexts.person(KARI).decisions
    jonas = await decisions.required_subject(JONAS)
    assert decisions.visibility(jonas, Service.DIGITAL_DIALOG) == Denied(Reason.CHILD_AGE)
    assert decisions.visibility(jonas, Service.INNBOKS) is Visibility.PARTIAL
    with pytest.raises(Forbidden) as exc:
        decisions.service(jonas, Service.DIGITAL_DIALOG)
    assert exc.value.reason is Reason.CHILD_AGE
    assert [e.services for e in await decisions.pending_entries(None)] == [(Service.INNBOKS,)]
    client = contexts.of(service_client()).decisions
    assert client.visibility(await client.required_subject(KARI), Service.FASTLEGE) == Denied(Reason.SERVICE_SCOPE)


async def test_the_access_log_gets_one_entry_per_touched_subject_once(contexts: Contexts) -> None:
    log = MemoryAuditLog()
    decisions = contexts.of(person(KARI), audit_log=log).decisions
    kari, jonas, ola = [await decisions.required_subject(pid) for pid in (KARI, JONAS, OLA)]
    decisions.service(kari, Service.INNBOKS)
    decisions.service(jonas, Service.INNBOKS)
    decisions.service(ola, Service.FASTLEGE)
    await decisions.write_access_log("Overview")
    jonas_log, ola_log = await log.entries_for(JONAS), await log.entries_for(OLA)
    assert [(e.basis, e.services, e.operation) for e in jonas_log] == [
        (AuditBasis.PARENT, (Service.INNBOKS,), "Overview")
    ]
    assert [(e.basis, e.services, e.actor_id) for e in ola_log] == [(AuditBasis.PROXY, (Service.FASTLEGE,), KARI)]
    assert await log.entries_for(KARI) == []
    assert await decisions.pending_entries("Overview") == []
    await decisions.write_access_log("Overview")  # nothing left to write
    assert (len(await log.entries_for(JONAS)), len(await log.entries_for(OLA))) == (1, 1)


async def test_only_writes_the_entry_of_the_person_acted_for(contexts: Contexts) -> None:
    log = MemoryAuditLog()
    decisions = contexts.of(person(KARI), audit_log=log).decisions
    emma, ola = await decisions.required_subject(EMMA), await decisions.required_subject(OLA)
    decisions.service(emma, Service.DIGITAL_DIALOG)
    decisions.service(ola, Service.INNBOKS)
    await decisions.write_access_log("SendForEmma", only=emma)
    assert [e.services for e in await log.entries_for(EMMA)] == [(Service.DIGITAL_DIALOG,)]
    assert await log.entries_for(OLA) == []
    assert [e.subject_id for e in await decisions.pending_entries("SendForEmma")] == [OLA]


async def test_an_access_log_that_refuses_the_write_fails_the_request_and_keeps_the_entries(
    contexts: Contexts,
) -> None:
    log = FailingAuditLog()
    decisions = contexts.of(person(KARI), audit_log=log).decisions
    decisions.service(await decisions.required_subject(JONAS), Service.INNBOKS)
    with pytest.raises(AuditUnavailable) as exc:
        await decisions.write_access_log("ReadJonas")
    assert exc.value.extensions == {"code": "AUDIT_UNAVAILABLE"}
    assert "10.0.0.7" not in exc.value.message  # the store's detail stays in the server
    assert isinstance(exc.value.__cause__, ConnectionError)
    # Nothing was marked written: the entry is still pending, and written once the log takes it.
    assert [e.subject_id for e in await decisions.pending_entries("ReadJonas")] == [JONAS]
    log.failing = False
    await decisions.write_access_log("ReadJonas")
    await decisions.write_access_log("ReadJonas")
    assert [e.services for e in await log.entries_for(JONAS)] == [(Service.INNBOKS,)]


async def test_a_service_clients_reads_are_logged_as_such(contexts: Contexts) -> None:
    log = MemoryAuditLog()
    decisions = contexts.of(service_client("federation"), audit_log=log).decisions
    assert await decisions.subject(OLA) is not None
    await decisions.write_access_log("Entities")
    (entry,) = await log.entries_for(OLA)
    assert (entry.actor_id, entry.actor_name, entry.basis, entry.services) == (
        "federation",
        "federation",
        AuditBasis.SERVICE,
        (),
    )


async def test_only_the_person_reads_their_access_log(contexts: Contexts) -> None:
    decisions = contexts.person(KARI).decisions
    assert decisions.self_only(await decisions.required_subject(KARI)) is None
    assert decisions.self_only(await decisions.required_subject(JONAS)) == Denied(Reason.NO_RELATION)
    client = contexts.of(service_client()).decisions
    assert client.self_only(await client.required_subject(KARI)) == Denied(Reason.SERVICE_SCOPE)


# Address masking


async def test_a_masked_address_is_recorded_with_its_path_and_reason(contexts: Contexts) -> None:
    decisions = contexts.of(service_client()).decisions
    nora, kari = await decisions.required_subject(NORA), await decisions.required_subject(KARI)
    assert decisions.address_masked(kari, ["person", "address"]) is False
    assert decisions.masked == []
    assert decisions.address_masked(nora, ["person", "address"]) is True
    assert decisions.address_masked(nora, ["_entities", 0, "address"]) is True
    assert decisions.masked == [
        {"path": ["person", "address"], "reason": "CONFIDENTIAL_ADDRESS"},
        {"path": ["_entities", 0, "address"], "reason": "CONFIDENTIAL_ADDRESS"},
    ]
    # Strictly confidential: masked too (the registry holds no address at all).
    assert decisions.address_masked(await decisions.required_subject(LARS), ["person", "address"]) is True


async def test_a_person_at_a_fortrolig_address_sees_her_own(contexts: Contexts) -> None:
    decisions = contexts.person(NORA).decisions
    assert decisions.address_masked(await decisions.required_subject(NORA), ["person", "address"]) is False
    assert decisions.masked == []
