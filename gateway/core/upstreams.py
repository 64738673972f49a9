"""SOURCES, the one list of upstreams: everything that needs every source reads it
(docs/architecture.md#adding-a-source).

The settings (`GATEWAY_<NAME>_URL`), the clients in `Sources`, the sandbox that the demo, tests and
benchmarks start, and `/readyz` all iterate this table. A sixth upstream is one row here, its client
and the line that makes it in gateway/sources/__init__.py (with a typed attribute on `Sources` for the
loaders to call), and its sandbox app. The rows are data alone: the settings read them, and loading
the settings imports no client.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web


@dataclass(frozen=True)
class Source:
    """One upstream service.

    Args:
        name: how settings, errors (`extensions.source`), metrics and `/readyz` name it.
        sandbox: `"module:function"` making the sandbox app that stands in for it. A name, not the
            function, so that the gateway in production never imports the sandbox.
        sandbox_port: where `python -m sandbox` serves it, which makes it the default URL too.
        fhir: a FHIR R4 server, whose base URL ends in `/fhir`.
    """

    name: str
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
        "sandbox.registry:create_app",
        8101,
    ),
    Source(
        "consent",
        "sandbox.consent:create_app",
        8102,
    ),
    Source("inbox", "sandbox.inbox:create_app", 8103),
    Source(
        "contacts",
        "sandbox.contacts:create_app",
        8104,
        fhir=True,
    ),
    Source(
        "appointments",
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
