// What Apollo Client 3 and urql, unchanged, make of the gateway's answers in parts (@defer, @stream):
// their own fetch, multipart/mixed and Server-Sent Events parsing, and their own merging (Apollo
// Client's QueryManager and InMemoryCache, urql's fetchExchange); nothing here merges a part itself.
// Usage: node incremental_clients.mjs <graphql endpoint> <bearer token> page|streamed
// Prints JSON: for each reader, every result it emitted (data, errors, hasNext where the client tells
// it) and, for the clients, the final result.
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, Observable, gql } from "@apollo/client/core/index.js";
import { Client, fetchExchange, gql as urqlGql } from "@urql/core";

const [endpoint, token, which] = process.argv.slice(2);
const headers = { Authorization: `Bearer ${token}` };

const PAGE = `query Page { viewer { person { name { full } threads(first: 3) { nodes { subject } } ... @defer(label: "slow") { appointments(first: 3) { nodes { title } } healthContacts { name } } } } }`;
const STREAMED = `query Streamed { viewer { person { threads(first: 3) { nodes @stream(initialCount: 1) { subject } } } } }`;

const errorsOf = (errors) =>
  (errors ?? []).map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code }));

/** Apollo Client 3's HttpLink alone: each patch as the link reads it off the wire (not merged). */
async function apolloLink(document) {
  const link = new HttpLink({ uri: endpoint, headers, fetch });
  const emitted = [];
  await new Promise((resolve, reject) => {
    ApolloLink.execute(link, { query: gql(document) }).subscribe({ next: (patch) => emitted.push(patch), error: reject, complete: resolve });
  });
  return { emitted };
}

/** A link that tells when the HttpLink's observable completed (the last part read). */
function finishingLink(onComplete) {
  const http = new HttpLink({ uri: endpoint, headers, fetch });
  return new ApolloLink(
    (operation) =>
      new Observable((observer) => {
        const subscription = http.request(operation).subscribe({
          next: (value) => observer.next(value),
          error: (error) => observer.error(error),
          complete: () => {
            observer.complete();
            onComplete();
          },
        });
        return () => subscription.unsubscribe();
      }),
  );
}

/** Apollo Client 3 itself: client.watchQuery's results (each part merged by its QueryManager into
 * InMemoryCache), then client.query's (resolved once the last part is in). */
async function apolloClient(document) {
  let linkDone;
  const finished = new Promise((resolve) => (linkDone = resolve));
  const client = new ApolloClient({ link: finishingLink(() => linkDone()), cache: new InMemoryCache() });
  const options = { query: gql(document), fetchPolicy: "network-only", errorPolicy: "all" };
  const watched = [];
  const subscription = client.watchQuery(options).subscribe({
    next: (result) => watched.push({ data: result.data, errors: errorsOf(result.errors), loading: result.loading }),
    error: (error) => watched.push({ thrown: String(error) }),
  });
  await finished;
  await new Promise((resolve) => setTimeout(resolve, 50)); // the last result is emitted after the link completes
  subscription.unsubscribe();
  // A client of its own, its cache empty: its result is the parts' merging alone.
  const fresh = new ApolloClient({ link: new HttpLink({ uri: endpoint, headers, fetch }), cache: new InMemoryCache() });
  const queried = await fresh.query(options);
  return { watched, query: { data: queried.data, errors: errorsOf(queried.errors) } };
}

/** urql's Client with fetchExchange: each result it emits (network-only) until one says nothing more comes.
 * `accept`: replaces urql's own Accept (which names text/event-stream before multipart/mixed). */
async function urql(document, accept) {
  const client = new Client({
    url: endpoint,
    exchanges: [fetchExchange],
    fetchOptions: { headers: accept ? { ...headers, Accept: accept } : headers },
  });
  const emitted = [];
  await new Promise((resolve) => {
    const { unsubscribe } = client.query(urqlGql(document), {}, { requestPolicy: "network-only" }).subscribe((result) => {
      emitted.push({
        data: result.data,
        errors: errorsOf(result.error?.graphQLErrors),
        networkError: result.error?.networkError ? String(result.error.networkError) : null,
        hasNext: result.hasNext,
      });
      if (!result.hasNext) {
        setTimeout(() => unsubscribe());
        resolve();
      }
    });
  });
  return { emitted };
}

const readers = {
  page: async () => ({
    apolloLink: await apolloLink(PAGE),
    apolloClient: await apolloClient(PAGE),
    urqlEventStream: await urql(PAGE), // urql's own Accept: it gets Server-Sent Events
    urqlMultipart: await urql(PAGE, "multipart/mixed"),
  }),
  // Apollo Client 3 reads no @stream: its HttpLink asks for deferSpec=20220824 and its merging
  // (mergeIncrementalData) applies only `data` entries, never `items`; @stream is Apollo Client 4's.
  streamed: async () => ({
    urqlStreamEventStream: await urql(STREAMED),
    urqlStreamMultipart: await urql(STREAMED, "multipart/mixed"),
  }),
};
if (!(which in readers)) throw new Error(`the third argument is page or streamed, not ${which}`);
console.log(JSON.stringify({ documents: { page: PAGE, streamed: STREAMED }, ...(await readers[which]()) }));
