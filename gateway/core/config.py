"""Settings from the environment: the one place that reads configuration.

Every variable is prefixed `GATEWAY_` except `REDIS_URL`, which follows the common convention.
The README's configuration table lists them all with their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Self

from pydantic import AliasChoices, Field, ValidationError, create_model, model_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

# The settings name each upstream by its row in SOURCES: rows of data, so loading the settings imports
# no client.
from gateway.core.upstreams import SOURCES, source_named


class ConfigError(ValueError):
    """Settings the gateway cannot start with. The message has one line per problem, naming the variable."""


class _Settings(BaseSettings):
    """The gateway's settings; `Settings` adds each upstream's URL from SOURCES."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    # Processes `serve` runs on that one port (`--workers` overrides); more than one needs `redis_url`.
    workers: int = Field(default=1, ge=1)

    upstream_timeout_s: float = Field(default=5.0, gt=0)
    upstream_connections: int = Field(default=100, ge=1)
    # A source that fails this many times in a row is failed at once, without a call, for the
    # cooldown; then one request probes it (gateway/sources/breaker.py).
    breaker_failures: int = Field(default=5, ge=1)
    breaker_cooldown_s: float = Field(default=10.0, ge=0)
    # `_count` of FHIR searches, and the most ids one search by `_id` names (so its answer is one page).
    fhir_page_size: int = Field(default=100, ge=1, le=1000)
    # A client may follow `next` links; this bounds a misbehaving server's endless paging.
    fhir_max_pages: int = Field(default=50, ge=1)
    fhir_codings_file: str | None = None
    # Maskinporten (gateway/sources/maskinporten.py): the access tokens Folkeregisteret takes. The token
    # endpoint, Maskinporten's issuer (the grants' `aud`; default: the token URL without its last
    # segment), and the client: its id, its private key (a PEM file, never in the repository) and the
    # key's id. Without a token URL no token is sent, and a registry that needs one refuses the calls.
    maskinporten_token_url: str | None = None
    maskinporten_audience: str | None = None
    maskinporten_client_id: str | None = None
    maskinporten_key_file: Path | None = None
    maskinporten_kid: str | None = None
    registry_scope: str = "folkeregister:deling/offentligmedhjemmel"
    # HelseID (gateway/sources/helseid.py): the DPoP-bound access tokens the fullmakt source takes. The
    # token endpoint, HelseID's issuer (the client assertions' `aud`; default: the token URL without
    # `/connect/token`), and the client: its id, its private key (a PEM file, never in the repository)
    # and the key's id. Without a token URL no token is sent, and a source that needs one refuses.
    helseid_token_url: str | None = None
    helseid_audience: str | None = None
    helseid_client_id: str | None = None
    helseid_key_file: Path | None = None
    helseid_kid: str | None = None
    fullmakt_scope: str = "nhn:fullmakt/read"

    # Demo mode: the built reference web app (web/), served at /app/ (gateway/app.py); unset: web/dist.
    web_app_dir: Path | None = None

    # Authentication. In demo mode the gateway issues its own tokens (POST /demo/token) and
    # verifies them with its own key; otherwise tokens are verified against `jwks_url`.
    demo: bool = False
    jwks_url: str | None = None
    issuer: str = "http://127.0.0.1:8000/demo"
    audience: str = "health-gateway"
    clock_skew_s: int = Field(default=30, ge=0)

    # GraphiQL for browsers at /graphql. It lets ad-hoc documents run beside trusted ones (view.py), so
    # unset it is on only without `trusted_documents`; the validator below decides, and leaves a bool.
    graphiql: bool | None = None
    # A live subscription re-checks the viewer's right to the subject at least this often.
    subscription_recheck_s: float = Field(default=30.0, gt=0)
    max_query_depth: int = Field(default=12, ge=1)
    # Bounds on one document, so a single request cannot fan out without limit upstream.
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=5000, ge=100)
    # The most objects one operation may ask for (gateway/schema/cost.py); the largest page of
    # threads with the largest page of messages each costs 10,202.
    max_query_cost: int = Field(default=20_000, ge=100)
    # GraphQL requests one process runs at once; more answer 503 with Retry-After (gateway/load_shedding.py).
    max_in_flight: int = Field(default=64, ge=1)
    # Stopping (gateway/draining.py): how long to keep serving after SIGTERM while /readyz says 503, and
    # how long the requests in flight then have to finish.
    shutdown_delay_s: float = Field(default=0.0, ge=0)
    shutdown_timeout_s: int = Field(default=30, ge=1)
    # A manifest of the only documents requests may run (gateway/trusted_documents.py); unset: any.
    trusted_documents: Path | None = None
    # Automatic persisted queries (core/persisted_queries.py): how long Redis keeps a registered
    # document, and how many one process keeps without Redis.
    apq_ttl_s: int = Field(default=86_400, ge=1)
    apq_max_entries: int = Field(default=1000, ge=1)
    # Representations one `_entities` call may look up.
    max_entities: int = Field(default=100, ge=1)
    # A request body larger than this answers 413 before it is read in full (gateway/body_limit.py).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)

    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "GATEWAY_REDIS_URL"))
    # Keys of this deployment start with this, so several can share one Redis (and tests stay apart).
    redis_prefix: str = "gateway:"
    # Redis Cluster (REDIS_URL redis+cluster://...): an access-log entry counts as written once this many
    # replicas have it (WAIT), within the timeout; 0: once the master has it.
    redis_wait_replicas: int = Field(default=0, ge=0)
    redis_wait_timeout_ms: int = Field(default=1000, ge=1)

    @model_validator(mode="after")
    def _token_clients_are_whole(self) -> Self:
        for issuer in ("maskinporten", "helseid"):
            url, client_id, key_file = (
                getattr(self, f"{issuer}_{name}") for name in ("token_url", "client_id", "key_file")
            )
            if url and not (client_id and key_file):
                variable = f"GATEWAY_{issuer.upper()}"
                raise ValueError(f"{variable}_TOKEN_URL needs {variable}_CLIENT_ID and {variable}_KEY_FILE")
        return self

    @model_validator(mode="after")
    def _graphiql_by_default_only_without_trusted_documents(self) -> Self:
        if self.graphiql is None:
            self.graphiql = self.trusted_documents is None
        return self

    @classmethod
    def load(cls) -> Self:
        """The settings from the environment; raises ConfigError naming each variable that is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            raise ConfigError("\n".join(cls._explain(error) for error in exc.errors())) from None

    @classmethod
    def _explain(cls, error: ErrorDetails) -> str:
        loc = error["loc"]
        message = error["msg"][:1].lower() + error["msg"][1:]
        got = f", got {error['input']!r}" if isinstance(error["input"], str | int | float) else ""
        if not loc or loc[0] not in cls.model_fields:
            return f"{message}{got}"
        return f"{cls.variable(str(loc[0]))}: {message}{got}"

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets `field`."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, AliasChoices):
            return str(alias.choices[0])
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    def url_of(self, source: str) -> str:
        """The base URL of the upstream source named `source` (a name in SOURCES)."""
        url: str = getattr(self, source_named(source).setting)
        return url

    def upstream_urls(self) -> dict[str, str]:
        return {source.name: self.url_of(source.name) for source in SOURCES}

    def with_upstreams(self, urls: Mapping[str, str]) -> Self:
        """A copy calling the upstreams at `urls` (by source name), e.g. a running sandbox's."""
        return self.model_copy(update={source_named(name).setting: url for name, url in urls.items()})


if TYPE_CHECKING:
    Settings = _Settings
else:
    # GATEWAY_<NAME>_URL for each row of SOURCES, so a new upstream needs no line here. Type
    # checkers see `_Settings`: read the URLs with `url_of`, replace them with `with_upstreams`.
    Settings = create_model(
        "Settings",
        __doc__=_Settings.__doc__,
        __base__=_Settings,
        __module__=__name__,
        **{source.setting: (str, source.default_url) for source in SOURCES},
    )
