"""Logs: one JSON object per line on stderr, and nothing in them that names a person.

- `LOGGING_CONFIG`, for uvicorn in every process (`serve`, its workers, the demo): JSON lines, and
  uvicorn's own access log off, since it prints the URL with its query string, where a GET carries
  the document and its variables (a fødselsnummer among them).
- `AccessLog`: one line per HTTP request (and per WebSocket connection, when it ends): method, path
  (never the query string), status, duration, operation name, request id and trace id.
- `JsonFormatter` masks, as a last guard, what no log line may carry wherever it comes from (an
  exception's text, an upstream's error): an 11-digit run (a fødselsnummer or D-number), a JWT, a
  bearer token.

No line names a person or carries a message body; where a person must be told apart (the audit
log), that is the access log's job in Redis, not the process log's.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
import uuid
from typing import Any

import orjson
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gateway.access")

# A fødselsnummer or D-number: 11 digits not inside a longer run of digits.
_NATIONAL_ID = re.compile(r"(?<!\d)\d{11}(?!\d)")
_JWT = re.compile(r"eyJ[\w-]*\.[\w-]*\.[\w-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")
# A client's X-Request-ID is kept when it is a plain identifier that names no one.
_REQUEST_ID = re.compile(r"[\w.:-]{1,128}")
# W3C traceparent: version-traceid-parentid-flags.
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")

# The fields of an access line, passed to the logger as `extra`.
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "operation", "request_id", "trace_id")


def redact(text: str) -> str:
    """`text` without national ids or tokens."""
    text = _NATIONAL_ID.sub("[national-id]", text)
    text = _JWT.sub("[token]", text)
    return _BEARER.sub(r"\1[token]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, the access fields, the error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for field in ACCESS_FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = redact(value) if isinstance(value, str) and field != "trace_id" else value
        if record.exc_info:
            entry["error"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(entry).decode()


LOGGING_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": f"{__name__}.{JsonFormatter.__name__}"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        # uvicorn's own handlers would print plain text: theirs go to the root's JSON handler instead.
        "uvicorn": {"handlers": [], "propagate": True},
        "uvicorn.error": {"handlers": [], "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
    },
}


def request_id(headers: Headers) -> str:
    """The client's X-Request-ID when it is a plain identifier naming no one, else a new one."""
    given = headers.get("x-request-id", "")
    if _REQUEST_ID.fullmatch(given) and redact(given) == given:
        return given
    while True:
        made = uuid.uuid4().hex
        # One in twenty holds 11 digits in a row, which the mask would hide in its own access line.
        if redact(made) == made:
            return made


def trace_id(headers: Headers) -> str | None:
    """The trace the request belongs to, from its W3C traceparent."""
    found = _TRACEPARENT.fullmatch(headers.get("traceparent", "").strip().lower())
    return found.group(1) if found else None


def set_operation(scope: Scope, names: list[str | None]) -> None:
    """Note the request's operation names for its access line (the view knows them, the middleware not)."""
    scope.setdefault("state", {})["operation"] = ",".join(name or "-" for name in names)


class AccessLog:
    """One line per request, written when its answer is sent; the request id is echoed as X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rid = request_id(headers)
        started = time.perf_counter()
        status: int | None = None

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            elif message["type"] == "websocket.accept":
                status = 101
            elif message["type"] == "websocket.close" and status is None:
                status = 403  # refused before it was accepted
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            state = scope.get("state", {})
            method = "WS" if scope["type"] == "websocket" else scope["method"]
            final = status if status is not None else 500  # nothing was sent: the app failed
            fields = {
                "method": method,
                "path": scope["path"],
                "status": final,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "operation": state.get("operation"),
                "request_id": rid,
                "trace_id": state.get("trace_id") or trace_id(headers),
            }
            log.info("%s %s %s", method, scope["path"], final, extra=fields)
