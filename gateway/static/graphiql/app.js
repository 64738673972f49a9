// The gateway's GraphiQL page (page.html). Plain ES5-style JavaScript against the UMD globals React,
// ReactDOM, GraphiQL (graphiql 3.8.x) and GraphiQLPluginExplorer, so the page needs no build step. No
// eval, no inline script, no inline event handlers: the server writes data into the page, never code.
//
// In demo mode a bar above the editor picks a persona and an assurance level; this script fetches a
// token for them from the gateway's demo issuer and puts it in GraphiQL's headers editor, so Run
// shows that persona's data with no set-up.
(function () {
  "use strict";

  var root = document.getElementById("graphiql");
  // The server writes the configuration as JSON data, never as script, so nothing in it can run.
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
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

  // A newer request may replace `pending` while we wait, so wait again until nothing is in flight.
  function settled() {
    var waitFor = pending;
    return waitFor ? waitFor.then(settled) : Promise.resolve();
  }

  // GraphiQL handed over the headers as they were when Run was pressed, before the new token
  // arrived: replace whatever Authorization they carry with the one the persona bar set.
  function withAuth(opts) {
    var headers = {};
    var given = (opts && opts.headers) || {};
    Object.keys(given).forEach(function (key) {
      if (key.toLowerCase() !== "authorization") headers[key] = given[key];
    });
    if (auth) Object.keys(auth).forEach(function (key) { headers[key] = auth[key]; });
    return Object.assign({}, opts, { headers: headers });
  }

  // Requests normally use the headers editor as it is, so a user's own edits there win. A request
  // started while a token was still being fetched (page load, persona just changed) waits for it and
  // carries the new token.
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

  // The option reads "Name (id) – note"; the status line names the person only.
  function selectedName() {
    var option = personaSelect.options[personaSelect.selectedIndex];
    return option ? option.textContent.split(" (")[0] : "";
  }

  function applySelection() {
    var pid = personaSelect.value;
    var acr = assuranceSelect.value;
    // Answers can arrive out of order when the user switches quickly: only the latest may apply.
    var mine = ++sequence;
    assuranceSelect.disabled = !pid;
    if (!pid) {
      pending = null;
      setAuth(null);
      setStatus("No token: only introspection and __typename answer.");
      return;
    }
    var name = selectedName();
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
      // A token in localStorage would outlive the demo session and leak to the next persona.
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
    // Enter in a select would submit the form and reload the page, losing the editors' contents.
    document.getElementById("demo-bar").addEventListener("submit", function (event) {
      event.preventDefault();
    });
    applySelection(); // the first persona: its token is requested before GraphiQL can run anything
  }
  render();
})();
