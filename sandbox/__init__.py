"""The upstream services as small aiohttp apps with seeded demo data (docs/architecture.md#upstream-sources).

They stand for external systems, so the services import nothing of the gateway's behaviour. What the
sandbox takes from `gateway` (never the other way round): the runner starts one app for each row of the
gateway's list of sources, `gateway.sources.SOURCES`; the seed takes the personas' ids from the persona
bar's list (sandbox/seed.py says why); and helseid.py's helper for callers other than a gateway signs
its proofs with the gateway's `DpopKey`.
"""

from sandbox.control import CONTROL, Control
from sandbox.runner import Sandbox, start_sandbox

__all__ = ["CONTROL", "Control", "Sandbox", "start_sandbox"]
