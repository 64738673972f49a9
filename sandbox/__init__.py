"""The upstream services as small aiohttp apps with seeded demo data (docs/architecture.md#upstream-sources).

They stand for external systems, so the services import nothing from `gateway`. Only the runner
does: it starts one app for each row of the gateway's list of sources, `gateway.sources.SOURCES`.
"""

from sandbox.control import CONTROL, Control
from sandbox.runner import Sandbox, start_sandbox

__all__ = ["CONTROL", "Control", "Sandbox", "start_sandbox"]
