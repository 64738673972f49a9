"""Errors raised by upstream clients. Every one names the source it came from.

SourceError
  ├ UpstreamUnavailable    connection failure, timeout, or a body that is not what the contract says
  └ UpstreamStatusError    a non-2xx answer; .status
"""

from __future__ import annotations


class SourceError(Exception):
    def __init__(self, source: str, detail: str) -> None:
        super().__init__(f"{source}: {detail}")
        self.source = source
        self.detail = detail


class UpstreamUnavailable(SourceError):
    pass


class UpstreamStatusError(SourceError):
    def __init__(self, source: str, status: int, detail: str = "") -> None:
        super().__init__(source, f"HTTP {status} {detail}".strip())
        self.status = status
