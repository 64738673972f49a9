"""The parts of an incremental answer (@defer, @stream), each held to the rules of a whole answer.

graphql-core's publisher (driven by the plan, gateway/engine) gives an initial part and then later
ones as their data arrives. Before each part leaves, what the schema extensions do for a whole
answer (schema/extensions.py) is done for the part:

- its errors are made public (`public_error`), in its `incremental` and `completed` entries too;
- the access log gets an entry for every other person whose data the part carries, before the
  part is sent; if the log refuses, the part's data is withheld: every fragment and stream still
  pending completes with AUDIT_UNAVAILABLE and the answer ends, with no further work;
- the masked fields it carries are listed in its `extensions.masked` (a deferred fragment runs as
  soon as it is found, so its masks may be noted before an earlier part leaves: each is listed in the
  part whose data holds it, or in the last part).

The parts are graphql-core's, formatted (the format of the GraphQL incremental delivery proposal:
`pending`, `incremental` and `completed` by id); how they go over the wire is the transport's
concern (gateway/incremental_http.py). The answer always ends with a part whose `hasNext` is false,
and closing it early (a client that went away) cancels the work still pending and the upstream
calls it made.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from graphql import GraphQLError
from graphql.execution.types import InitialIncrementalExecutionResult, SubsequentIncrementalExecutionResult

from gateway.core.errors import AuditUnavailable
from gateway.request.context import GatewayContext
from gateway.schema.extensions import public_error

log = logging.getLogger("gateway.core.errors")

Part = dict[str, Any]


def _public(errors: list[GraphQLError] | None) -> list[GraphQLError] | None:
    return [public_error(error) for error in errors] if errors else errors


def _carries(part: Part, paths: dict[str, list[str | int]], path: list[str | int]) -> bool:
    """Whether the part's data holds the field at `path` (a streamed item's: any item of its list)."""
    if "data" in part:
        return _holds(part["data"], path)
    for entry in part.get("incremental") or ():
        at = [*paths[entry["id"]], *entry.get("subPath", ())]
        if path[: len(at)] != at:
            continue
        if "items" in entry or _holds(entry["data"], path[len(at) :]):
            return True
    return False


def _holds(data: Any, path: list[str | int]) -> bool:
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
            data = data[key]
        else:
            return False
    return True


def _refused() -> dict[str, Any]:
    return dict(AuditUnavailable().formatted)  # a public error already: AuditTrail sends it as it is


async def checked_parts(
    initial: InitialIncrementalExecutionResult,
    later: AsyncGenerator[SubsequentIncrementalExecutionResult, None],
    context: GatewayContext,
    operation_name: str | None,
) -> AsyncIterator[Part]:
    """The answer's parts as they may leave the gateway, formatted."""
    decisions = context.decisions
    noted = 0  # masked fields taken from the decisions so far
    unlisted: list[dict[str, Any]] = []  # of those, the ones no part has listed yet
    paths: dict[str, list[str | int]] = {}  # where each fragment and stream announced goes
    pending: list[str] = []  # ids of the fragments and streams announced and not completed yet

    def masked_in(part: Part, last: bool) -> list[dict[str, Any]]:
        nonlocal noted
        unlisted.extend(decisions.masked[noted:])
        noted = len(decisions.masked)
        listed = [entry for entry in unlisted if last or _carries(part, paths, entry["path"])]
        for entry in listed:
            unlisted.remove(entry)
        return listed

    async def audited(part: Part, announced: list[Any], completed: list[Any]) -> Part | None:
        """The part with its masked fields, once the access log has its entries; None if it refused."""
        try:
            await decisions.write_access_log(operation_name)
        except AuditUnavailable as refused:
            log.error("access log write failed; withholding the rest of the answer", exc_info=refused.__cause__)
            return None
        for entry in announced:
            pending.append(entry.id)
            paths[entry.id] = entry.path
        for entry in completed:
            pending.remove(entry.id)
        # (Over a WebSocket, Strawberry put the extensions' results, all masks so far, on the first part.)
        extensions = part.pop("extensions", None) or {}
        extensions.pop("masked", None)
        masked = masked_in(part, last=not part["hasNext"])
        if masked:
            extensions["masked"] = masked
        if extensions:
            part["extensions"] = extensions
        return part

    try:
        initial.errors = _public(initial.errors)
        part = await audited(dict(initial.formatted), initial.pending, [])
        if part is None:
            yield {"data": None, "errors": [_refused()], "hasNext": False}
            return
        yield part
        async for result in later:
            for delivered in result.incremental or ():
                delivered.errors = _public(delivered.errors)
            for completed in result.completed or ():
                completed.errors = _public(completed.errors)
            part = await audited(dict(result.formatted), result.pending or [], result.completed or [])
            if part is None:
                yield {"hasNext": False, "completed": [{"id": id, "errors": [_refused()]} for id in pending]}
                return
            yield part
    finally:
        # Ended or abandoned (the client went away): no upstream call outlives the answer. The loaders
        # first, without awaiting (a cancelled response may not get to await anything); then
        # graphql-core cancels the work still pending.
        context.loaders.close()
        await later.aclose()
