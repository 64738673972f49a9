"""The GraphiQL page: vendored assets only, everything inserted is escaped, demo bar only in demo mode."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import gateway
from gateway.graphiql import Persona, graphiql_html

STATIC_DIR = Path(gateway.__file__).parent / "static"
EVIL = "</script><script>alert(1)</script>"
KARI = Persona("12848510058", "Kari Nordmann", "parent of Emma, Jonas, Sofie; fullmakt from Ola")
PERSONAS = (
    KARI,
    Persona("03894810369", "Ola Nordmann", "gave Kari a fullmakt"),
    Persona("99999999999", f"Mallory {EVIL}", f"note {EVIL} & <b>bold</b>"),
)
QUERY = 'query Q { viewer { id } }\n# "quotes" and \\ backslash </script><script>alert(2)</script> <!-- x\n'


class _Page(HTMLParser):
    """Collects what the tests look at: asset references, selects and their options, inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.selects: dict[str, list[tuple[str, bool, str]]] = {}
        self.inline_scripts: list[str] = []
        self.title = ""
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for key in ("src", "href"):
            # An inline data: URL (the empty icon) loads nothing; every other reference must be an asset.
            if a.get(key) is not None and not (a[key] or "").startswith("data:"):
                self.refs.append(a[key] or "")
        if tag == "select":
            self._select = a.get("id") or ""
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value") or "", "selected" in a)
            self._text = []
        elif tag in ("script", "title") and not a.get("src"):
            self._in, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            self.selects[self._select].append((*self._option, "".join(self._text)))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == self._in == "script":
            self.inline_scripts.append("".join(self._text))
            self._in = None
        elif tag == self._in == "title":
            self.title = "".join(self._text)
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._option is not None or self._in:
            self._text.append(data)


def _demo_page() -> str:
    return graphiql_html(example_query=QUERY, static_prefix="/static", personas=PERSONAS, token_url="/demo/token")


def _prod_page() -> str:
    return graphiql_html(example_query=QUERY, static_prefix="/static", personas=None, token_url=None)


def _parse(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def _config(parsed: _Page) -> dict[str, object]:
    """The JSON object the inline script is called with (the last thing in it)."""
    (script,) = parsed.inline_scripts
    match = re.search(r"\}\)\((\{.*\})\);\s*$", script, re.S)
    assert match, script[-300:]
    return json.loads(match.group(1))


def test_page_loads_only_vendored_static_assets() -> None:
    for page in (_demo_page(), _prod_page()):
        parsed = _parse(page)
        assert parsed.title == "Helse-gateway GraphiQL"
        assert parsed.refs, "the page references its assets"
        for ref in parsed.refs:
            assert ref.startswith("/static/graphiql/"), ref
            assert "//" not in ref and ".." not in ref, ref
        assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
        assert "unpkg" not in page and "jsdelivr" not in page and "cdnjs" not in page
        names = {ref.rsplit("/", 1)[1] for ref in parsed.refs}
        assert {
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "graphiql.min.css",
        } <= names


def test_every_referenced_asset_is_vendored() -> None:
    parsed = _parse(_demo_page())
    for ref in parsed.refs:
        path = STATIC_DIR / ref.removeprefix("/static/")
        assert path.is_file(), f"{ref} is not in gateway/static"
        assert path.stat().st_size > 0
    versions = (STATIC_DIR / "graphiql" / "VERSIONS.txt").read_text()
    for ref in parsed.refs:
        assert ref.rsplit("/", 1)[1] in versions, f"{ref} is not listed in VERSIONS.txt"


def test_react_is_loaded_before_graphiql() -> None:
    scripts = [ref for ref in _parse(_prod_page()).refs if ref.endswith(".js")]
    order = [ref.rsplit("/", 1)[1] for ref in scripts]
    assert order.index("react.production.min.js") < order.index("react-dom.production.min.js")
    assert order.index("react-dom.production.min.js") < order.index("graphiql.min.js")


def test_static_prefix_is_used() -> None:
    page = graphiql_html(example_query="{ __typename }", static_prefix="/assets/", personas=None, token_url=None)
    assert all(ref.startswith("/assets/graphiql/") for ref in _parse(page).refs)


def test_example_query_is_escaped_and_round_trips() -> None:
    for page in (_demo_page(), _prod_page()):
        parsed = _parse(page)
        assert "<script>alert(2)" not in page
        assert "<!-- x" not in page
        (script,) = parsed.inline_scripts  # nothing broke out of the one inline script
        assert "</" not in script
        assert _config(parsed)["exampleQuery"] == QUERY


def test_personas_are_listed_and_escaped() -> None:
    page = _demo_page()
    parsed = _parse(page)
    assert EVIL not in page
    assert "<script>alert(1)" not in page
    assert "<b>bold</b>" not in page
    persona_options = parsed.selects["persona"]
    assert persona_options[0] == (
        "12848510058",
        True,
        "Kari Nordmann (12848510058) – parent of Emma, Jonas, Sofie; fullmakt from Ola",
    )
    listed = {value: text for value, _, text in persona_options}
    for persona in PERSONAS:
        assert listed[persona.id] == f"{persona.name} ({persona.id}) – {persona.note}"
    assert "" in listed, "a 'no token' choice"
    assert [selected for _, selected, _ in persona_options].count(True) == 1
    assert [(value, selected) for value, selected, _ in parsed.selects["assurance"]] == [
        ("idporten-loa-high", True),
        ("idporten-loa-substantial", False),
    ]
    assert _config(parsed)["tokenUrl"] == "/demo/token"
    assert len(parsed.inline_scripts) == 1


def test_production_page_has_no_demo_bar() -> None:
    page = _prod_page()
    parsed = _parse(page)
    assert "persona" not in parsed.selects and "persona" not in parsed.ids
    assert "assurance" not in parsed.selects
    assert "demo-bar" not in parsed.ids
    assert _config(parsed)["tokenUrl"] is None


def test_personas_without_token_url_is_not_demo_mode() -> None:
    page = graphiql_html(example_query="{ __typename }", static_prefix="/static", personas=PERSONAS, token_url=None)
    assert "persona" not in _parse(page).selects


def test_no_inline_event_handlers() -> None:
    page = _demo_page()
    assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, re.I)
    assert "eval(" not in page and "new Function" not in page
