"""A request a sandbox app received, held to the contract document of its source (openapi-core).

`violation(received)` says what is wrong with one, or None when it keeps its contract: its route is
in the document, and its path and query parameters, the headers the document requires, its
credentials and its body are as described there. A query parameter the document does not name is
a violation too: openapi-core lets one pass, but a client that sends it has drifted from the
contract as surely as one that leaves a required one out.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from functools import cache

from openapi_core import OpenAPI
from openapi_core.templating.paths.datatypes import PathOperationServer
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.testing import MockRequest
from openapi_core.validation.schemas import oas31_schema_validators_factory
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from werkzeug.datastructures import Headers, ImmutableMultiDict

from sandbox.recording import Received
from tests.contracts.documents import document, openapi

# The sandbox's own controls, and the token issuers served beside a source without being it.
NOT_CHECKED = ("/_sandbox/", "/maskinporten/", "/helseid/")
# The gateway's readiness probe (JsonHttp.reachable, for /readyz) asks a source's base URL for any
# answer below 500: it asks nothing of the contract, and no document names it.
READINESS_PROBE = ("GET", "/")

CHECKED_SOURCES = ("registry", "inbox", "consent")


def _as_openapi(received: Received) -> MockRequest:
    headers = Headers(received.headers)
    return MockRequest(
        received.origin,
        received.method,
        received.path,
        args=ImmutableMultiDict(received.query),
        headers=headers,
        data=received.body,
        content_type=headers.get("Content-Type", "").lower(),
    )


def _described(error: Exception) -> str:
    """openapi-core's error, with its cause: the schema's own words for each value it refused, or the
    value it could not take as the schema's type."""
    cause = error.__cause__
    details = [f"{e.json_path}: {e.message}" for e in getattr(cause, "schema_errors", ())] or [str(cause or "")]
    return f"{error} ({'; '.join(details)})" if any(details) else str(error)


def _operation(api: OpenAPI, request: MockRequest) -> PathOperationServer | None:
    try:
        return APICallPathFinder(api.spec).find(request.method, request.host_url + request.path)
    except PathError:
        return None


def _body_as_sent(found: PathOperationServer, body: bytes) -> str | None:
    """What the JSON body as sent breaks in its schema. openapi-core casts a body's values to the
    schema's types before it validates them (openapi-core #706: `"true"` passes for `true`), so the
    body is validated here once more, uncast."""
    if "requestBody" not in found.operation or not body:
        return None  # openapi-core has said whether a body was due
    schema = found.operation / "requestBody" / "content" / "application/json" / "schema"
    try:
        oas31_schema_validators_factory.create(schema).validate(json.loads(body))
    except InvalidSchemaValue as exc:
        return "; ".join(f"{e.json_path}: {e.message}" for e in exc.schema_errors)
    return None


def _checked(received: Received) -> bool:
    return (
        received.service in CHECKED_SOURCES
        and not received.path.startswith(NOT_CHECKED)
        and (received.method, received.path) != READINESS_PROBE
    )


def checked_route(received: Received) -> tuple[str, str] | None:
    """(source, the document's route: "PATCH /threads/{threadId}", or the request's own path when the
    document has none) of a request held to its contract; None for one that is not."""
    if not _checked(received):
        return None
    return _route(received.service, received.method, received.origin, received.path)


@cache
def _route(service: str, method: str, origin: str, path: str) -> tuple[str, str]:
    found = _operation(openapi(service), MockRequest(origin, method, path))
    return service, f"{method} {found.path_result.pattern if found else path}"


# Headers whose values a document constrains; of the others (credentials above all, a fresh DPoP proof
# on every call) it asks only that they are there.
_VALUED_HEADERS = frozenset({"content-type", "accept"})
# The verdict on each request shape seen: the e2e suite sends the same request many times over, and
# each validation costs milliseconds.
_verdicts: dict[tuple[object, ...], str | None] = {}


def violation(received: Received) -> str | None:
    """What breaks the contract in this request, or None (also for one no contract is checked for)."""
    if not _checked(received):
        return None
    headers = sorted(
        (name.lower(), value if name.lower() in _VALUED_HEADERS else "") for name, value in received.headers
    )
    shape = (received.service, received.method, received.path, received.query, received.body, tuple(headers))
    if shape not in _verdicts:
        _verdicts[shape] = _violation(received)
    return _verdicts[shape]


def _violation(received: Received) -> str | None:
    api, request = openapi(received.service), _as_openapi(received)
    result = api.unmarshal_request(request)
    if result.errors:
        return "; ".join(map(_described, result.errors))
    if undeclared := sorted({name for name, _ in received.query} - set(result.parameters.query)):
        return f"query parameters the contract does not name: {', '.join(undeclared)}"
    found = _operation(api, request)
    assert found is not None  # openapi-core found the operation, or said it did not
    if refused := _body_as_sent(found, received.body):
        return f"Request body validation error ({refused})"
    return None


def broken(received: Iterable[Received]) -> list[str]:
    """Each distinct violation among these requests, with the request that made it."""
    found = (f"{r.method} {r.path} to the {r.service}: {v}" for r in received if (v := violation(r)) is not None)
    return list(dict.fromkeys(found))


def summary(checked: Counter[tuple[str, str]]) -> str:
    """How many requests were held to their contract, by route (`checked_route`), and the routes of
    the documents that no request was for."""
    methods = ("get", "put", "post", "delete", "patch")
    documented = [
        (source, f"{method.upper()} {path}")
        for source in CHECKED_SOURCES
        for path, item in document(source)["paths"].items()
        for method in item
        if method in methods
    ]
    counts = ", ".join(f"{source} {route} {n}" for (source, route), n in sorted(checked.items()))
    missing = ", ".join(f"{source} {route}" for source, route in documented if (source, route) not in checked)
    return (
        f"contracts: {checked.total()} requests to {' and '.join(CHECKED_SOURCES)} held to docs/contracts/"
        f" ({counts or 'none'}); no request for: {missing or 'none'}"
    )
