"""The GraphiQL page served at GET /graphql to browsers.

The page is made of files in ``gateway/static/graphiql/`` (see VERSIONS.txt there): ``page.html`` and
``demo-bar.html`` with ``{{placeholders}}`` this module fills in, the page's own ``app.js`` and
``page.css``, the opening query ``opening-query.graphql``, and the vendored GraphiQL front end. A health
portal loads no script from a CDN. In demo mode a bar above the editor picks a demo persona and an
assurance level, and app.js fetches a token from the demo issuer and puts it in GraphiQL's headers
editor, so pressing Run shows that persona's data with no set-up.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

ASSET_DIR = "graphiql"
# app.js last: it needs the UMD globals the others define.
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
    "app.js",
)
# page.css last, so the page's own rules win over GraphiQL's.
STYLESHEETS = ("graphiql.min.css", "plugin-explorer.css", "page.css")
PAGE = "page.html"
DEMO_BAR = "demo-bar.html"
OPENING_QUERY = "opening-query.graphql"
ASSURANCE_LEVELS = ("idporten-loa-high", "idporten-loa-substantial")
TITLE = "Helse-gateway GraphiQL"

_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@dataclass(frozen=True)
class Persona:
    """A demo person the GraphiQL page can log in as (docs/personas.md)."""

    id: str
    name: str
    note: str

    @property
    def label(self) -> str:
        base = f"{self.name} ({self.id})"
        return f"{base} – {self.note}" if self.note else base


def asset_text(name: str) -> str:
    """A text file of the page, read from the installed package (the same files /static serves)."""
    return resources.files("gateway").joinpath("static", ASSET_DIR, name).read_text(encoding="utf-8")


def opening_query() -> str:
    """The query GraphiQL opens with; README.md shows the same text (a test compares them)."""
    return asset_text(OPENING_QUERY)


def graphiql_html(
    *,
    static_prefix: str,
    personas: Sequence[Persona] | None,
    token_url: str | None,
    example_query: str | None = None,
) -> str:
    """The complete HTML page. Demo mode (the persona bar) needs both ``personas`` and ``token_url``;
    ``example_query`` defaults to ``opening-query.graphql``."""
    prefix = static_prefix.rstrip("/")
    demo = bool(personas) and bool(token_url)
    links = (f'<link rel="stylesheet" href="{_attr(f"{prefix}/{ASSET_DIR}/{name}")}">' for name in STYLESHEETS)
    scripts = (f'<script src="{_attr(f"{prefix}/{ASSET_DIR}/{name}")}"></script>' for name in SCRIPTS)
    config: dict[str, Any] = {
        "exampleQuery": opening_query() if example_query is None else example_query,
        "tokenUrl": token_url if demo else None,
        "assetPath": f"{prefix}/{ASSET_DIR}/",
    }
    return fill(
        asset_text(PAGE),
        {
            "title": html.escape(TITLE),
            "stylesheets": "\n".join(links),
            "demo_bar": _demo_bar(personas or ()) if demo else "",
            "config": _script_json(config),
            "scripts": "\n".join(scripts),
        },
    )


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each ``{{name}}`` replaced by ``values[name]``, which must already be escaped.

    One pass over the template, so text inside a value that looks like a placeholder stays as it is.
    A placeholder without a value, or a value without a placeholder, is a mistake in the template and
    raises KeyError rather than serving a page with a hole in it.
    """
    used: set[str] = set()

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"no value for the placeholder {{{{{name}}}}}")
        used.add(name)
        return values[name]

    filled = _PLACEHOLDER.sub(value, template)
    if unused := set(values) - used:
        raise KeyError(f"the template has no placeholder for {sorted(unused)}")
    return filled


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element: no "</script>", "<!--" or "]]>" can appear in it."""
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _options(choices: Sequence[tuple[str, str]]) -> str:
    """<option>s for (value, label) pairs, the first one selected."""
    return "\n    ".join(
        f'<option value="{_attr(value)}"{" selected" if i == 0 else ""}>{html.escape(label)}</option>'
        for i, (value, label) in enumerate(choices)
    )


def _demo_bar(personas: Sequence[Persona]) -> str:
    people = [(p.id, p.label) for p in personas] + [("", "No token (anonymous)")]
    return fill(
        asset_text(DEMO_BAR),
        {
            "persona_options": _options(people),
            "assurance_options": _options([(acr, acr) for acr in ASSURANCE_LEVELS]),
        },
    )
