"""FHIR R4 search over HTTP: searchset Bundles, `_count`, `_include`, and `next` links.

Written for any R4 server, not only the sandbox: unknown elements and extensions are ignored,
outcome entries are skipped, and `next` links are followed as the server wrote them (only to the
same origin, so a server cannot send the gateway elsewhere). A search whose pages end before the
`total` the server announced is the source failing, never a shorter list. Included entries are kept apart from
the matches (`search_with_includes`); a server that ignores `_include` simply sends none, and the
caller fetches what is missing as it would without `_include`.

A search by `_id` asks for at most a page of ids at a time (`search_by_ids`): an id matches one
resource at most, so each answer fits on one page, and a server that gives no `next` link (Medplum's
in-memory store) still answers every id.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from yarl import URL

from gateway.core.reference_cache import REFERENCE_TYPES, Entry, ReferenceCache, max_age
from gateway.sources.errors import UpstreamStatusError, UpstreamUnavailable
from gateway.sources.http import JsonHttp
from gateway.sources.parsing import contract
from gateway.sources.records import AddressRecord

Resource = dict[str, Any]


@dataclass
class Searchset:
    """Every page of one search: the matches in the server's order, and the included resources by
    type and id (each once, whichever page brought it)."""

    matches: list[Resource] = field(default_factory=list)
    included: dict[str, dict[str, Resource]] = field(default_factory=dict)
    # How long every page may be kept (their Cache-Control max-age, the least), or None: not to be.
    max_age_s: int | None = None

    def included_of(self, resource_type: str) -> list[Resource]:
        return list(self.included.get(resource_type, {}).values())

    @classmethod
    def joined(cls, searchsets: Sequence[Searchset]) -> Searchset:
        """Several searches as one: their matches in their order, each included resource once, and
        the max-age of them all (the least)."""
        whole = cls(max_age_s=reduce(_least, (s.max_age_s for s in searchsets)) if searchsets else None)
        for searchset in searchsets:
            whole.matches += searchset.matches
            for kind, by_id in searchset.included.items():
                kept = whole.included.setdefault(kind, {})
                for resource_id, resource in by_id.items():
                    kept.setdefault(resource_id, resource)
        return whole


class FhirSearch:
    def __init__(
        self, http: JsonHttp, page_size: int, max_pages: int, reference_cache: ReferenceCache | None = None
    ) -> None:
        self.http = http
        self._page_size = page_size
        self._max_pages = max_pages
        self._reference_cache = reference_cache

    @property
    def source(self) -> str:
        return self.http.source

    async def search(self, resource_type: str, params: Mapping[str, str | list[str]]) -> list[Resource]:
        """Every matching resource of `resource_type`, across all pages."""
        return (await self.search_with_includes(resource_type, params)).matches

    async def search_with_includes(
        self, resource_type: str, params: Mapping[str, str | list[str]], include: tuple[str, ...] = ()
    ) -> Searchset:
        """As `search`, asking for `_include=<each of include>` too; included entries are kept apart.

        An entry is included when its `search.mode` says so, or, where the server leaves the
        optional mode out, when it is of another type than the one searched.
        """
        query: list[tuple[str, str]] = []
        for name, value in params.items():
            for v in value if isinstance(value, list) else [value]:
                query.append((name, v))
        query += [("_include", target) for target in include]
        query.append(("_count", str(self._page_size)))
        url: URL | None = self.http.url(resource_type).with_query(query)
        found = Searchset()
        total: int | None = None
        for page in range(self._max_pages):
            if url is None:
                # A server that stops short of the total it announced (Medplum's in-memory store does,
                # with a small _count) would make a list shorter, and counts wrong, in silence.
                if total is not None and len(found.matches) < total:
                    raise UpstreamUnavailable(
                        self.source, f"{resource_type} search ended at {len(found.matches)} of {total} matches"
                    )
                return found
            answer = await self.http.get_answer(url)
            bundle = answer.body
            if bundle.get("resourceType") != "Bundle":
                raise UpstreamUnavailable(self.source, "search did not return a Bundle")
            kept = max_age(answer.headers)
            found.max_age_s = kept if page == 0 else _least(found.max_age_s, kept)
            with contract(self.source):
                self._collect(bundle, resource_type, found)
            announced = bundle.get("total")
            if total is None and isinstance(announced, int) and not isinstance(announced, bool):
                total = announced  # the number of matches of the whole search, on any page that gives it
            url = self._next_link(bundle)
        raise UpstreamUnavailable(self.source, f"more than {self._max_pages} pages of {resource_type}")

    async def search_by_ids(self, resource_type: str, ids: Sequence[str], include: tuple[str, ...] = ()) -> Searchset:
        """As `search_with_includes` with `_id`, in searches of at most a page of ids each, all at once:
        one request per page of ids, on any server, with or without `next` links."""
        chunks = [ids[at : at + self._page_size] for at in range(0, len(ids), self._page_size)]
        return Searchset.joined(
            await asyncio.gather(
                *(self.search_with_includes(resource_type, {"_id": ",".join(chunk)}, include) for chunk in chunks)
            )
        )

    async def reference(self, resource_type: str, ids: Sequence[str]) -> dict[str, Resource]:
        """Reference resources by id (core/reference_cache.py): fresh kept copies as they are; the
        missing fetched by id (`search_by_ids`); stale ones with an ETag revalidated (a 304 refreshes
        the copy), all at once. Without a cache, or for another type, simply the search by id."""
        cache = self._reference_cache
        if cache is None or resource_type not in REFERENCE_TYPES:
            searched = (await self.search_by_ids(resource_type, ids)).matches
            return {r["id"]: r for r in searched if isinstance(r.get("id"), str)}
        keys = {i: f"{self.http.base_url}/{resource_type}/{i}" for i in ids}
        kept = await cache.get_many(list(keys.values()))
        found: dict[str, Resource] = {}
        stale: dict[str, Entry] = {}
        missing: list[str] = []
        for i, key in keys.items():
            entry = kept.get(key)
            if entry is not None and entry.fresh:
                found[i] = entry.resource
            elif entry is not None and entry.etag:
                stale[i] = entry
            else:
                missing.append(i)
        fetched, revalidated = await asyncio.gather(
            self._fetch_reference(resource_type, missing), self._revalidate_all(resource_type, stale)
        )
        updates: dict[str, Entry] = {}
        for i, entry in [*fetched.items(), *revalidated.items()]:
            found[i] = entry.resource
            if entry.fresh:  # the source allowed keeping it
                updates[keys[i]] = entry
        await cache.put_many(updates)
        return found

    async def _fetch_reference(self, resource_type: str, ids: list[str]) -> dict[str, Entry]:
        found = await self.search_by_ids(resource_type, ids)  # none asked: no request
        until = time.time() + found.max_age_s if found.max_age_s else 0.0  # 0: not to be kept
        return {r["id"]: Entry(r, _etag_of(r), until) for r in found.matches if isinstance(r.get("id"), str)}

    async def _revalidate_all(self, resource_type: str, stale: Mapping[str, Entry]) -> dict[str, Entry]:
        # One conditional read each (FHIR has no conditional search), at once; rare, after max-age.
        answers = await asyncio.gather(*(self._revalidate(resource_type, i, entry) for i, entry in stale.items()))
        return {i: entry for i, entry in zip(stale, answers, strict=True) if entry is not None}

    async def _revalidate(self, resource_type: str, resource_id: str, entry: Entry) -> Entry | None:
        assert entry.etag is not None
        try:
            answer = await self.http.get_answer(
                self.http.url(resource_type, resource_id), headers={"If-None-Match": entry.etag}
            )
        except UpstreamStatusError as exc:
            if exc.status == 404:
                return None  # gone from the source: gone here
            raise
        until = _fresh_until(answer.headers)
        if answer.status == 304:
            return Entry(entry.resource, entry.etag, until)
        with contract(self.source):
            if answer.body.get("resourceType") != resource_type or answer.body.get("id") != resource_id:
                raise ValueError(f"read of {resource_type}/{resource_id} answered another resource")
        return Entry(answer.body, answer.headers.get("ETag") or _etag_of(answer.body), until)

    @staticmethod
    def _collect(bundle: Resource, resource_type: str, into: Searchset) -> None:
        for entry in bundle.get("entry") or ():
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                continue
            kind = resource["resourceType"]
            mode = (entry.get("search") or {}).get("mode") or ("match" if kind == resource_type else "include")
            if mode == "match" and kind == resource_type:
                into.matches.append(resource)
            elif mode == "include" and isinstance(resource.get("id"), str):
                into.included.setdefault(kind, {}).setdefault(resource["id"], resource)

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


def _least(seconds: int | None, more: int | None) -> int | None:
    """The max-age of two pages together: the shorter, and None (not to be kept) if either says so."""
    return None if seconds is None or more is None else min(seconds, more)


def _fresh_until(headers: Mapping[str, str]) -> float:
    seconds = max_age(headers)
    return time.time() + seconds if seconds else 0.0  # 0: not to be kept


def _etag_of(resource: Resource) -> str | None:
    version = (resource.get("meta") or {}).get("versionId")
    return f'W/"{version}"' if isinstance(version, str) and version else None


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
