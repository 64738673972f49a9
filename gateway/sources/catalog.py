"""SOURCES, the one list of upstreams: everything that needs every source reads it
(docs/architecture.md#adding-a-source).

The settings (`GATEWAY_<NAME>_URL`), the clients in `Sources`, the sandbox that the demo, tests and
benchmarks start, and `/readyz` all iterate this table. A sixth upstream is one row here, its client,
its sandbox app, and a typed attribute on `Sources` for the loaders to call.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gateway.core.reference_cache import ReferenceCache
from gateway.sources.appointments import AppointmentsClient
from gateway.sources.consent import ConsentClient
from gateway.sources.contacts import ContactsClient
from gateway.sources.fhir import FhirSearch
from gateway.sources.fhir_codings import FhirCodings
from gateway.sources.helseid import HelseIdTokens
from gateway.sources.http import JsonHttp
from gateway.sources.inbox import InboxClient
from gateway.sources.maskinporten import MaskinportenTokens
from gateway.sources.registry import RegistryClient

if TYPE_CHECKING:
    from aiohttp import web

    from gateway.core.config import Settings


@dataclass(frozen=True)
class Upstream:
    """What a source's client is made from: HTTP to that source, and what FHIR clients also need."""

    http: JsonHttp
    settings: Settings
    codings: FhirCodings
    # Reference data kept across requests (core/reference_cache.py); None: none kept.
    reference_cache: ReferenceCache | None = None
    # Access tokens for the sources that take Maskinporten's (sources/maskinporten.py); None: none sent.
    maskinporten: MaskinportenTokens | None = None
    # DPoP-bound access tokens for the sources that take HelseID's (sources/helseid.py); None: none sent.
    helseid: HelseIdTokens | None = None

    def fhir(self) -> FhirSearch:
        return FhirSearch(self.http, self.settings.fhir_page_size, self.settings.fhir_max_pages, self.reference_cache)


@dataclass(frozen=True)
class Source:
    """One upstream service.

    Args:
        name: how settings, errors (`extensions.source`), metrics and `/readyz` name it.
        client: makes the client that `Sources` holds under `name`.
        sandbox: `"module:function"` making the sandbox app that stands in for it. A name, not the
            function, so that the gateway in production never imports the sandbox.
        sandbox_port: where `python -m sandbox` serves it, which makes it the default URL too.
        fhir: a FHIR R4 server, whose base URL ends in `/fhir`.
    """

    name: str
    client: Callable[[Upstream], Any]
    sandbox: str
    sandbox_port: int
    fhir: bool = False

    @property
    def setting(self) -> str:
        """The `Settings` field holding the base URL; the environment sets it as GATEWAY_<NAME>_URL."""
        return f"{self.name}_url"

    @property
    def base_path(self) -> str:
        return "/fhir" if self.fhir else ""

    @property
    def default_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_port}{self.base_path}"

    def sandbox_app(self) -> web.Application:
        module, _, function = self.sandbox.partition(":")
        app: web.Application = getattr(importlib.import_module(module), function)()
        return app


SOURCES: tuple[Source, ...] = (
    Source(
        "registry",
        lambda up: RegistryClient(up.http, up.maskinporten, up.settings.registry_scope),
        "sandbox.registry:create_app",
        8101,
    ),
    Source(
        "consent",
        lambda up: ConsentClient(up.http, up.helseid, up.settings.fullmakt_scope),
        "sandbox.consent:create_app",
        8102,
    ),
    Source("inbox", lambda up: InboxClient(up.http), "sandbox.inbox:create_app", 8103),
    Source(
        "contacts",
        lambda up: ContactsClient(up.fhir(), up.codings),
        "sandbox.contacts:create_app",
        8104,
        fhir=True,
    ),
    Source(
        "appointments",
        lambda up: AppointmentsClient(up.fhir(), up.codings),
        "sandbox.appointments:create_app",
        8105,
        fhir=True,
    ),
)


def source_named(name: str) -> Source:
    for source in SOURCES:
        if source.name == name:
            return source
    raise KeyError(f"no upstream source named {name!r}; SOURCES has {', '.join(s.name for s in SOURCES)}")
