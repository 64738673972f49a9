"""Incremental delivery over HTTP: which clients get an answer in parts, and how the parts are framed.

Content negotiation follows the GraphQL-over-HTTP incremental delivery RFC
(https://github.com/graphql/graphql-over-http/blob/main/rfcs/IncrementalDelivery.md):

- A client whose Accept names `multipart/mixed` or `text/event-stream` (q > 0) reads an answer in
  parts: the engine then applies @defer and @stream. The one it ranks higher frames the parts, the
  earlier one on a tie (urql names both, Apollo Client multipart alone). A wildcard names neither.
- Any other client (no Accept, JSON only) gets one JSON answer with everything in it, as before:
  @defer and @stream are ignored.
- An operation without @defer or @stream that runs to its end in one part is answered as JSON
  whatever the Accept, as the RFC allows.

The parts' format:

- by default, that of `deferSpec=20220824` (Apollo's name for graphql-js 17.0.0-alpha.2's), which
  Apollo Client 3, urql and Apollo Router read: each `incremental` entry carries its `path` (a
  streamed item's, its index) and `label`, and its errors;
- with `incrementalSpec=v0.2` on the Accept's `multipart/mixed` (Apollo Client 4), the format of the
  current proposal, as graphql-core gives it: `pending` entries announce each deferred fragment and
  stream by id, `incremental` entries refer to those ids, `completed` ones end them.

Framing: `multipart/mixed; boundary="-"`, each part `Content-Type: application/json` (the mixed
format Apollo Client and urql parse); or Server-Sent Events, each part an `event: next` and the end an
`event: complete` (GraphQL over SSE's distinct connections mode), lines ending with LF.
"""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import StreamingResponse
from strawberry.http.streaming import MultipartTransport, SSETransport

Part = dict[str, Any]

MULTIPART = "multipart/mixed"
EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a client reads an answer in parts."""

    event_stream: bool  # Server-Sent Events, else multipart/mixed
    by_id: bool  # the current proposal's format, else deferSpec=20220824


def negotiate(accept: str | None) -> Delivery | None:
    """How the client with this Accept reads an answer in parts; None if it reads JSON only."""
    best: tuple[float, int, Delivery] | None = None
    for position, part in enumerate((accept or "").split(",")):
        media_range, *raw_params = (p.strip() for p in part.split(";"))
        media_range = media_range.lower()
        if media_range not in (MULTIPART, EVENT_STREAM):
            continue
        params = {}
        for raw in raw_params:
            name, _, value = raw.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 1.0
        if q <= 0:
            continue
        by_id = media_range == MULTIPART and params.get("incrementalspec") == "v0.2"
        candidate = (q, -position, Delivery(event_stream=media_range == EVENT_STREAM, by_id=by_id))
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    return best[2] if best is not None else None


class Defer20220824:
    """graphql-core's parts (by id) in the format of `deferSpec=20220824` (by path).

    A streamed item's path ends with its index, counted from the items already in the answer: the
    answer so far is kept (a copy), to count them and to tell a failed stream from a failed fragment;
    made when the second part comes, so that copying the first one's data does not delay it."""

    def __init__(self) -> None:
        self._first: Any = None  # the first part's data, until the answer so far is made from it
        self._answer: Any = None
        self._pending: dict[str, tuple[list[str | int], str | None]] = {}
        self._sent: dict[str, int] = {}  # a stream's id -> the index of its next item

    def __call__(self, part: Part) -> Part:
        if "data" in part:  # the initial part
            self._first = part.get("data")
            self._announce(part.get("pending"))
            return {key: value for key, value in part.items() if key != "pending"}
        self._announce(part.get("pending"))
        entries: list[Part] = []
        for entry in part.get("incremental") or ():
            path, label = self._pending[entry["id"]]
            if "items" in entry:
                index = self._next_index(entry["id"], path)
                converted: Part = {"items": entry["items"], "path": [*path, index]}
                self._at(path).extend(copy.deepcopy(entry["items"]))
                self._sent[entry["id"]] = index + len(entry["items"])
            else:
                full = [*path, *entry.get("subPath", ())]
                converted = {"data": entry["data"], "path": full}
                _merge(self._at(full), copy.deepcopy(entry["data"]))
            if label is not None:
                converted["label"] = label
            for key in ("errors", "extensions"):
                if key in entry:
                    converted[key] = entry[key]
            entries.append(converted)
        for done in part.get("completed") or ():
            path, label = self._pending.pop(done["id"])
            if "errors" not in done:
                continue
            # A fragment or stream that failed as a whole: its position is null, as graphql-js sent it.
            if isinstance(self._at(path), list):
                failed: Part = {"items": None, "path": [*path, self._next_index(done["id"], path)]}
            else:
                failed = {"data": None, "path": path}
            if label is not None:
                failed["label"] = label
            failed["errors"] = done["errors"]
            entries.append(failed)
        converted_part: Part = {"hasNext": part["hasNext"]}
        if entries:
            converted_part["incremental"] = entries
        if "extensions" in part:
            converted_part["extensions"] = part["extensions"]
        return converted_part

    def _announce(self, pending: list[Part] | None) -> None:
        for entry in pending or ():
            self._pending[entry["id"]] = (entry["path"], entry.get("label"))

    def _next_index(self, id: str, path: list[str | int]) -> int:
        sent = self._sent.get(id)
        if sent is None:
            at = self._at(path)
            sent = len(at) if isinstance(at, list) else 0
        return sent

    def _at(self, path: list[str | int]) -> Any:
        if self._first is not None:
            self._answer, self._first = copy.deepcopy(self._first), None
        node = self._answer
        for key in path:
            node = node[key]
        return node


def _merge(into: dict[str, Any], data: dict[str, Any]) -> None:
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def streaming_response(
    parts: AsyncIterator[Part], delivery: Delivery, encode_json: Callable[[object], str]
) -> StreamingResponse:
    """The parts as the client reads them, each sent as it comes."""
    convert: Callable[[Part], Part] = (lambda part: part) if delivery.by_id else Defer20220824()

    if delivery.event_stream:

        async def events() -> AsyncIterator[str]:
            # Lines end with LF: SSE allows CR LF too, but urql finds events by a blank line of LF alone.
            async for part in parts:
                yield f"event: next\ndata: {encode_json(convert(part))}\n\n"
            yield "event: complete\ndata:\n\n"

        return StreamingResponse(events(), headers={**SSETransport.headers, "Vary": "Accept"})

    multipart = MultipartTransport()

    async def mixed() -> AsyncIterator[str]:
        yield f"--{multipart.separator}"
        async for part in parts:
            yield multipart.encode_multipart_data(convert(part), encode_json)
        yield "--\r\n"

    content_type = multipart.headers["Content-Type"] + ("" if delivery.by_id else "; deferSpec=20220824")
    return StreamingResponse(mixed(), headers={"Content-Type": content_type, "Vary": "Accept"})
