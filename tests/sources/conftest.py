"""The fixtures of the sources' tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session of the test's own, as the app's pooled one would be."""
    async with aiohttp.ClientSession() as http:
        yield http
