from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from sandbox import Sandbox
from tests.request.factory import Contexts, contexts_for


@pytest.fixture
async def contexts(sandbox: Sandbox) -> AsyncIterator[Contexts]:
    async with contexts_for(sandbox) as made:
        yield made
