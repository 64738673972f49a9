"""Settings from the environment: the one place that reads configuration.

Every variable is prefixed `GATEWAY_` except `REDIS_URL`, which follows the common convention.
The README's configuration table lists them all with their defaults.
"""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000

    registry_url: str = "http://127.0.0.1:8101"
    consent_url: str = "http://127.0.0.1:8102"
    inbox_url: str = "http://127.0.0.1:8103"
    contacts_url: str = "http://127.0.0.1:8104/fhir"
    appointments_url: str = "http://127.0.0.1:8105/fhir"

    upstream_timeout_s: float = Field(default=5.0, gt=0)
    upstream_connections: int = Field(default=100, ge=1)
    fhir_page_size: int = Field(default=100, ge=1, le=1000)
    # A client may follow `next` links; this bounds a misbehaving server's endless paging.
    fhir_max_pages: int = Field(default=50, ge=1)
    fhir_codings_file: str | None = None

    # Authentication. In demo mode the gateway issues its own tokens (POST /demo/token) and
    # verifies them with its own key; otherwise tokens are verified against `jwks_url`.
    demo: bool = False
    jwks_url: str | None = None
    issuer: str = "http://127.0.0.1:8000/demo"
    audience: str = "health-gateway"
    clock_skew_s: int = Field(default=30, ge=0)

    graphiql: bool = True
    # A live subscription re-checks the viewer's right to the subject at least this often.
    subscription_recheck_s: float = Field(default=30.0, gt=0)
    max_query_depth: int = Field(default=12, ge=1)
    # Bounds on one document, so a single request cannot fan out without limit upstream.
    max_query_aliases: int = Field(default=30, ge=1)
    max_query_tokens: int = Field(default=5000, ge=100)

    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "GATEWAY_REDIS_URL"))
    # Keys of this deployment start with this, so several can share one Redis (and tests stay apart).
    redis_prefix: str = "gateway:"

    def upstream_urls(self) -> dict[str, str]:
        return {
            "registry": self.registry_url,
            "consent": self.consent_url,
            "inbox": self.inbox_url,
            "contacts": self.contacts_url,
            "appointments": self.appointments_url,
        }
