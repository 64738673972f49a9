import { useEffect, useRef, useState } from "react";
import { useMutation, useQuery, useSubscription, type CombinedError } from "urql";
import { Field, Hidden, Send, Unavailable, sendFailure, useAttempt } from "./common";
import { Overview } from "./contacts";
import type { InboxQuery as InboxData } from "./gql/graphql";
import { ArchiveThread, InboxEvents, InboxQuery, MarkThreadRead, ReplyToThread, ThreadQuery, UnarchiveThread } from "./operations";
import { CATEGORIES, denial, fieldErrors, fileSize } from "./wording";

type Threads = NonNullable<NonNullable<InboxData["person"]>["threads"]>;

/** The threads, newest first, 20 a page, in the inbox or the archive; or the thread opened. */
export function Inbox(props: { person: string; open: string | null; onOpen: (thread: string | null) => void }) {
  const [archived, setArchived] = useState(false);
  // The cursors of the pages after the first, one for each "Vis flere".
  const [later, setLater] = useState<string[]>([]);
  // Back from a thread, the keyboard focus returns to it in the list.
  const [returnTo, setReturnTo] = useState<string | null>(null);
  if (props.open) {
    const thread = props.open;
    const back = () => {
      setReturnTo(thread);
      props.onOpen(null);
    };
    return <ThreadView person={props.person} thread={thread} onBack={back} />;
  }
  const show = (archive: boolean) => {
    setArchived(archive);
    setLater([]);
  };
  const more = (cursor: string) => setLater([...later, cursor]);
  const list = { person: props.person, archived, returnTo, onOpen: props.onOpen };
  // The heading and the buttons stay as the list changes (the keyboard focus stays on the button pressed);
  // the list below them is new for the inbox and for the archive.
  return (
    <>
      <h2 id="inbox-heading">{archived ? "Arkiv" : "Meldinger"}</h2>
      <div role="group" aria-label="Vis" className="tabs">
        <button type="button" aria-pressed={!archived} onClick={() => show(false)}>
          Innboks
        </button>
        <button type="button" aria-pressed={archived} onClick={() => show(true)}>
          Arkiv
        </button>
      </div>
      <FirstPage key={archived ? "archive" : "inbox"} {...list} last={later.length === 0} onMore={more}>
        {later.map((after, n) => (
          <LaterPage key={after} {...list} after={after} last={n === later.length - 1} onMore={more} />
        ))}
      </FirstPage>
    </>
  );
}

type ListProps = {
  person: string;
  archived: boolean;
  returnTo: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
  onOpen: (thread: string) => void;
};

/** The first page of threads, then the later ones (`children`); with the inbox (not the archive), in the same
 * request, the next appointments and the health contacts: two deferred fragments, so the threads show as soon
 * as the message store has answered, and each slow part fills in when its source answers (src/contacts.tsx). */
function FirstPage(props: ListProps & { children: React.ReactNode }) {
  const overview = !props.archived;
  const [{ data, error, fetching, hasNext }] = useQuery({
    query: InboxQuery,
    variables: { person: props.person, after: null, archived: props.archived, overview },
  });
  const person = data?.person;
  return (
    <>
      <section aria-labelledby="inbox-heading">
        {fetching && !data ? <p>Laster …</p> : <ThreadList {...props} first threads={person?.threads} error={error} />}
        {props.children}
      </section>
      {overview && person && <Overview person={person} pending={hasNext} error={error} />}
    </>
  );
}

function LaterPage(props: ListProps & { after: string }) {
  const [{ data, error, fetching }] = useQuery({
    query: InboxQuery,
    variables: { person: props.person, after: props.after, archived: props.archived, overview: false },
  });
  if (fetching && !data) return <p>Laster …</p>;
  return <ThreadList {...props} first={false} threads={data?.person?.threads} error={error} />;
}

function ThreadList(props: ListProps & { first: boolean; threads: Threads | null | undefined; error: CombinedError | undefined }) {
  const { threads, first } = props;
  if (!threads) return <Unavailable error={props.error} path={["person", "threads"]} otherwise="Meldingene er ikke tilgjengelige." />;
  return (
    <>
      {first && <Hidden count={threads.hiddenCount} what="meldinger" />}
      {first && threads.totalCount === 0 && <p>{props.archived ? "Arkivet er tomt." : "Ingen meldinger."}</p>}
      <ul className="threads">
        {threads.nodes.map((t) => (
          <li key={t.id} data-thread={t.id}>
            <button type="button" className="link" autoFocus={t.id === props.returnTo} onClick={() => props.onOpen(t.id)}>
              {t.subject}
            </button>{" "}
            <span>{t.counterpart?.name ?? ""}</span>
            <span className="category">{CATEGORIES[t.category] ?? t.category}</span>
            {t.unreadCount > 0 && <span className="unread"> ({t.unreadCount} ulest)</span>}
            <time dateTime={t.lastMessageAt}>{new Date(t.lastMessageAt).toLocaleDateString("nb-NO")}</time>
          </li>
        ))}
      </ul>
      {props.last && threads.pageInfo.hasNextPage && threads.pageInfo.endCursor && (
        <button type="button" onClick={() => props.onMore(threads.pageInfo.endCursor!)}>
          Vis flere
        </button>
      )}
      {first && <p className="count">{threads.totalCount} meldingstråder</p>}
    </>
  );
}

function ThreadView(props: { person: string; thread: string; onBack: () => void }) {
  const [{ data, error, fetching }] = useQuery({
    query: ThreadQuery,
    variables: { person: props.person, thread: props.thread },
  });
  const [, markRead] = useMutation(MarkThreadRead);
  const heading = useRef<HTMLHeadingElement>(null);
  const thread = data?.person?.thread;
  const unread = thread?.unreadCount ?? 0;
  useEffect(() => {
    // Opening a thread reads it: the inbox's unread counts follow (the cache updates the Thread entity).
    if (unread > 0) markRead({ input: { personId: props.person, threadId: props.thread } });
  }, [unread, props.person, props.thread, markRead]);
  const loaded = Boolean(thread);
  useEffect(() => {
    // A keyboard or screen-reader user lands on what opened, not at the top of the page.
    if (loaded) heading.current?.focus();
  }, [loaded]);
  if (fetching && !data) return <p>Laster …</p>;
  if (!thread) return <Unavailable error={error} otherwise="Tråden finnes ikke." />;
  return (
    <article aria-labelledby="thread-heading">
      <button type="button" onClick={props.onBack}>
        Tilbake til innboksen
      </button>
      <h2 id="thread-heading" tabIndex={-1} ref={heading}>
        {thread.subject}
      </h2>
      <p>{thread.counterpart?.name}</p>
      <Archive person={props.person} thread={props.thread} archived={thread.archived} onDone={props.onBack} />
      <Hidden count={thread.messages.hiddenCount} what="meldinger" />
      <ol className="messages">
        {thread.messages.nodes.map((m) => (
          <li key={m.id} className={m.direction === "OUT" ? "out" : "in"}>
            <p>{m.body}</p>
            {m.attachments.length > 0 && (
              <ul aria-label="Vedlegg" className="attachments">
                {m.attachments.map((a) => (
                  <li key={a.id}>
                    {a.name} <span>({a.contentType}, {fileSize(a.size)})</span>
                  </li>
                ))}
              </ul>
            )}
            {m.hiddenAttachmentCount > 0 && (
              <p role="note" className="hidden-attachments">
                {m.hiddenAttachmentCount} vedlegg vises ikke.
              </p>
            )}
            <time dateTime={m.sentAt}>{new Date(m.sentAt).toLocaleString("nb-NO")}</time>
          </li>
        ))}
      </ol>
      {!thread.archived && <Reply person={props.person} thread={props.thread} />}
    </article>
  );
}

function Archive(props: { person: string; thread: string; archived: boolean; onDone: () => void }) {
  const [archiveState, archive] = useMutation(ArchiveThread);
  const [unarchiveState, unarchive] = useMutation(UnarchiveThread);
  const [failure, setFailure] = useState<string>("");
  async function move() {
    const input = { personId: props.person, threadId: props.thread };
    const result = props.archived ? await unarchive({ input }) : await archive({ input });
    if (result.error) setFailure(denial(result.error.graphQLErrors) ?? "Det gikk ikke. Prøv igjen.");
    else props.onDone();
  }
  return (
    <>
      <button type="button" onClick={move} disabled={archiveState.fetching || unarchiveState.fetching}>
        {props.archived ? "Flytt til innboksen" : "Arkiver"}
      </button>
      {failure && <p role="alert">{failure}</p>}
    </>
  );
}

function Reply(props: { person: string; thread: string }) {
  const [body, setBody] = useState("");
  const [attempt, nextAttempt] = useAttempt();
  const [state, reply] = useMutation(ReplyToThread);
  const [status, setStatus] = useState<string>("");
  const errors = fieldErrors(state.data?.replyToThread.userErrors);

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setStatus("Sender …");
    const result = await reply({ input: { personId: props.person, threadId: props.thread, body, idempotencyKey: attempt } });
    if (result.error) return setStatus(sendFailure(result.error));
    if (result.data?.replyToThread.message) {
      setStatus("Svaret er sendt.");
      setBody("");
      nextAttempt(); // a new text is a new attempt
    } else {
      setStatus(fieldErrors(result.data?.replyToThread.userErrors)[""] ?? "Svaret ble ikke sendt: rett det som er merket.");
    }
  }

  return (
    <form onSubmit={send} aria-labelledby="reply-heading">
      <h3 id="reply-heading">Svar</h3>
      <Field id="reply-body" label="Melding" value={body} onChange={setBody} error={errors["input.body"]} multiline />
      <Send label="Send svar" busy={state.fetching} status={status} statusId="reply-status" />
    </form>
  );
}

/** Live updates of the person's inbox (graphql-ws): the lists refetch themselves (src/client.ts); this
 * says what arrived, and when the stream ended because a right ended, why. */
export function LiveUpdates({ person }: { person: string }) {
  const [{ data, error }] = useSubscription({ query: InboxEvents, variables: { person } });
  const event = data?.inboxEvents;
  let text = "";
  if (error) text = `Nye meldinger vises ikke lenger automatisk: ${denial(error.graphQLErrors) ?? "forbindelsen ble brutt."}`;
  else if (event?.kind === "NEW_MESSAGE" && event.thread) text = `Ny melding i «${event.thread.subject}».`;
  return (
    <p role="status" id="live" className={error ? "live ended" : "live"}>
      {text}
    </p>
  );
}
