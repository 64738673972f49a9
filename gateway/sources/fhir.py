"""FHIR R4 search over HTTP: searchset Bundles, `_count`, and `next` links.

Written for any R4 server, not only the sandbox: unknown elements and extensions are ignored,
included or outcome entries are skipped, and `next` links are followed as the server wrote them
(only to the same origin, so a server cannot send the gateway elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from yarl import URL

from gateway.sources.errors import UpstreamUnavailable
from gateway.sources.http import JsonHttp
from gateway.sources.records import AddressRecord

Resource = dict[str, Any]


class FhirSearch:
    def __init__(self, http: JsonHttp, page_size: int, max_pages: int) -> None:
        self.http = http
        self._page_size = page_size
        self._max_pages = max_pages

    @property
    def source(self) -> str:
        return self.http.source

    async def search(self, resource_type: str, params: Mapping[str, str | list[str]]) -> list[Resource]:
        """Every matching resource of `resource_type`, across all pages."""
        query: list[tuple[str, str]] = []
        for name, value in params.items():
            for v in value if isinstance(value, list) else [value]:
                query.append((name, v))
        query.append(("_count", str(self._page_size)))
        url: URL | None = self.http.url(resource_type).with_query(query)
        found: list[Resource] = []
        for _ in range(self._max_pages):
            if url is None:
                return found
            bundle = await self.http.get_json(url)
            if bundle.get("resourceType") != "Bundle":
                raise UpstreamUnavailable(self.source, "search did not return a Bundle")
            for entry in bundle.get("entry") or ():
                resource = entry.get("resource") if isinstance(entry, dict) else None
                if isinstance(resource, dict) and resource.get("resourceType") == resource_type:
                    mode = (entry.get("search") or {}).get("mode", "match")
                    if mode == "match":
                        found.append(resource)
            url = self._next_link(bundle)
        raise UpstreamUnavailable(self.source, f"more than {self._max_pages} pages of {resource_type}")

    def _next_link(self, bundle: Resource) -> URL | None:
        for link in bundle.get("link") or ():
            if link.get("relation") == "next" and link.get("url"):
                nxt = URL(link["url"])
                if not nxt.is_absolute():
                    nxt = self.http.base_url.join(nxt)
                if nxt.origin() != self.http.base_url.origin():
                    raise UpstreamUnavailable(self.source, "next link points to another server")
                return nxt
        return None


def reference_id(reference: Mapping[str, Any] | None, resource_type: str) -> str | None:
    """The logical id in a reference such as {"reference": "Practitioner/123"}, if of that type."""
    ref = (reference or {}).get("reference") or ""
    # Absolute references (https://server/fhir/Practitioner/123) end the same way.
    parts = ref.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == resource_type:
        return parts[-1]
    return None


def first_phone(telecom: Any) -> str | None:
    for point in telecom or ():
        if point.get("system") == "phone" and point.get("value"):
            return str(point["value"])
    return None


def human_name(names: Any) -> str | None:
    """A display name from HumanName entries, preferring `text`, then the official one."""
    if not names:
        return None
    name = next((n for n in names if n.get("use") == "official"), names[0])
    if name.get("text"):
        return str(name["text"])
    parts = [*(name.get("prefix") or ()), *(name.get("given") or ()), name.get("family") or ""]
    return " ".join(p for p in parts if p) or None


def fhir_address(addresses: Any) -> AddressRecord | None:
    """The first postal address of a FHIR Address list (home or work, whichever comes first)."""
    for address in addresses if isinstance(addresses, list) else [addresses] if addresses else ():
        lines = address.get("line") or ()
        if lines or address.get("city"):
            return AddressRecord(
                street=", ".join(lines),
                postal_code=address.get("postalCode") or "",
                city=address.get("city") or "",
                municipality=address.get("district"),
                country=address.get("country") or "NO",
            )
    return None
