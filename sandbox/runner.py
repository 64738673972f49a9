"""Start every sandbox service on loopback, for tests, the demo command and benchmarks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from gateway.core.upstreams import SOURCES
from gateway.sources.helseid import DpopKey
from sandbox import helseid, maskinporten, registry
from sandbox.control import CONTROL, Control
from sandbox.issuers import ISSUERS


class Sandbox:
    """A sandbox app for each source in the gateway's SOURCES, running in this process.

    `urls` maps a service name to its base URL; the FHIR ones end in `/fhir` (the FHIR base), the
    others have no path. `apps` replaces the seeded app of the services it names. Use
    `await start_sandbox()` or `async with Sandbox() as sandbox:`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        apps: Mapping[str, web.Application] | None = None,
    ) -> None:
        self.host = host
        self._ports = dict(ports or {})
        given = dict(apps or {})
        if unknown := set(given) - {source.name for source in SOURCES}:
            raise ValueError(f"no source in SOURCES is named {', '.join(sorted(unknown))}")
        self.apps: dict[str, web.Application] = {
            source.name: given[source.name] if source.name in given else source.sandbox_app() for source in SOURCES
        }
        self.urls: dict[str, str] = {}
        self._dpop = DpopKey()  # the key of `fullmakt_authorization`'s proofs
        self._runners: list[web.AppRunner] = []

    async def start(self) -> Sandbox:
        try:
            for source in SOURCES:
                # No access log: benchmarks and test output would drown in it.
                # Handlers are cancelled when their client goes away, as a real server's request ends.
                runner = web.AppRunner(self.apps[source.name], access_log=None, handler_cancellation=True)
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, self.host, self._ports.get(source.name, 0)).start()
                port = runner.addresses[0][1]
                self.urls[source.name] = f"http://{self.host}:{port}{source.base_path}"
        except BaseException:
            await self.close()
            raise
        return self

    def control(self, name: str) -> Control:
        return self.apps[name][CONTROL]

    def token_clients(self, directory: Path) -> dict[str, Any]:
        """The gateway's settings for a client of the registry's Maskinporten and of the fullmakt source's
        HelseID, made now: their keys in files in `directory` (sandbox/oauth.py `new_client`)."""
        client_id = "health-gateway-sandbox"
        settings: dict[str, Any] = {}
        for issuer in ISSUERS:
            key_file, kid = issuer.state(self.apps[issuer.source]).new_client(client_id, [issuer.scope], directory)
            settings |= issuer.client_settings(self.urls[issuer.source], client_id, key_file, kid)
        return settings

    def registry_authorization(self) -> dict[str, str]:
        """An Authorization header the registry takes: a Maskinporten token issued now, for a caller of
        the registry other than a gateway (a test, a tool)."""
        state = self.apps["registry"][maskinporten.MASKINPORTEN]
        issuer = self.urls["registry"] + maskinporten.ISSUER_PATH
        return {"Authorization": f"Bearer {state.issue('sandbox-caller', registry.SCOPE, issuer)}"}

    def fullmakt_authorization(self, method: str, url: str) -> dict[str, str]:
        """The headers the fullmakt source takes for one call of `method` to `url`, for a caller other
        than a gateway (a test, a tool): sandbox/helseid.py `caller_authorization`, with a key of this
        sandbox's own."""
        return helseid.caller_authorization(self.apps["consent"], self.urls["consent"], self._dpop, method, url)

    def total_requests(self) -> dict[str, int]:
        return {name: self.control(name).total for name in self.apps}

    def reset(self) -> None:
        """Clear every service's faults and counts and restore the seeded inbox."""
        for name in self.apps:
            self.control(name).reset()

    async def close(self) -> None:
        runners, self._runners = self._runners, []
        for runner in reversed(runners):
            await runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        if not self._runners:
            await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


async def start_sandbox(
    host: str = "127.0.0.1", ports: Mapping[str, int] | None = None, *, peer_registry: bool = False
) -> Sandbox:
    """Start every service (each on an ephemeral port unless `ports` names one). `peer_registry`: the
    registry also serves its format from before Freg's, for the Node peer alone (sandbox/registry.py)."""
    apps = {"registry": registry.create_app(peer_registry=True)} if peer_registry else None
    return await Sandbox(host, ports, apps).start()
