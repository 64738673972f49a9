"""Query parameters, answers and error bodies shared by the plain-JSON services (registry, consent, inbox)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

MAX_IDS = 100


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """`body` as JSON. orjson, not aiohttp's json.dumps: a service's own time per answer is part of every
    latency the benchmarks measure, and the upstreams it stands for are not CPython's json module."""
    return web.Response(body=orjson.dumps(body), status=status, headers=headers, content_type="application/json")


def _error_text(message: str) -> str:
    return json.dumps({"error": message}, ensure_ascii=False)


def bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=_error_text(message), content_type="application/json")


def not_found(message: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=_error_text(message), content_type="application/json")


def unprocessable(message: str) -> web.HTTPUnprocessableEntity:
    return web.HTTPUnprocessableEntity(text=_error_text(message), content_type="application/json")


def id_list(request: web.Request, name: str) -> list[str]:
    """The comma-separated ids of required parameter `name`, deduplicated in order; 400 when missing."""
    ids = list(dict.fromkeys(part.strip() for part in request.query.get(name, "").split(",") if part.strip()))
    if not ids:
        raise bad_request(f"query parameter '{name}' is required")
    if len(ids) > MAX_IDS:
        raise bad_request(f"at most {MAX_IDS} ids in '{name}'")
    return ids


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    # Seeded times are whole seconds; written ones keep milliseconds, so order within a second holds.
    return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")
