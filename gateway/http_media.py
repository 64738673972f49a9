"""GraphQL over HTTP: which media type a response uses, and whether a result is a request error.

The rules are those of the GraphQL-over-HTTP spec (https://graphql.github.io/graphql-over-http/draft/):

- `application/graphql-response+json` when the client's Accept prefers it. Then the status code tells a
  request error (the request failed before execution: malformed, did not parse, did not validate, its
  variables did not coerce) from an executed one: 400 without `data`, against 200 with `data`.
- `application/json` otherwise (the legacy media type): no Accept, `*/*`, `application/json`, or an
  Accept naming neither type (the spec lets a server disregard it rather than answer 406). A
  well-formed GraphQL request then answers 200 whatever its errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from graphql import GraphQLError
from starlette.datastructures import Headers
from starlette.types import Scope, Send
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.core.errors import InternalError, PublicError

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"

# Preferred on a tie of quality and specificity: the spec's own media type, except that a bare
# wildcard (`*/*`, `application/*`) means the legacy one until the watershed.
_OFFERED = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)


def _media_ranges(accept: str) -> list[tuple[str, float]]:
    """`Accept` as (media range, q) pairs, lower-cased; malformed q values count as 1."""
    ranges = []
    for part in accept.split(","):
        media_range, *params = (p.strip() for p in part.split(";"))
        if not media_range:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 1.0
        ranges.append((media_range.lower(), q))
    return ranges


def _match(media_type: str, ranges: list[tuple[str, float]]) -> tuple[float, int] | None:
    """(q, specificity) of the most specific range that covers `media_type`: 2 exact, 1 `type/*`, 0 `*/*`."""
    kind = media_type.split("/")[0]
    best: tuple[float, int] | None = None
    for media_range, q in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[1]:
            best = (q, specificity)
    return best


def response_media_type(accept: str | None) -> str:
    """The media type of a GraphQL response to a request with this Accept header."""
    ranges = _media_ranges(accept or "")
    scored = []
    for rank, media_type in enumerate(_OFFERED):
        match = _match(media_type, ranges)
        if match is None or match[0] <= 0:
            continue
        q, specificity = match
        # Only an explicit `application/graphql-response+json` selects it: a wildcard means the legacy type.
        if media_type == GRAPHQL_RESPONSE_JSON and specificity < 2:
            continue
        scored.append((q, specificity, -rank, media_type))
    return max(scored)[3] if scored else APPLICATION_JSON


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution, so the response must not have `data`.

    Parse and validation errors come back from Strawberry as a PreExecutionError. Variable coercion
    also fails before any field runs, but inside graphql-core's execute(), so it comes back as an
    ordinary result with `data` null and errors without a `path`. An error raised while executing
    always has a path, except the ones our own code puts in place of an executed result (AuditTrail's
    AuditUnavailable): a PublicError other than the InternalError that masks unexpected exceptions.
    """
    if isinstance(result, PreExecutionError):
        return True
    if result.data is not None or not result.errors:
        return False
    return all(error.path is None and not _raised_by_us(error) for error in result.errors)


def _raised_by_us(error: GraphQLError) -> bool:
    original = error if isinstance(error, PublicError) else error.original_error
    return isinstance(original, PublicError) and not isinstance(original, InternalError)


async def send_error(
    scope: Scope, send: Send, status: int, message: str, code: str, headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    """Answer an HTTP request refused before GraphQL execution (by a middleware): one error in the
    GraphQL shape, with its code, in the media type the client accepts."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    accept = Headers(scope=scope).get("accept")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", response_media_type(accept).encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
