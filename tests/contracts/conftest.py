"""The sandbox the contract tests call, and the count of what schemathesis ran, for the CI log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import Sandbox
from tests.contracts.documents import DOCUMENTS
from tests.contracts.fuzzing import CASES, sandbox_in_thread


@pytest.fixture(scope="module")
def threaded_sandbox() -> Iterator[Sandbox]:
    """Every sandbox app, in a thread of its own (fuzzing.py says why); one for a module's tests."""
    with sandbox_in_thread() as sandbox:
        yield sandbox


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    by_document = ", ".join(
        f"{path.name.removesuffix('.openapi.yaml')} {sum(n for (s, _), n in CASES.items() if s == source)}"
        for source, path in DOCUMENTS.items()
    )
    terminalreporter.write_line(
        f"contracts: schemathesis ran {CASES.total()} cases over {len(CASES)} operations ({by_document})"
    )
