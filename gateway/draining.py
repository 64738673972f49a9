"""Stopping well behind a load balancer: SIGTERM, as Kubernetes, systemd and `serve --workers` stop a
process.

On the first SIGTERM the gateway
1. answers /readyz with 503 at once, so that it is taken out of rotation;
2. closes each WebSocket with 1001 (going away), so that subscribers reconnect, to another replica, and
   refuses new ones the same way;
3. keeps serving HTTP for `shutdown_delay_s` (the time a load balancer takes to see the 503), then
   hands over to uvicorn's own shutdown: no new connections, the requests in flight finish within
   `shutdown_timeout_s` (uvicorn's `timeout_graceful_shutdown`), then the lifespan's shutdown.

A second SIGTERM, or Ctrl-C, stops at once, as uvicorn does. The handler is installed by the app's
lifespan over uvicorn's (which it calls when the drain is done), so that it works the same in every
process that serves the app: `serve`, each of its workers, the demo.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

from starlette.websockets import WebSocket, WebSocketState

log = logging.getLogger(__name__)

GOING_AWAY = 1001


class Drain:
    """The process's way out: whether it is draining, and the WebSockets to close when it starts."""

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.draining = False
        self._websockets: set[WebSocket] = set()
        self._signalled = False
        self._drained: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def tracking(self, websocket: WebSocket) -> Iterator[None]:
        """Keep `websocket` to close when the drain starts, for as long as the block lasts."""
        self._websockets.add(websocket)
        try:
            yield
        finally:
            self._websockets.discard(websocket)

    async def begin(self) -> None:
        """Not ready from now on; every WebSocket closed with 1001; then `delay_s` more of serving HTTP."""
        self.draining = True
        log.info("draining: not ready, closing %d WebSocket connections", len(self._websockets))
        await asyncio.gather(*(self._going_away(ws) for ws in list(self._websockets)))
        await asyncio.sleep(self.delay_s)

    @staticmethod
    async def _going_away(websocket: WebSocket) -> None:
        if websocket.application_state is WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(RuntimeError, OSError):  # it closed meanwhile
            await websocket.close(GOING_AWAY, "the gateway is restarting: reconnect")

    @contextlib.contextmanager
    def on_sigterm(self) -> Iterator[None]:
        """For as long as the block lasts, the first SIGTERM drains, then stops the server as uvicorn's
        own handler would; outside the main thread (where signals cannot be handled) nothing changes."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        server_handler = signal.getsignal(signal.SIGTERM)

        def stop_server(sig: int, frame: FrameType | None) -> None:
            if callable(server_handler):
                server_handler(sig, frame)
            else:  # no server handler: the default, end the process
                signal.signal(sig, signal.SIG_DFL)
                signal.raise_signal(sig)

        def handle(sig: int, frame: FrameType | None) -> None:
            if self._signalled:  # a second SIGTERM: stop now
                stop_server(sig, frame)
                return
            self._signalled = True

            def start() -> None:
                drained = loop.create_task(self.begin(), name="drain")
                drained.add_done_callback(lambda _: stop_server(sig, frame))
                self._drained = drained  # kept, so that the task is not collected while it runs

            loop.call_soon_threadsafe(start)

        signal.signal(signal.SIGTERM, handle)
        try:
            yield
        finally:
            signal.signal(signal.SIGTERM, server_handler)


def exit_quietly(sig: int, frame: FrameType | None) -> Any:
    """The handler `serve` and the demo leave under uvicorn's: uvicorn raises the signal again once it has
    shut down (to end as the signal would), and a drained gateway's end is a normal one: exit status 0."""
    raise SystemExit(0)
