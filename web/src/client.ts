import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createWsClient } from "graphql-ws";
import { Client, fetchExchange, mapExchange, subscriptionExchange, type Exchange } from "urql";
import { onPush, pipe } from "wonka";

// Objects without an id of their own: kept inside their parent, not as entities.
const EMBEDDED = [
  "AppointmentConnection",
  "InboxEvent",
  "Location",
  "MessageConnection",
  "PageInfo",
  "PersonName",
  "ReplyToThreadPayload",
  "Representation",
  "SendMessagePayload",
  "ThreadConnection",
  "ThreadPayload",
  "UserError",
];

/** Which of the person's thread lists (and the thread's messages) to ask for again: anything that adds a
 * message or moves a thread changes the order and contents of the lists, which a normalised cache cannot
 * work out by itself. Changes to one thread (read, archived) update the Thread entity in place. */
function refetchThreads(cache: Cache, personId: string, threadId?: string): void {
  const person = { __typename: "Person", id: personId };
  for (const field of cache.inspectFields(person)) {
    if (field.fieldName === "threads") cache.invalidate(person, field.fieldName, field.arguments);
  }
  if (threadId) {
    const thread = { __typename: "Thread", id: threadId };
    for (const field of cache.inspectFields(thread)) {
      if (field.fieldName === "messages") cache.invalidate(thread, field.fieldName, field.arguments);
    }
  }
}

type ThreadInput = { input: { personId: string; threadId?: string } };

/** The two exchanges that let a query whose deferred parts the cache lacks fetch them.
 *
 * graphcache answers such a query from the cache with what it has, marked `hasNext` (the deferred parts
 * are to come), and asks for the query again, network-only. But urql's Client takes a result with `hasNext`
 * to mean that the request it has sent is still answering, and drops a request of the same operation that
 * follows, unless the result is `stale`. When no request is under way (the part failed and the cache keeps
 * no field that came with an error; or the page that asked for it was left before it came, which ends its
 * request), the page would say "Laster …" for ever. `before` (in front of graphcache) marks such a result
 * from the cache `stale` when no request of its operation is under way, and the Client sends graphcache's
 * request; `after` (between graphcache and the network) keeps count of the requests under way. While one is,
 * nothing changes: its later parts fill the page. */
function deferredFromTheCache(): { before: Exchange; after: Exchange } {
  const underway = new Set<number>(); // the keys of the queries sent and not yet answered in full
  const after: Exchange = ({ forward }) => (operations$) =>
    pipe(
      operations$,
      onPush((operation) => {
        if (operation.kind === "query") underway.add(operation.key);
        else if (operation.kind === "teardown") underway.delete(operation.key);
      }),
      forward,
      onPush((result) => {
        if (!result.hasNext) underway.delete(result.operation.key);
      }),
    );
  const before = mapExchange({
    onResult: (result) =>
      result.operation.kind === "query" && result.hasNext && !result.stale && !underway.has(result.operation.key)
        ? { ...result, stale: true }
        : result,
  });
  return { before, after };
}

/** The app's GraphQL client for one signed-in viewer: a normalised cache, queries and mutations sent by
 * their hash in the trusted-documents manifest (never as text), subscriptions over graphql-ws. */
export function createClient(token: string): Client {
  const ws = createWsClient({
    url: new URL("/graphql", window.location.href).href.replace(/^http/, "ws"),
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  const deferred = deferredFromTheCache();
  return new Client({
    url: "/graphql",
    fetchOptions: { headers: { Authorization: `Bearer ${token}` } },
    exchanges: [
      deferred.before,
      cacheExchange({
        keys: Object.fromEntries(EMBEDDED.map((name) => [name, () => null])),
        updates: {
          Mutation: {
            archiveThread: (_result, args, cache) => refetchThreads(cache, (args as ThreadInput).input.personId),
            unarchiveThread: (_result, args, cache) => refetchThreads(cache, (args as ThreadInput).input.personId),
            sendMessage: (_result, args, cache) => refetchThreads(cache, (args as ThreadInput).input.personId),
            replyToThread: (_result, args, cache) => {
              const { personId, threadId } = (args as ThreadInput).input;
              refetchThreads(cache, personId, threadId);
            },
          },
          Subscription: {
            inboxEvents: (result, args, cache) => {
              const event = result.inboxEvents as { thread?: { id: string } | null } | undefined;
              refetchThreads(cache, String(args.personId), event?.thread?.id);
            },
          },
        },
      }),
      deferred.after,
      // The client preset put each document's manifest hash in `__meta__.hash`: send that, never the text.
      persistedExchange({
        enforcePersistedQueries: true,
        enableForMutation: true,
        generateHash: async (_query, document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? "",
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || "" };
          return { subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }) };
        },
      }),
    ],
  });
}
