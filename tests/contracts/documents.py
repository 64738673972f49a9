"""The contract documents in docs/contracts/, by the name of the source each describes (SOURCES)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from openapi_core import OpenAPI

from tests.support import REPOSITORY

CONTRACTS = REPOSITORY / "docs" / "contracts"
DOCUMENTS: dict[str, Path] = {
    "registry": CONTRACTS / "registry.openapi.yaml",
    "inbox": CONTRACTS / "inbox.openapi.yaml",
    "consent": CONTRACTS / "fullmakt.openapi.yaml",
}


@cache
def document(source: str) -> dict[str, Any]:
    """The document as YAML gives it (do not change it: it is shared)."""
    loaded: dict[str, Any] = yaml.safe_load(DOCUMENTS[source].read_text(encoding="utf-8"))
    return loaded


@cache
def openapi(source: str) -> OpenAPI:
    """The document as openapi-core validates requests against it."""
    return OpenAPI.from_file_path(str(DOCUMENTS[source]))
