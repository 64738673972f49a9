// Apollo Client's and urql's automatic-persisted-query links against the gateway, unchanged.
// Usage: node apq_clients.mjs <graphql endpoint> <bearer token>
// Prints JSON: what each client got for two queries (the first of each a miss the link retries,
// the second a hit), and the requests each link sent (hash-only or with the document).
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client/core/index.js";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries/index.js";
import { Client, fetchExchange, gql as urqlGql } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";

const [endpoint, token] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

function recordingFetch(log) {
  return async (url, init = {}) => {
    const body = init.body ? JSON.parse(init.body) : Object.fromEntries(new URL(url).searchParams);
    log.push({ method: init.method || "GET", withDocument: Boolean(body.query) });
    return fetch(url, init);
  };
}

async function apollo() {
  const sent = [];
  const client = new ApolloClient({
    link: createPersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: endpoint, headers, fetch: recordingFetch(sent) })),
    cache: new InMemoryCache(),
  });
  const query = gql`query ApolloApq { viewer { person { name { full } } } }`;
  const first = await client.query({ query, fetchPolicy: "network-only" });
  const second = await client.query({ query, fetchPolicy: "network-only" });
  return { data: [first.data, second.data], sent };
}

async function urql() {
  const sent = [];
  const client = new Client({
    url: endpoint,
    fetch: recordingFetch(sent),
    fetchOptions: { headers },
    exchanges: [persistedExchange({ preferGetForPersistedQueries: true }), fetchExchange],
  });
  const query = urqlGql`query UrqlApq { viewer { id } }`;
  const first = await client.query(query, {}, { requestPolicy: "network-only" }).toPromise();
  const second = await client.query(query, {}, { requestPolicy: "network-only" }).toPromise();
  const errors = [first.error, second.error].filter(Boolean).map(String);
  return { data: [first.data, second.data], sent, errors };
}

console.log(JSON.stringify({ apollo: await apollo(), urql: await urql() }));
