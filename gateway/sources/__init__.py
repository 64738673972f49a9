"""The upstream sources: one client per service, all over the app's one pooled session."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp

from gateway.core.config import Settings
from gateway.sources.appointments import AppointmentsClient
from gateway.sources.consent import ConsentClient
from gateway.sources.contacts import ContactsClient
from gateway.sources.fhir import FhirSearch
from gateway.sources.fhir_codings import FhirCodings
from gateway.sources.http import JsonHttp
from gateway.sources.inbox import InboxClient
from gateway.sources.registry import RegistryClient


@dataclass(frozen=True)
class Sources:
    registry: RegistryClient
    consent: ConsentClient
    inbox: InboxClient
    contacts: ContactsClient
    appointments: AppointmentsClient
    http: dict[str, JsonHttp]

    @classmethod
    def build(cls, session: aiohttp.ClientSession, settings: Settings) -> Sources:
        http = {
            name: JsonHttp(name, session, url, settings.upstream_timeout_s)
            for name, url in settings.upstream_urls().items()
        }
        codings = FhirCodings.load(settings.fhir_codings_file)

        def fhir(name: str) -> FhirSearch:
            return FhirSearch(http[name], settings.fhir_page_size, settings.fhir_max_pages)

        return cls(
            registry=RegistryClient(http["registry"]),
            consent=ConsentClient(http["consent"]),
            inbox=InboxClient(http["inbox"]),
            contacts=ContactsClient(fhir("contacts"), codings),
            appointments=AppointmentsClient(fhir("appointments"), codings),
            http=http,
        )
