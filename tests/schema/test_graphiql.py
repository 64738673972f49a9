"""The GraphiQL page: vendored assets only, everything inserted is escaped, demo bar only in demo mode;
every file it ships is listed with a notice, and the opening query is the one the README shows."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from graphql import build_ast_schema, parse, validate

import gateway
from gateway.graphiql import Persona, fill, graphiql_html, opening_query

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = Path(gateway.__file__).parent / "static"
ASSETS = STATIC_DIR / "graphiql"
EVIL = "</script><script>alert(1)</script>"
KARI = Persona("12848510058", "Kari Nordmann", "parent of Emma, Jonas, Sofie; fullmakt from Ola")
PERSONAS = (
    KARI,
    Persona("03894810369", "Ola Nordmann", "gave Kari a fullmakt"),
    Persona("99999999999", f"Mallory {EVIL}", f"note {EVIL} & <b>bold</b> {{{{config}}}}"),
)
QUERY = 'query Q { viewer { id } }\n# "quotes" and \\ backslash </script><script>alert(2)</script> <!-- x {{title}}\n'
SHA256 = re.compile(r"[0-9a-f]{64}")


class _Page(HTMLParser):
    """Collects what the tests look at: asset references, selects and their options, inline scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.selects: dict[str, list[tuple[str, bool, str]]] = {}
        # (type attribute, id attribute, text) of every <script> without src
        self.inline_scripts: list[tuple[str | None, str | None, str]] = []
        self.styles = 0
        self.title = ""
        self._select: str | None = None
        self._option: tuple[str, bool] | None = None
        self._script: tuple[str | None, str | None] = (None, None)
        self._text: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if "style" in a or tag == "style":
            self.styles += 1
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
            self._script = (a.get("type"), a.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._option is not None and self._select is not None:
            self.selects[self._select].append((*self._option, "".join(self._text)))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == self._in == "script":
            self.inline_scripts.append((*self._script, "".join(self._text)))
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
    """The JSON object app.js reads from the page."""
    (config,) = [text for _, id_, text in parsed.inline_scripts if id_ == "graphiql-config"]
    return json.loads(config)


def _versions() -> tuple[dict[str, list[str]], dict[str, str]]:
    """VERSIONS.txt's rows: vendored file -> [package, version, path in the tarball, licence, sha256],
    and own file -> what it is."""
    vendored: dict[str, list[str]] = {}
    own: dict[str, str] = {}
    section = None
    for line in (ASSETS / "VERSIONS.txt").read_text(encoding="utf-8").splitlines():
        if line in ("[vendored]", "[own]"):
            section = line
        elif not line.strip():
            section = None  # a section ends at the first blank line
        elif section == "[vendored]" and not line.startswith("#"):
            name, *columns = line.split()
            assert len(columns) == 5 and SHA256.fullmatch(columns[4]), f"VERSIONS.txt: not a vendored row: {line!r}"
            vendored[name] = columns
        elif section == "[own]" and not line.startswith("#"):
            name, what = line.split(maxsplit=1)
            own[name] = what
    return vendored, own


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
            "app.js",
            "page.css",
        } <= names


def test_every_referenced_asset_is_shipped_and_listed() -> None:
    vendored, own = _versions()
    for ref in _parse(_demo_page()).refs:
        path = STATIC_DIR / ref.removeprefix("/static/")
        assert path.is_file(), f"{ref} is not in gateway/static"
        assert path.stat().st_size > 0
        assert path.name in vendored or path.name in own, f"{ref} is not listed in VERSIONS.txt"


def test_scripts_load_in_dependency_order() -> None:
    scripts = [ref for ref in _parse(_prod_page()).refs if ref.endswith(".js")]
    order = [ref.rsplit("/", 1)[1] for ref in scripts]
    assert order.index("react.production.min.js") < order.index("react-dom.production.min.js")
    assert order.index("react-dom.production.min.js") < order.index("graphiql.min.js")
    assert order.index("graphiql.min.js") < order.index("plugin-explorer.umd.js")
    assert order[-1] == "app.js", "the page's script needs every global the others define"


def test_page_css_comes_after_graphiqls() -> None:
    sheets = [ref.rsplit("/", 1)[1] for ref in _parse(_prod_page()).refs if ref.endswith(".css")]
    assert sheets[-1] == "page.css"


def test_static_prefix_is_used() -> None:
    page = graphiql_html(example_query="{ __typename }", static_prefix="/assets/", personas=None, token_url=None)
    parsed = _parse(page)
    assert all(ref.startswith("/assets/graphiql/") for ref in parsed.refs)
    assert _config(parsed)["assetPath"] == "/assets/graphiql/"


def test_the_page_holds_data_but_no_code() -> None:
    """The page's script and style are files, so the one inline script is JSON data, never run."""
    for page in (_demo_page(), _prod_page()):
        parsed = _parse(page)
        assert [(kind, id_) for kind, id_, _ in parsed.inline_scripts] == [("application/json", "graphiql-config")]
        assert parsed.styles == 0, "no <style> element and no style attribute"
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", page, re.I), "no inline event handlers"
        assert "eval(" not in page and "new Function" not in page
    for page in (
        graphiql_html(static_prefix="/static", personas=(KARI,), token_url="/demo/token"),
        graphiql_html(static_prefix="/static", personas=None, token_url=None),
    ):
        assert not re.search(r"\{\{\w+\}\}", page), "a placeholder was left unfilled"


def test_example_query_is_escaped_and_round_trips() -> None:
    for page in (_demo_page(), _prod_page()):
        parsed = _parse(page)
        assert "<script>alert(2)" not in page
        assert "<!-- x" not in page
        (_, _, script) = parsed.inline_scripts[0]  # nothing broke out of the one inline script
        assert "</" not in script and "<" not in script
        assert _config(parsed)["exampleQuery"] == QUERY


def test_the_opening_query_is_the_file_by_default() -> None:
    page = graphiql_html(static_prefix="/static", personas=None, token_url=None)
    assert _config(_parse(page))["exampleQuery"] == (ASSETS / "opening-query.graphql").read_text(encoding="utf-8")


def test_the_opening_query_is_valid_against_the_schema() -> None:
    # schema.graphql is kept equal to the served schema (test_schema_file.py); its federation
    # directives have no definitions there, hence assume_valid_sdl.
    schema = build_ast_schema(parse((ROOT / "schema.graphql").read_text(encoding="utf-8")), assume_valid_sdl=True)
    assert validate(schema, parse(opening_query())) == []


def test_readme_shows_the_opening_query() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"GraphiQL's opening query.*?\n```graphql\n(.*?\n)```\n", readme, re.S)
    assert match, 'README.md has no ```graphql block after "GraphiQL\'s opening query"'
    assert match.group(1) == opening_query(), "copy gateway/static/graphiql/opening-query.graphql into README.md"


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
        # A note that looks like a placeholder stays text: the template is filled in one pass.
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


def test_fill_replaces_each_placeholder_once() -> None:
    assert fill("<p>{{a}} {{b}}</p>", {"a": "{{b}}", "b": "B"}) == "<p>{{b}} B</p>"
    with pytest.raises(KeyError, match="no value"):
        fill("{{a}} {{b}}", {"a": "A"})
    with pytest.raises(KeyError, match="no placeholder"):
        fill("{{a}}", {"a": "A", "b": "B"})


def test_vendored_files_match_their_checksums() -> None:
    vendored, _ = _versions()
    assert len(vendored) >= 6
    for name, (package, version, _, _, sha256) in vendored.items():
        digest = hashlib.sha256((ASSETS / name).read_bytes()).hexdigest()
        assert digest == sha256, f"{name} is not the file of {package} {version} that VERSIONS.txt names"


def test_every_shipped_file_is_listed_in_versions() -> None:
    """Nothing is shipped without a notice: each file is vendored (with its licence) or the project's own."""
    vendored, own = _versions()
    assert not vendored.keys() & own.keys()
    shipped = {path.name for path in ASSETS.iterdir()}
    assert not [path for path in ASSETS.iterdir() if not path.is_file()], "VERSIONS.txt lists files, not folders"
    listed = vendored.keys() | own.keys()
    assert sorted(shipped - listed) == [], "shipped without an entry in VERSIONS.txt"
    assert sorted(listed - shipped) == [], "listed in VERSIONS.txt but not shipped"


def test_every_vendored_package_has_a_notice() -> None:
    vendored, _ = _versions()
    notices = (ASSETS / "LICENSES.txt").read_text(encoding="utf-8")
    for package, version, _, licence, _ in vendored.values():
        assert f"\n==== {package} {version}\n{licence}. Copyright" in notices, (
            f"LICENSES.txt has no notice for {package}"
        )
    for text in ("---- MIT", "---- BSD-2-Clause", "---- 0BSD", "---- Apache-2.0", "---- OFL-1.1"):
        assert text in notices
