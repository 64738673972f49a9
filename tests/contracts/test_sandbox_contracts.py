"""Each sandbox app keeps the contract of its source (docs/contracts/), as schemathesis finds it:
cases made from each document (its examples, its boundaries, then random ones) sent over HTTP."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from sandbox import Sandbox
from tests.contracts.fuzzing import call_and_validate, contract

# Per operation and phase: enough to reach every status an operation documents, few enough that the
# contract tests stay within a minute on two cores.
BOUNDED = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))

REGISTRY, INBOX, FULLMAKT = contract("registry"), contract("inbox"), contract("consent")


@REGISTRY.parametrize()
@BOUNDED
def test_the_registry_keeps_its_contract(case: schemathesis.Case, threaded_sandbox: Sandbox) -> None:
    # A Maskinporten token for every call; ignored_auth also sends the case without one, and with a bad one.
    call_and_validate(case, threaded_sandbox, "registry", threaded_sandbox.registry_authorization())


@INBOX.parametrize()
@BOUNDED
def test_the_inbox_keeps_its_contract(case: schemathesis.Case, threaded_sandbox: Sandbox) -> None:
    call_and_validate(case, threaded_sandbox, "inbox")


@FULLMAKT.parametrize()
@BOUNDED
def test_the_fullmakt_source_keeps_its_contract(case: schemathesis.Case, threaded_sandbox: Sandbox) -> None:
    # A DPoP proof is bound to the method and the URL without its query, and is good for one call.
    url = threaded_sandbox.urls["consent"] + case.formatted_path
    call_and_validate(case, threaded_sandbox, "consent", threaded_sandbox.fullmakt_authorization(case.method, url))
