"""The one way sources talk HTTP: a timeout per call, errors mapped to SourceError, metrics."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

import aiohttp
import msgspec
import orjson
from yarl import URL

from gateway.core.metrics import UPSTREAM_LATENCY, UPSTREAM_REQUESTS
from gateway.sources.breaker import CircuitBreaker
from gateway.sources.errors import UpstreamStatusError, UpstreamThrottled, UpstreamUnavailable

JsonObject = dict[str, Any]
# How an upstream request ended, as the upstream_requests_total metric counts it.
OUTCOMES = ("ok", "status", "throttled", "unavailable", "circuit_open")
B = TypeVar("B")  # what a body is decoded into


@dataclass(frozen=True, slots=True)
class Answer(Generic[B]):
    status: int
    body: B  # a 304's is decoded from an empty object
    headers: Mapping[str, str]


def retry_after_s(value: str | None, now: dt.datetime | None = None) -> float | None:
    """A Retry-After header's wait in seconds (RFC 9110 10.2.3: delta-seconds or an HTTP-date); None
    when there is none or it is neither."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an HTTP-date is GMT; the obsolete formats parse without a zone
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - (now or dt.datetime.now(dt.UTC))).total_seconds())


class NotJson(ValueError):
    """A body that is no JSON (or not the JSON value the source's contract promises at its top)."""


def json_object(raw: bytes) -> JsonObject:
    """A body as the JSON object it must be."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise NotJson("response is not JSON") from exc
    if not isinstance(body, dict):
        raise NotJson("response is not a JSON object")
    return body


def typed_or_object(decoder: msgspec.json.Decoder[B]) -> Callable[[bytes], B | JsonObject]:
    """Decode a body straight into `decoder`'s type; a body that is JSON but not of that type (a code the
    type's enums do not know, a key the upstream left out, a timestamp without an offset) comes as its
    JSON object instead, for the source's lenient parser to read, or to refuse, as it did every body
    before these types."""

    def decode(raw: bytes) -> B | JsonObject:
        try:
            return decoder.decode(raw)
        except msgspec.ValidationError:
            return json_object(raw)
        except msgspec.DecodeError as exc:
            raise NotJson("response is not JSON") from exc

    return decode


class JsonHttp:
    """Sends requests for one upstream source over the app's shared session."""

    def __init__(
        self,
        source: str,
        session: aiohttp.ClientSession,
        base_url: str,
        timeout_s: float,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self.source = source
        self.base_url = URL(base_url.rstrip("/"))
        self.breaker = breaker
        self._session = session
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        # The metrics' children of this source, looked up once (`labels` takes a lock and makes a key).
        self._latency = UPSTREAM_LATENCY.labels(source)
        self._outcomes = {outcome: UPSTREAM_REQUESTS.labels(source, outcome) for outcome in OUTCOMES}

    def url(self, *segments: str) -> URL:
        url = self.base_url
        for segment in segments:
            url = url / segment
        return url

    async def exchange(
        self,
        method: str,
        url: URL,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer[JsonObject]:
        """Send one request; the answer for 2xx, 3xx (a 304 with an empty body) and 4xx with a JSON
        object body.

        A 5xx, a 429 (UpstreamThrottled: the breaker then leaves the source alone for its
        Retry-After), a timeout, a broken connection or a body that is not a JSON object raises, so
        a caller only ever sees answers it can act on; so does a source whose circuit is open
        (sources/breaker.py), at once.
        """
        return await self.exchange_decoded(method, url, json_object, params=params, json=json, headers=headers)

    async def exchange_decoded(
        self,
        method: str,
        url: URL,
        decode: Callable[[bytes], B],
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer[B]:
        """As `exchange`, with the body decoded by `decode` (`json_object`, or `typed_or_object`'s);
        a body it finds no JSON (`NotJson`) makes the source unavailable, as a broken connection does."""
        breaker = self.breaker
        if breaker is not None and not breaker.allow():
            self._outcomes["circuit_open"].inc()
            raise UpstreamUnavailable(self.source, "circuit open: failing at once until a probe succeeds")
        started = time.perf_counter()
        outcome = "unavailable"
        answered = cancelled = False
        throttled: UpstreamThrottled | None = None
        try:
            data = orjson.dumps(json) if json is not None else None
            send_headers = {"Accept": "application/json", **(headers or {})}
            if data is not None:
                send_headers["Content-Type"] = "application/json"
            async with self._session.request(
                method, url, params=params, data=data, headers=send_headers, timeout=self._timeout
            ) as resp:
                raw = await resp.read()
                if resp.status >= 500:
                    outcome = "status"
                    raise UpstreamStatusError(self.source, resp.status)
                if resp.status == 429:
                    outcome = "throttled"
                    throttled = UpstreamThrottled(self.source, retry_after_s(resp.headers.get("Retry-After")))
                    raise throttled
            try:
                body = decode(raw if resp.status != 304 else b"{}")  # a 304 has no body
            except NotJson as exc:
                raise UpstreamUnavailable(self.source, str(exc)) from exc
            outcome = "ok" if resp.status < 400 else "status"
            answered = True
            return Answer(resp.status, body, resp.headers)
        except (TimeoutError, aiohttp.ClientError) as exc:
            # aiohttp raises TimeoutError, not ClientError, for a total timeout (aiohttp #7122).
            raise UpstreamUnavailable(self.source, type(exc).__name__) from exc
        except asyncio.CancelledError:
            cancelled = True
            raise
        finally:
            self._outcomes[outcome].inc()
            self._latency.observe(time.perf_counter() - started)
            if breaker is not None:
                if throttled is not None:
                    breaker.throttled(throttled.retry_after_s)
                elif answered:
                    breaker.succeeded()
                elif cancelled:
                    breaker.abandoned()
                else:
                    breaker.failed()

    async def get_json(self, url: URL, params: Mapping[str, str] | None = None) -> JsonObject:
        """GET that must succeed: any non-2xx is an error of the source."""
        return (await self.get_answer(url, params)).body

    async def get_answer(
        self, url: URL, params: Mapping[str, str] | None = None, headers: Mapping[str, str] | None = None
    ) -> Answer[JsonObject]:
        """As `get_json`, with the answer's status (a 304 too) and headers."""
        return await self.get_decoded(url, json_object, params, headers)

    async def get_decoded(
        self,
        url: URL,
        decode: Callable[[bytes], B],
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Answer[B]:
        """As `get_answer`, with the body decoded by `decode` (see `exchange_decoded`)."""
        answer = await self.exchange_decoded("GET", url, decode, params=params, headers=headers)
        if answer.status >= 400:
            raise UpstreamStatusError(self.source, answer.status)
        return answer

    async def reachable(self) -> bool:
        """Whether the service answers HTTP at all (any status below 500), for readiness."""
        try:
            async with self._session.get(self.base_url, timeout=self._timeout) as resp:
                return resp.status < 500
        except (aiohttp.ClientError, TimeoutError):
            return False
