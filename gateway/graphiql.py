"""The GraphiQL page served at GET /graphql to browsers.

Every asset comes from the vendored copy in ``gateway/static/graphiql/`` (see VERSIONS.txt there): a
health portal loads no script from a CDN. In demo mode a bar above the editor picks a demo persona
and an assurance level, fetches a token from the demo issuer and puts it in GraphiQL's headers
editor, so pressing Run shows that persona's data with no set-up.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ASSET_DIR = "graphiql"
SCRIPTS = (
    "react.production.min.js",
    "react-dom.production.min.js",
    "graphiql.min.js",
    "plugin-explorer.umd.js",
)
STYLESHEETS = ("graphiql.min.css", "plugin-explorer.css")
ASSURANCE_LEVELS = ("idporten-loa-high", "idporten-loa-substantial")
TITLE = "Helse-gateway GraphiQL"


@dataclass(frozen=True)
class Persona:
    """A demo person the GraphiQL page can log in as (DESIGN.md section 6)."""

    id: str
    name: str
    note: str

    @property
    def label(self) -> str:
        base = f"{self.name} ({self.id})"
        return f"{base} – {self.note}" if self.note else base


def graphiql_html(
    *,
    example_query: str,
    static_prefix: str,
    personas: Sequence[Persona] | None,
    token_url: str | None,
) -> str:
    """The complete HTML page. Demo mode (the persona bar) needs both ``personas`` and ``token_url``."""
    prefix = static_prefix.rstrip("/")
    demo = bool(personas) and bool(token_url)
    links = "\n".join(f'<link rel="stylesheet" href="{_attr(f"{prefix}/{ASSET_DIR}/{name}")}">' for name in STYLESHEETS)
    scripts = "\n".join(f'<script src="{_attr(f"{prefix}/{ASSET_DIR}/{name}")}"></script>' for name in SCRIPTS)
    config: dict[str, Any] = {
        "exampleQuery": example_query,
        "tokenUrl": token_url if demo else None,
        "assetPath": f"{prefix}/{ASSET_DIR}/",
    }
    bar = _demo_bar(personas or ()) if demo else ""
    return _PAGE.format(
        title=html.escape(TITLE),
        links=links,
        bar=bar,
        scripts=scripts,
        config=_script_json(config),
        app=_APP_JS,
    )


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _script_json(value: Any) -> str:
    """JSON that is safe inside an inline <script>: no "</script>", "<!--" or "]]>" can appear in it."""
    return json.dumps(value, ensure_ascii=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _demo_bar(personas: Sequence[Persona]) -> str:
    options = [
        f'<option value="{_attr(p.id)}"{" selected" if i == 0 else ""}>{html.escape(p.label)}</option>'
        for i, p in enumerate(personas)
    ]
    options.append('<option value="">No token (anonymous)</option>')
    levels = [
        f'<option value="{_attr(acr)}"{" selected" if i == 0 else ""}>{html.escape(acr)}</option>'
        for i, acr in enumerate(ASSURANCE_LEVELS)
    ]
    return _BAR.format(personas="\n    ".join(options), levels="\n    ".join(levels))


_BAR = """\
<form id="demo-bar" aria-label="Demo login">
  <label for="persona">Demo persona</label>
  <select id="persona" name="persona" autocomplete="off">
    {personas}
  </select>
  <label for="assurance">Assurance</label>
  <select id="assurance" name="assurance" autocomplete="off">
    {levels}
  </select>
  <span id="token-status" role="status" aria-live="polite"></span>
</form>
"""

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<link rel="icon" href="data:,">
{links}
<style>
  html, body {{ height: 100%; margin: 0; }}
  body {{ display: flex; flex-direction: column; font-family: system-ui, sans-serif; }}
  #graphiql {{ flex: 1; min-height: 0; }}
  #demo-bar {{ display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin: 0;
              padding: 0.4rem 0.75rem; font-size: 0.875rem; background: #f3f5f8;
              border-bottom: 1px solid #d5dae1; }}
  #demo-bar select {{ font: inherit; padding: 0.15rem 0.25rem; max-width: 40rem; }}
  #demo-bar label {{ font-weight: 600; }}
  #token-status {{ color: #44505f; }}
  #token-status.error {{ color: #b00020; }}
  .boot-message {{ padding: 1rem; }}
</style>
</head>
<body>
{bar}<div id="graphiql"><p class="boot-message">Loading GraphiQL…</p></div>
{scripts}
<script>
"use strict";
(function (config) {{
{app}
}})({config});
</script>
</body>
</html>
"""

# Plain ES5-ish JavaScript against the UMD globals React, ReactDOM, GraphiQL (graphiql 3.8.x) and
# GraphiQLPluginExplorer: no JSX, no build step, no eval, no inline event handlers.
_APP_JS = """\
  var root = document.getElementById("graphiql");
  if (!window.React || !window.ReactDOM || !window.GraphiQL) {
    root.textContent = "GraphiQL could not load its scripts from " + config.assetPath + ".";
    return;
  }
  var personaSelect = document.getElementById("persona");
  var assuranceSelect = document.getElementById("assurance");
  var statusLine = document.getElementById("token-status");
  var demo = Boolean(config.tokenUrl && personaSelect && assuranceSelect);

  var path = window.location.pathname;
  var wsScheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  var baseFetcher = GraphiQL.createFetcher({
    url: path,
    subscriptionUrl: wsScheme + "//" + window.location.host + path
  });

  // Demo login state. `auth` is the header object the persona bar last set (null: no token);
  // `pending` is the token request in flight, if any.
  var auth = null;
  var headersText = "";
  var pending = null;
  var sequence = 0;

  function setStatus(text, isError) {
    if (!statusLine) return;
    statusLine.textContent = text;
    statusLine.className = isError ? "error" : "";
  }

  function settled() {
    var waitFor = pending;
    return waitFor ? waitFor.then(settled) : Promise.resolve();
  }

  function withAuth(opts) {
    var headers = {};
    var given = (opts && opts.headers) || {};
    Object.keys(given).forEach(function (key) {
      if (key.toLowerCase() !== "authorization") headers[key] = given[key];
    });
    if (auth) Object.keys(auth).forEach(function (key) { headers[key] = auth[key]; });
    return Object.assign({}, opts, { headers: headers });
  }

  // Requests normally use the headers editor as it is. A request started while a token was still
  // being fetched (page load, persona just changed) waits for it and carries the new token.
  function fetcher(params, opts) {
    if (!pending) return baseFetcher(params, opts);
    return settled().then(function () { return baseFetcher(params, withAuth(opts)); });
  }

  function requestToken(pid, acr) {
    return fetch(config.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ pid: pid, acr: acr })
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (body) {
      if (!body || typeof body.access_token !== "string") throw new Error("no access_token in the answer");
      return body.access_token;
    });
  }

  function setAuth(headers) {
    auth = headers;
    headersText = headers ? JSON.stringify(headers, null, 2) : "";
    render();
  }

  function selectedLabel() {
    var option = personaSelect.options[personaSelect.selectedIndex];
    return option ? option.textContent.split(" (")[0] : "";
  }

  function applySelection() {
    var pid = personaSelect.value;
    var acr = assuranceSelect.value;
    var mine = ++sequence;
    assuranceSelect.disabled = !pid;
    if (!pid) {
      pending = null;
      setAuth(null);
      setStatus("No token: only introspection and __typename answer.");
      return;
    }
    var name = selectedLabel();
    setStatus("Fetching a token for " + name + "…");
    var request = requestToken(pid, acr).then(function (token) {
      if (mine !== sequence) return;
      setAuth({ Authorization: "Bearer " + token });
      setStatus("Logged in as " + name + " (" + acr + "); the token is in the Headers tab.");
    }, function (error) {
      if (mine !== sequence) return;
      setAuth(null);
      setStatus("Could not get a token for " + name + ": " + error.message + ". Requests go without one.", true);
    }).then(function () {
      if (pending === request) pending = null;
    });
    pending = request;
  }

  var plugins = [];
  if (window.GraphiQLPluginExplorer && typeof GraphiQLPluginExplorer.explorerPlugin === "function") {
    plugins.push(GraphiQLPluginExplorer.explorerPlugin());
  }

  var reactRoot = ReactDOM.createRoot(root);
  function render() {
    var props = {
      fetcher: fetcher,
      query: config.exampleQuery,
      plugins: plugins,
      shouldPersistHeaders: false
    };
    if (demo) {
      props.headers = headersText;
      props.defaultEditorToolsVisibility = "headers";
    }
    reactRoot.render(React.createElement(GraphiQL, props));
  }

  if (demo) {
    personaSelect.addEventListener("change", applySelection);
    assuranceSelect.addEventListener("change", applySelection);
    document.getElementById("demo-bar").addEventListener("submit", function (event) {
      event.preventDefault();
    });
    applySelection();  // the first persona: its token is requested before GraphiQL can run anything
  }
  render();"""
