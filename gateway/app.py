"""The Starlette app: /graphql (HTTP, GraphiQL, WebSocket), /healthz, /readyz, /metrics, demo tokens."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import ExitStack, asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from gateway import demo_tokens, tracing, trusted_documents
from gateway.app_state import AppState
from gateway.body_limit import BodyLimit
from gateway.core.auth import DemoIssuer, KeyLookup, RemoteJwks, TokenVerifier
from gateway.core.config import Settings
from gateway.core.metrics import REGISTRY
from gateway.core.shared import SharedState, shared_state
from gateway.draining import Drain
from gateway.graphiql import graphiql_html
from gateway.load_shedding import InFlightLimit
from gateway.logs import AccessLog
from gateway.policy.clock import Clock, system_clock
from gateway.schema import GatewaySchema, build_schema
from gateway.sources import Sources
from gateway.sources.fhir_codings import FhirCodings
from gateway.tracing import ServerSpans
from gateway.trusted_documents import TrustedDocument
from gateway.view import GatewayGraphQL

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider

log = logging.getLogger(__name__)


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """Ready when every upstream answers, Redis too when it is configured (the access log), and the
    token issuer's key set is at hand outside demo mode (else no one can sign in); never once draining."""
    state = AppState.of(request)
    if state.drain.draining:
        return JSONResponse({"status": "draining"}, 503)
    sources, jwks = state.sources, state.jwks
    names = list(sources.http)
    *results, redis_ok, jwks_ok = await asyncio.gather(
        *(sources.http[name].reachable() for name in names),
        state.shared.redis_reachable(),
        jwks.ready() if jwks is not None else _nothing(),
    )
    status = {name: "ok" if ok else "unreachable" for name, ok in zip(names, results, strict=True)}
    body: dict[str, Any] = {"sources": status}
    if redis_ok is not None:
        body["redis"] = "ok" if redis_ok else "unreachable"
    if jwks_ok is not None:
        body["jwks"] = "ok" if jwks_ok else "unreachable"
    # Informative: a source whose circuit is open fails fast; its reachability above decides readiness.
    body["circuits"] = {name: http.breaker.state.value for name, http in sources.http.items() if http.breaker}
    ready = all(results) and redis_ok is not False and jwks_ok is not False
    return JSONResponse({"status": "ok" if ready else "unavailable", **body}, 200 if ready else 503)


async def _nothing() -> None:
    return None


async def metrics(request: Request) -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


# The reference Innboks web app (web/) where Vite builds it (GATEWAY_WEB_APP_DIR names another place), and
# the manifest of its operations in it, which it names by id only: the demo trusts them beside the ad-hoc
# documents demo mode allows.
WEB_APP = Path(__file__).resolve().parents[1] / "web" / "dist"
WEB_APP_DOCUMENTS = "persisted-documents.json"


def web_app_dir(settings: Settings) -> Path:
    """Where demo mode serves the web app from: GATEWAY_WEB_APP_DIR, else web/dist."""
    return settings.web_app_dir or WEB_APP


def _web_app_documents(settings: Settings) -> tuple[GatewaySchema | None, dict[str, TrustedDocument] | None]:
    """The web app's documents for the demo; none when it is not built, or built against another schema
    (then the app fails, and says so in the browser, rather than the demo)."""
    manifest = web_app_dir(settings) / WEB_APP_DOCUMENTS
    if not manifest.is_file():
        return None, None
    schema = build_schema(settings)
    try:
        return schema, trusted_documents.loaded(manifest, schema.documents, schema._schema, schema.plans)
    except trusted_documents.ManifestError as exc:
        log.warning("the web app does not fit the schema; rebuild it (./scripts/demo does): %s", exc)
        return None, None


@dataclass(frozen=True)
class Checked:
    """What the start checks read, so that the app does not read it again."""

    codings: FhirCodings
    # With trusted documents: the schema they were checked against (its document cache holds them), and they.
    schema: GatewaySchema | None = None
    trusted: dict[str, TrustedDocument] | None = None


def start_checks(settings: Settings) -> Checked:
    """What must hold before the gateway starts, or a ValueError whose one line names what to set."""
    if not settings.demo and not settings.jwks_url:
        raise ValueError("GATEWAY_JWKS_URL is required unless GATEWAY_DEMO=true")
    # A codings file that does not fit stops the start here rather than failing each request (or
    # quietly taking a GP for a hospital).
    codings = FhirCodings.load(settings.fhir_codings_file)
    if settings.trusted_documents is None:
        return Checked(codings, *_web_app_documents(settings)) if settings.demo else Checked(codings)
    # So does a trusted document that does not fit the schema, named.
    schema = build_schema(settings)
    trusted = trusted_documents.loaded(settings.trusted_documents, schema.documents, schema._schema, schema.plans)
    return Checked(codings, schema, trusted)


def _token_keys(
    settings: Settings, session: aiohttp.ClientSession
) -> tuple[DemoIssuer | None, RemoteJwks | None, KeyLookup]:
    """Demo mode signs its own tokens; otherwise the issuer's key set is fetched from `jwks_url`."""
    if settings.demo:
        issuer = DemoIssuer(settings.issuer, settings.audience)
        return issuer, None, issuer.key
    jwks = RemoteJwks(session, settings.jwks_url or "", settings.upstream_timeout_s)
    return None, jwks, jwks


def build_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    shared: SharedState | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Starlette:
    """The gateway. In demo mode it issues its own tokens; otherwise it trusts `settings.jwks_url`.
    Traces go to `tracer_provider`, else where the OTEL_* environment says, else nowhere."""
    checked = start_checks(settings)
    drain = Drain(settings.shutdown_delay_s)
    traces = tracer_provider or tracing.provider_from_environment()
    tracer = traces.get_tracer(tracing.TRACER_NAME) if traces else None

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[Mapping[str, AppState]]:
        connector = aiohttp.TCPConnector(limit=settings.upstream_connections)
        replica_state = nullcontext(shared) if shared is not None else shared_state(settings)
        # The issuers' token endpoints are named apart: a span of one is no call to a source.
        traced_urls = settings.upstream_urls()
        for name, token_url in (
            ("maskinporten", settings.maskinporten_token_url),
            ("helseid", settings.helseid_token_url),
        ):
            if token_url:
                traced_urls[name] = token_url
        upstream_spans = [tracing.upstream_trace_config(traces, traced_urls)] if traces else []
        async with (
            aiohttp.ClientSession(connector=connector, trace_configs=upstream_spans) as session,
            replica_state as replicas,
        ):
            with drain.on_sigterm(), ExitStack() as demo_keys:
                issuer, jwks, keys = _token_keys(settings, session)
                upstreams = settings
                if settings.demo and not (settings.maskinporten_token_url and settings.helseid_token_url):
                    # The demo command, or `serve` beside `python -m sandbox`: clients of the sandbox's own.
                    directory = Path(demo_keys.enter_context(tempfile.TemporaryDirectory(prefix="gateway-demo-keys-")))
                    upstreams = await demo_tokens.sandbox_token_clients(settings, session, directory)
                sources = Sources.build(session, upstreams, checked.codings, replicas.reference_cache)
                # The first request need not wait for the issuers; a failure here is logged, and retried then.
                warming = asyncio.create_task(sources.warm_up())
                yield AppState(
                    sources=sources,
                    verifier=TokenVerifier(keys, settings.issuer, settings.audience, settings.clock_skew_s),
                    shared=replicas,
                    drain=drain,
                    jwks=jwks,
                    issuer=issuer,
                    tracer=tracer,
                ).lifespan_state()
                warming.cancel()
            if traces is not None and tracer_provider is None:
                traces.shutdown()  # the spans still queued are exported

    ide_page = None
    if settings.graphiql:
        ide_page = graphiql_html(
            static_prefix="/static",
            personas=demo_tokens.PERSONAS if settings.demo else None,
            token_url="/demo/token" if settings.demo else None,
        )
    graphql = GatewayGraphQL(settings, clock, ide_page, schema=checked.schema, trusted=checked.trusted, drain=drain)
    routes = [
        # Every method reaches the view, which refuses all but GET and POST as it refuses any request: a
        # coded JSON error with Allow. Starlette's own 405 for methods a route does not list is plain text.
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Mount("/static", StaticFiles(packages=[("gateway", "static")])),
    ]
    if settings.demo:
        routes += demo_tokens.routes()
        web_app = web_app_dir(settings)
        if web_app.is_dir():  # built by ./scripts/demo (npm), absent where Node is not
            routes.append(Mount("/app", StaticFiles(directory=web_app, html=True)))
    # GraphiQL's bundle is 3.5 MB; compressed it is about 1 MB. Level 6, not Starlette's 9: on
    # 47 KB of JSON it compresses within 1% as small at 60% of the CPU (zlib's default level).
    return Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(AccessLog),
            *([Middleware(ServerSpans, tracer=tracer)] if tracer else []),
            Middleware(InFlightLimit, max_in_flight=settings.max_in_flight),
            Middleware(BodyLimit, max_bytes=settings.max_body_bytes),
            Middleware(GZipMiddleware, minimum_size=1024, compresslevel=6),
        ],
    )
