"""The five upstream services as small aiohttp apps with seeded demo data (DESIGN.md section 3).

They stand for external systems, so nothing here imports from `gateway`.
"""

from sandbox.control import CONTROL, Control
from sandbox.runner import FIXED_PORTS, Sandbox, start_sandbox

__all__ = ["CONTROL", "FIXED_PORTS", "Control", "Sandbox", "start_sandbox"]
