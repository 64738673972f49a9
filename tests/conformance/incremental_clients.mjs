// Apollo Client's and urql's reading of answers in parts (@defer, @stream) against the gateway, unchanged:
// their own fetch, their own multipart/mixed and Server-Sent Events parsing, their own merging.
// Usage: node incremental_clients.mjs <graphql endpoint> <bearer token>
// Prints JSON: for each client, every result it emitted (whether more was to come, which fields it had,
// its errors) and its final data, beside the data of the same query without the directives.
import { ApolloClient, HttpLink, InMemoryCache, execute, gql } from "@apollo/client/core/index.js";
import { mergeIncrementalData } from "@apollo/client/utilities/index.js";
import { Client, fetchExchange, gql as urqlGql } from "@urql/core";

const [endpoint, token] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };

const PAGE = `query Page { viewer { person {
  name { full }
  threads(first: 3) { nodes { subject } }
  ... @defer(label: "slow") { appointments(first: 3) { nodes { title } } healthContacts { name } }
} } }`;
const STREAMED = `query Streamed { viewer { person {
  threads(first: 3) { nodes @stream(initialCount: 1, label: "more") { subject } }
} } }`;
const plain = (document) => document.replace(/ @defer\([^)]*\)/g, "").replace(/ @stream\([^)]*\)/g, "");

const fieldsOf = (data) => Object.keys(data?.viewer?.person ?? {}).sort();
const errorsOf = (errors) => (errors ?? []).map((e) => ({ path: e.path, code: e.extensions?.code }));

/** Apollo Client 3: the parts as its HttpLink reads them (each patch, merged by its own
 * mergeIncrementalData), and the query through the client. */
async function apollo(document) {
  const link = new HttpLink({ uri: endpoint, headers, fetch });
  const emitted = [];
  let data;
  await new Promise((resolve, reject) => {
    execute(link, { query: gql(document) }).subscribe({
      next: (result) => {
        // The first part has the data; each later one is merged in as Apollo Client's QueryManager does.
        data = "data" in result ? result.data : mergeIncrementalData(data, result);
        const errors = [...(result.errors ?? []), ...(result.incremental ?? []).flatMap((i) => i.errors ?? [])];
        emitted.push({ hasNext: result.hasNext, fields: fieldsOf(data), errors: errorsOf(errors) });
      },
      error: reject,
      complete: resolve,
    });
  });
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const whole = await client.query({ query: gql(plain(document)), fetchPolicy: "network-only", errorPolicy: "all" });
  return { emitted, final: data, plain: whole.data }; // (the client's own query adds __typename)
}

/** urql: each result its client emits for the query (network-only), until one says nothing more comes. */
async function urql(document, accept) {
  const client = new Client({
    url: endpoint,
    exchanges: [fetchExchange],
    fetchOptions: accept ? { headers: { ...headers, Accept: accept } } : { headers },
  });
  const emitted = [];
  const final = await new Promise((resolve) => {
    const { unsubscribe } = client.query(urqlGql(document), {}, { requestPolicy: "network-only" }).subscribe((result) => {
      emitted.push({ hasNext: result.hasNext, fields: fieldsOf(result.data), errors: errorsOf(result.error?.graphQLErrors) });
      if (!result.hasNext) {
        setTimeout(() => unsubscribe());
        resolve(result.data);
      }
    });
  });
  const whole = await client.query(urqlGql(plain(document)), {}, { requestPolicy: "network-only" }).toPromise();
  return { emitted, final, plain: whole.data };
}

console.log(
  JSON.stringify({
    apollo: await apollo(PAGE),
    urql: await urql(PAGE), // its own Accept: Server-Sent Events
    urqlMultipart: await urql(PAGE, "multipart/mixed"),
    urqlStream: await urql(STREAMED),
  }),
);
