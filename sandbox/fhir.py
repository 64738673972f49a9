"""What the two FHIR R4 services share: search parameters, searchset Bundles with paging, reads,
OperationOutcome errors and the Organization resource both of them serve.

Paging is offset based: the `next` link is the request URL with `_count` and an `_offset` the client
treats as opaque. A page holds `_count` entries, at most 200 (`MAX_COUNT`), or fewer where a test
caps it (`Control.max_page_size`); with `Control.omit_next_links` no page links to the next one, and
`total` still counts every match, as Medplum's in-memory store answers. Search parameters the server
does not know are ignored, as FHIR servers do by default.

`_include=<Type>:<param>` and `_include=<Type>:<param>:<TargetType>` work as on HAPI FHIR, for the
types whose routes are given an `Includes` (the R4 reference search parameters of that type): each
page holds its matches (`search.mode` "match") and then, once each, the resources those matches
reference that this server holds ("include"), so a resource comes on the page of the matches that
point at it and again on a later page only if a match there points at it too. `Bundle.total`
counts matches only. As on HAPI, a value that is not `<Type>:<param>[:<Target>]`, or names a
parameter the searched type does not have, is refused with 400; `_include=*` (and `<Type>:*`)
follows every reference parameter. An `_include` that starts from another type is ignored: without
`:iterate` it could only follow references of included resources, and `_include:iterate` (like
`_revinclude`) is not implemented, so it is an unknown parameter and ignored. Types without an
`Includes` ignore `_include` altogether, as a server without include support does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import orjson
from aiohttp import web

from sandbox import seed
from sandbox.control import CONTROL

FHIR_JSON = "application/fhir+json"
DEFAULT_COUNT = 50
MAX_COUNT = 200
MAX_VALUES = 100
OFFSET_PARAM = "_offset"

ROLE_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
SNOMED = "http://snomed.info/sct"
TAG_SYSTEM = "urn:no:helsenorge:fhir:tag"
SECURITY_SYSTEM = "urn:no:helsenorge:fhir:security"
DIGITAL_DIALOGUE_TAG = {"system": TAG_SYSTEM, "code": "digital-dialogue", "display": "Tilbyr digital dialog"}
GUARDIAN_RESTRICTED = {
    "system": SECURITY_SYSTEM,
    "code": "GUARDIAN-RESTRICTED",
    "display": "Vergeinnsynsreservasjon",
}
LAST_UPDATED = "2026-11-01T00:00:00+01:00"
# The organisation number's system in HL7 Norway's no-basis-Organization (slice ENH).
ORGANIZATION_NUMBER_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.101"
# This server's own ids as identifiers too, listed first, as a real server may list its own: a client
# must pick an identifier by its system, never by its place.
LOCAL_ID_SYSTEM = "http://sandbox.helsenorge.example/fhir/NamingSystem/local-id"

Resource = dict[str, Any]


def fhir_response(body: Mapping[str, Any], status: int = 200) -> web.Response:
    # orjson, as sandbox/params.py's json_response explains.
    return web.Response(status=status, body=orjson.dumps(body), content_type=FHIR_JSON, charset="utf-8")


def outcome(status: int, code: str, diagnostics: str) -> web.HTTPException:
    """An HTTP error whose body is an OperationOutcome; raise it from a handler."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }
    error_class = {400: web.HTTPBadRequest, 404: web.HTTPNotFound}[status]
    return error_class(text=json.dumps(body, ensure_ascii=False), content_type=FHIR_JSON)


def invalid(diagnostics: str) -> web.HTTPException:
    return outcome(400, "invalid", diagnostics)


# --- search parameters -----------------------------------------------------------------------------


def token_values(request: web.Request, name: str) -> list[str] | None:
    """The comma-separated values of every `name` parameter, or None when the parameter is absent."""
    if name not in request.query:
        return None
    values = [v.strip() for raw in request.query.getall(name) for v in raw.split(",") if v.strip()]
    if not values:
        raise invalid(f"search parameter '{name}' is empty")
    if len(values) > MAX_VALUES:
        raise invalid(f"at most {MAX_VALUES} values in '{name}'")
    return list(dict.fromkeys(values))


def reference_values(request: web.Request, name: str, resource_type: str) -> list[str] | None:
    """Ids from reference values such as `Patient/a` (a bare `a` or an absolute URL is accepted too)."""
    values = token_values(request, name)
    if values is None:
        return None
    ids = []
    for value in values:
        parts = value.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] != resource_type:
            raise invalid(f"'{name}' must reference {resource_type}, got '{value}'")
        ids.append(parts[-1])
    return ids


def any_reference_values(request: web.Request, name: str) -> list[str] | None:
    """Reference values kept as `Type/id`, for parameters that may point at several types."""
    values = token_values(request, name)
    if values is None:
        return None
    refs = []
    for value in values:
        parts = value.rstrip("/").split("/")
        if len(parts) < 2:
            raise invalid(f"'{name}' needs a typed reference such as Patient/<id>, got '{value}'")
        refs.append(f"{parts[-2]}/{parts[-1]}")
    return refs


_DATE = re.compile(r"^(eq|ne|gt|lt|ge|le)?(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$")


def date_filters(request: web.Request, name: str = "date") -> list[Callable[[datetime], bool]]:
    """One predicate per `date` parameter (they AND together).

    A value without a time stands for the whole day and one without an offset for local Oslo time,
    so `ge2026-12-01` starts at midnight and `le2026-12-01` includes that day's evening. Times compare
    at whole seconds, as Medplum compares them: a fraction of a second is dropped, so
    `ge2026-03-16T08:15:00.5+01:00` takes an appointment at 08:15:00, and `le` of the same value one
    at 08:15:00.9 (the second it names, whole).
    """
    filters = []
    for raw in request.query.getall(name, []):
        m = _DATE.match(raw.strip())
        if m is None:
            raise invalid(f"cannot parse '{name}={raw}'; use e.g. ge2026-12-01 or le2027-03-01T12:00:00+01:00")
        prefix = m.group(1) or "eq"
        try:
            if m.group(3):
                low = datetime.fromisoformat((m.group(2) + m.group(3)).replace("Z", "+00:00"))
                low = (low if low.tzinfo else low.replace(tzinfo=seed.OSLO)).replace(microsecond=0)
                high = low + _precision(m.group(4))
            else:
                low = datetime.combine(datetime.fromisoformat(m.group(2)).date(), time(), tzinfo=seed.OSLO)
                high = low + timedelta(days=1)
        except ValueError as exc:
            raise invalid(f"cannot parse '{name}={raw}': {exc}") from None
        filters.append(_date_predicate(prefix, low, high))
    return filters


def _precision(seconds: str | None) -> timedelta:
    """How long a time stands for (FHIR's implicit range): a minute, or with seconds a second (its
    fraction, if any, was dropped)."""
    return timedelta(seconds=1) if seconds else timedelta(minutes=1)


def _date_predicate(prefix: str, low: datetime, high: datetime) -> Callable[[datetime], bool]:
    # [low, high) is the instant range the value stands for (a day, a minute or a second).
    match prefix:
        case "ge":
            return lambda t: t >= low
        case "gt":
            return lambda t: t >= high
        case "le":
            return lambda t: t < high
        case "lt":
            return lambda t: t < low
        case "ne":
            return lambda t: not low <= t < high
        case _:
            return lambda t: low <= t < high


def _count(request: web.Request) -> int:
    """The entries of a page: `_count`, up to this server's cap (or the one a test set: Control.max_page_size)."""
    cap = min(MAX_COUNT, request.app[CONTROL].max_page_size or MAX_COUNT)
    raw = request.query.get("_count")
    if raw is None:
        return min(DEFAULT_COUNT, cap)
    try:
        count = int(raw)
    except ValueError:
        raise invalid(f"_count must be an integer, got '{raw}'") from None
    if count < 0:
        raise invalid("_count must not be negative")
    return min(count, cap)


def _offset(request: web.Request) -> int:
    raw = request.query.get(OFFSET_PARAM, "0")
    if not raw.isdigit():
        raise invalid(f"{OFFSET_PARAM} is not a value this server wrote")
    return int(raw)


# --- _include --------------------------------------------------------------------------------------

# The references a search parameter reads from a resource (Reference elements, or None where absent).
References = Callable[[Resource], Iterable[Mapping[str, Any] | None]]


@dataclass(frozen=True)
class Includes:
    """What `_include` can follow from one resource type: its reference search parameters by their
    R4 names, and how to find a referenced resource among those this server holds."""

    resource_type: str
    params: Mapping[str, References]
    resolve: Callable[[str, str], Resource | None]  # (type, id) -> the resource, or None


def _chosen_includes(request: web.Request, includes: Includes | None) -> list[tuple[References, str | None]]:
    """The `_include` values of a search as (references, target type or None), checked as HAPI checks them."""
    values = request.query.getall("_include", [])
    if includes is None or not values:
        return []
    chosen: list[tuple[References, str | None]] = []
    for raw in values:
        if raw.strip() == "*":
            chosen += [(references, None) for references in includes.params.values()]
            continue
        parts = raw.strip().split(":")
        if len(parts) not in (2, 3) or not all(parts):
            raise invalid(f'Invalid _include parameter value: "{raw}". Use <Type>:<parameter>[:<TargetType>].')
        source, name, target = parts[0], parts[1], parts[2] if len(parts) == 3 else None
        if source != includes.resource_type:
            continue
        if name == "*":
            chosen += [(references, target) for references in includes.params.values()]
            continue
        references = includes.params.get(name)
        if references is None:
            raise invalid(
                f'Invalid _include parameter value: "{raw}". Unknown search parameter "{name}" for resource type '
                f'"{source}". Valid ones: {", ".join(sorted(includes.params))}.'
            )
        chosen.append((references, target))
    return chosen


def _typed_reference(reference: Mapping[str, Any] | None) -> tuple[str, str] | None:
    """("Practitioner", "123") from a relative or absolute reference; None for contained or logical ones."""
    value = (reference or {}).get("reference")
    if not isinstance(value, str) or value.startswith("#"):
        return None
    parts = value.rstrip("/").split("/")
    return (parts[-2], parts[-1]) if len(parts) >= 2 else None


def _included(
    page: Sequence[Resource],
    chosen: Sequence[tuple[References, str | None]],
    resolve: Callable[[str, str], Resource | None],
) -> list[Resource]:
    # A resource that is a match on this page is not repeated as an include (FHIR: one entry per resource).
    seen = {(r["resourceType"], r["id"]) for r in page}
    found: list[Resource] = []
    for resource in page:
        for references, target in chosen:
            for reference in references(resource):
                key = _typed_reference(reference)
                if key is None or key in seen or (target is not None and key[0] != target):
                    continue
                seen.add(key)
                included = resolve(*key)
                if included is not None:
                    found.append(included)
    return found


# --- responses -------------------------------------------------------------------------------------


def base_url(request: web.Request) -> str:
    return str(request.url.origin() / "fhir")


def search_response(
    request: web.Request, resources: Sequence[Resource], includes: Includes | None = None
) -> web.Response:
    """A searchset Bundle of one page of `resources` (already filtered and sorted), with what the
    page's matches reference when the search asks for it with `_include`."""
    chosen = _chosen_includes(request, includes)
    count, offset = _count(request), _offset(request)
    page = resources[offset : offset + count]
    included = _included(page, chosen, includes.resolve) if includes else []
    base = base_url(request)
    links = [{"relation": "self", "url": str(request.url)}]
    if count and offset + count < len(resources) and not request.app[CONTROL].omit_next_links:
        # A list of pairs, because repeated parameters such as date=ge..&date=le.. must survive.
        query = [(k, v) for k, v in request.query.items() if k not in ("_count", OFFSET_PARAM)]
        query += [("_count", str(count)), (OFFSET_PARAM, str(offset + count))]
        links.append({"relation": "next", "url": str(request.url.with_query(query))})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "link": links,
        "entry": [
            {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": mode}}
            for mode, of_mode in (("match", page), ("include", included))
            for r in of_mode
        ],
    }
    if not bundle["entry"]:
        del bundle["entry"]
    return fhir_response(bundle)


def read_response(resources: Mapping[str, Resource], resource_type: str, resource_id: str) -> web.Response:
    found = resources.get(resource_id)
    if found is None:
        raise outcome(404, "not-found", f"{resource_type}/{resource_id} is not known")
    return fhir_response(found)


def by_ids(resources: Mapping[str, Resource], ids: Sequence[str]) -> list[Resource]:
    return [resources[i] for i in ids if i in resources]


def versioned(resource: Resource) -> Resource:
    """The resource with `meta.versionId`: a hash of its content, so it changes when the resource does."""
    content = {k: v for k, v in resource.items() if k != "meta"}
    version = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:16]
    return {**resource, "meta": {**resource.get("meta", {}), "versionId": version}}


def _cacheable(request: web.Request, response: web.Response) -> web.Response:
    """Reference data may be kept by clients, as HAPI and Medplum allow: Cache-Control max-age."""
    response.headers["Cache-Control"] = f"max-age={request.app[CONTROL].reference_max_age_s}"
    return response


def add_resource_routes(
    app: web.Application,
    resource_type: str,
    resources: Mapping[str, Resource],
    search: Callable[[web.Request], list[Resource]],
    includes: Includes | None = None,
    *,
    reference: bool = False,
) -> None:
    """`GET /fhir/<Type>` (search, with `_include` where `includes` is given) and `GET /fhir/<Type>/<id>` (read).

    `reference`: reference data (not personal): served with `meta.versionId`, `Cache-Control:
    max-age`, and on a read an `ETag` (W/"<versionId>") that `If-None-Match` answers 304 to."""

    async def search_handler(request: web.Request) -> web.Response:
        if not reference:
            return search_response(request, search(request), includes)
        return _cacheable(request, search_response(request, [versioned(r) for r in search(request)], includes))

    async def read_handler(request: web.Request) -> web.Response:
        if not reference:
            return read_response(resources, resource_type, request.match_info["id"])
        found = resources.get(request.match_info["id"])
        if found is None:
            return read_response(resources, resource_type, request.match_info["id"])
        current = versioned(found)
        etag = f'W/"{current["meta"]["versionId"]}"'
        if etag in (tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")):
            response = web.Response(status=304)
        else:
            response = fhir_response(current)
        response.headers["ETag"] = etag
        return _cacheable(request, response)

    app.router.add_get(f"/fhir/{resource_type}", search_handler)
    app.router.add_get(f"/fhir/{resource_type}/{{id}}", read_handler)


def add_reference_routes(app: web.Application, resource_type: str, resources: Mapping[str, Resource]) -> None:
    """Routes of reference data (Practitioner, Organization, Location): searched by `_id` only, and
    offered for keeping (`add_resource_routes`' `reference`)."""
    add_resource_routes(app, resource_type, resources, id_search(resources, resource_type), reference=True)


def id_search(resources: Mapping[str, Resource], resource_type: str) -> Callable[[web.Request], list[Resource]]:
    """A search that needs `_id`, for resources that are only ever fetched by id."""

    def search(request: web.Request) -> list[Resource]:
        ids = token_values(request, "_id")
        if ids is None:
            raise invalid(f"{resource_type} search needs '_id'")
        return by_ids(resources, ids)

    return search


async def unknown_type(request: web.Request) -> web.Response:
    raise outcome(404, "not-supported", f"resource type '{request.match_info['type']}' is not served here")


# --- shared resources ------------------------------------------------------------------------------


def role_code(code: str) -> dict[str, Any]:
    return {"coding": [{"system": ROLE_CODE_SYSTEM, "code": code}]}


def address_json(line: str, postal_code: str, city: str, district: str) -> dict[str, Any]:
    return {"line": [line], "postalCode": postal_code, "city": city, "district": district, "country": "NO"}


def identifiers(resource_id: str, national: dict[str, str] | None) -> list[dict[str, str]]:
    """A resource's identifiers: its local one, then its national one when it has one."""
    local = {"system": LOCAL_ID_SYSTEM, "value": resource_id}
    return [local] if national is None else [local, national]


def organization_number(org: seed.Organization) -> dict[str, str] | None:
    """The organisation's number as an Identifier (a reference to the organisation may carry it too)."""
    if org.organization_number is None:
        return None
    return {"system": ORGANIZATION_NUMBER_SYSTEM, "value": org.organization_number}


def organization_resource(org: seed.Organization) -> Resource:
    resource: Resource = {
        "resourceType": "Organization",
        "id": org.id,
        "meta": {"lastUpdated": LAST_UPDATED},
        "identifier": identifiers(org.id, organization_number(org)),
        "active": True,
        "type": [role_code(org.kind)],
        "name": org.name,
        "telecom": [{"system": "phone", "value": org.phone}],
        "address": [address_json(org.line, org.postal_code, org.city, org.district)],
    }
    if org.part_of:
        resource["partOf"] = {"reference": f"Organization/{org.part_of}"}
    return resource
