"""The upstream sources: one client per row of SOURCES, all over the app's one pooled session."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp

from gateway.core.reference_cache import ReferenceCache
from gateway.sources.appointments import AppointmentsClient
from gateway.sources.breaker import CircuitBreaker
from gateway.sources.catalog import SOURCES, Source, Upstream
from gateway.sources.consent import ConsentClient
from gateway.sources.contacts import ContactsClient
from gateway.sources.fhir_codings import FhirCodings
from gateway.sources.helseid import HelseIdTokens
from gateway.sources.http import JsonHttp
from gateway.sources.inbox import InboxClient
from gateway.sources.maskinporten import MaskinportenTokens
from gateway.sources.registry import RegistryClient

if TYPE_CHECKING:
    # Only for type checking: gateway.core.config reads SOURCES, so importing it here would be a cycle.
    from gateway.core.config import Settings

__all__ = ["SOURCES", "Source", "Sources"]


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
            source.name: source.client(
                Upstream(http[source.name], settings, codings, reference_cache, maskinporten, helseid)
            )
            for source in SOURCES
        }
        return cls(http=http, **clients)

    async def warm_up(self) -> None:
        """What the sources can get before the first request: their access tokens."""
        await asyncio.gather(self.registry.warm_up(), self.consent.warm_up())
