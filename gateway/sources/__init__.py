"""The upstream sources: one client per row of SOURCES, all over the app's one pooled session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

from gateway.core.reference_cache import ReferenceCache
from gateway.core.upstreams import SOURCES, Source
from gateway.sources.appointments import AppointmentsClient
from gateway.sources.breaker import CircuitBreaker
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
    from gateway.core.config import Settings

__all__ = ["SOURCES", "Source", "Sources"]


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


# How each row of SOURCES gets its client (the rows are data, core/upstreams.py; the settings read them).
CLIENTS: dict[str, Callable[[Upstream], Any]] = {
    "registry": lambda up: RegistryClient(up.http, up.maskinporten, up.settings.registry_scope),
    "consent": lambda up: ConsentClient(up.http, up.helseid, up.settings.fullmakt_scope),
    "inbox": lambda up: InboxClient(up.http),
    "contacts": lambda up: ContactsClient(up.fhir(), up.codings),
    "appointments": lambda up: AppointmentsClient(up.fhir(), up.codings),
}


@dataclass(frozen=True)
class Sources:
    """Each source's client under its name in SOURCES (typed, for the loaders), and `http` by name."""

    registry: RegistryClient
    consent: ConsentClient
    inbox: InboxClient
    contacts: ContactsClient
    appointments: AppointmentsClient
    http: dict[str, JsonHttp]

    @classmethod
    def build(
        cls,
        session: aiohttp.ClientSession,
        settings: Settings,
        codings: FhirCodings | None = None,
        reference_cache: ReferenceCache | None = None,
    ) -> Sources:
        """`codings`: the FHIR coding table, when the caller has read it already (the app does, at
        start); `reference_cache`: where reference data is kept across requests (none: not kept)."""
        if codings is None:
            codings = FhirCodings.load(settings.fhir_codings_file)
        http = {
            source.name: JsonHttp(
                source.name,
                session,
                settings.url_of(source.name),
                settings.upstream_timeout_s,
                CircuitBreaker(source.name, failures=settings.breaker_failures, cooldown_s=settings.breaker_cooldown_s),
            )
            for source in SOURCES
        }
        maskinporten = MaskinportenTokens.configured(session, settings)
        helseid = HelseIdTokens.configured(session, settings)
        clients = {
            source.name: CLIENTS[source.name](
                Upstream(http[source.name], settings, codings, reference_cache, maskinporten, helseid)
            )
            for source in SOURCES
        }
        return cls(http=http, **clients)

    async def warm_up(self) -> None:
        """What the sources can get before the first request: their access tokens."""
        await asyncio.gather(self.registry.warm_up(), self.consent.warm_up())
