"""The token issuers the sandbox serves beside a source, and how a gateway's settings name a client of
each: Maskinporten beside the registry (sandbox/maskinporten.py), HelseID beside the fullmakt source
(sandbox/helseid.py). The tests' and benchmarks' clients (runner.py) and the demo's (registered over
HTTP, gateway/demo_tokens.py) are both made from this table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox import consent, helseid, maskinporten, registry
from sandbox.oauth import Issuer


@dataclass(frozen=True)
class IssuerBeside:
    prefix: str  # the gateway's settings `{prefix}_*` name a client of it
    source: str  # the source it is served beside (a name in SOURCES)
    state: Callable[[web.Application], Issuer]  # the issuer in that source's app
    token_path: str
    clients_path: str
    scope: str  # the scope its source asks for
    scope_setting: str  # the gateway's setting that names that scope

    def client_settings(self, source_url: str, client_id: str, key_file: Path, kid: str) -> dict[str, Any]:
        """The gateway's settings of a client registered with this issuer under `client_id`."""
        return {
            f"{self.prefix}_token_url": source_url.rstrip("/") + self.token_path,
            f"{self.prefix}_client_id": client_id,
            f"{self.prefix}_key_file": key_file,
            f"{self.prefix}_kid": kid,
        }


ISSUERS: tuple[IssuerBeside, ...] = (
    IssuerBeside(
        "maskinporten",
        "registry",
        lambda app: app[maskinporten.MASKINPORTEN],
        maskinporten.TOKEN_PATH,
        maskinporten.CLIENTS_PATH,
        registry.SCOPE,
        "registry_scope",
    ),
    IssuerBeside(
        "helseid",
        "consent",
        lambda app: app[helseid.HELSEID],
        helseid.TOKEN_PATH,
        helseid.CLIENTS_PATH,
        consent.SCOPE,
        "fullmakt_scope",
    ),
)
