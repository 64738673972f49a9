"""Errors raised by upstream clients. Every one names the source it came from.

SourceError
  ├ UpstreamUnavailable    connection failure, timeout, or a body that is not what the contract says
  │  └ UpstreamThrottled   429 Too Many Requests; .retry_after_s, from its Retry-After
  ├ UpstreamStatusError    a non-2xx answer; .status
  └ UpstreamRejected       a 4xx answer to a write: the request was refused and nothing changed
"""

from __future__ import annotations


class SourceError(Exception):
    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class UpstreamUnavailable(SourceError):
    pass


class UpstreamThrottled(UpstreamUnavailable):
    """The upstream answered 429: it works, but takes no more requests for `retry_after_s` seconds (None:
    it did not say)."""

    def __init__(self, source: str, retry_after_s: float | None) -> None:
        super().__init__(source, "HTTP 429: too many requests")
        self.retry_after_s = retry_after_s


class UpstreamStatusError(SourceError):
    def __init__(self, source: str, status: int, detail: str = "") -> None:
        super().__init__(source, f"HTTP {status} {detail}".strip())
        self.status = status


class UpstreamRejected(SourceError):
    """The upstream refused a write (4xx); `detail` is its explanation, `status` the code."""

    def __init__(self, source: str, status: int, detail: str) -> None:
        super().__init__(source, f"HTTP {status}: {detail}")
        self.status = status
        self.reason = detail
