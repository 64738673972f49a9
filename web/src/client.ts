import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { persistedExchange } from "@urql/exchange-persisted";
import { createClient as createWsClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";

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

/** The app's GraphQL client for one signed-in viewer: a normalised cache, queries and mutations sent by
 * their hash in the trusted-documents manifest (never as text), subscriptions over graphql-ws. */
export function createClient(token: string): Client {
  const ws = createWsClient({
    url: new URL("/graphql", window.location.href).href.replace(/^http/, "ws"),
    connectionParams: { Authorization: `Bearer ${token}` },
  });
  return new Client({
    url: "/graphql",
    fetchOptions: { headers: { Authorization: `Bearer ${token}` } },
    exchanges: [
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
