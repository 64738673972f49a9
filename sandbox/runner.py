"""Start all five sandbox services on loopback, for tests, the demo command and benchmarks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType

from aiohttp import web

from sandbox import appointments, consent, contacts, inbox, registry
from sandbox.control import CONTROL, Control

FACTORIES: dict[str, Callable[[], web.Application]] = {
    "registry": registry.create_app,
    "consent": consent.create_app,
    "inbox": inbox.create_app,
    "contacts": contacts.create_app,
    "appointments": appointments.create_app,
}
FHIR_SERVICES = frozenset({"contacts", "appointments"})
FIXED_PORTS: dict[str, int] = {
    "registry": 8101,
    "consent": 8102,
    "inbox": 8103,
    "contacts": 8104,
    "appointments": 8105,
}


class Sandbox:
    """The five services running in this process.

    `urls` maps a service name to its base URL; the FHIR ones end in `/fhir` (the FHIR base), the
    others have no path. Use `await start_sandbox()` or `async with Sandbox() as sandbox:`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
        apps: Mapping[str, web.Application] | None = None,
    ) -> None:
        self.host = host
        self._ports = dict(ports or {})
        self.apps: dict[str, web.Application] = {name: make() for name, make in FACTORIES.items()}
        self.apps.update(apps or {})
        self.urls: dict[str, str] = {}
        self._runners: list[web.AppRunner] = []

    async def start(self) -> Sandbox:
        try:
            for name, app in self.apps.items():
                # No access log: benchmarks and test output would drown in it.
                runner = web.AppRunner(app, access_log=None)
                await runner.setup()
                self._runners.append(runner)
                await web.TCPSite(runner, self.host, self._ports.get(name, 0)).start()
                port = runner.addresses[0][1]
                url = f"http://{self.host}:{port}"
                self.urls[name] = f"{url}/fhir" if name in FHIR_SERVICES else url
        except BaseException:
            await self.close()
            raise
        return self

    def control(self, name: str) -> Control:
        return self.apps[name][CONTROL]

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


async def start_sandbox(host: str = "127.0.0.1", ports: dict[str, int] | None = None) -> Sandbox:
    """Start all five services (each on an ephemeral port unless `ports` names one)."""
    return await Sandbox(host, ports).start()
