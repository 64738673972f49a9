import { useEffect, useMemo, useState } from "react";
import { Client, type CombinedError, Provider, cacheExchange, fetchExchange, useMutation, useQuery } from "urql";
import {
  AppointmentsQuery,
  ContactsQuery,
  InboxQuery,
  MarkThreadRead,
  ReplyToThread,
  ThreadQuery,
  ViewerQuery,
} from "./operations";
import { BASIS, KINDS, denial, yearsOld } from "./wording";

type Persona = { pid: string; name: string; note: string };

function client(token: string): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: { headers: { Authorization: `Bearer ${token}` } },
  });
}

export function App() {
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [pid, setPid] = useState<string>("");
  const [token, setToken] = useState<string | null>(null);

  useEffect(() => {
    fetch("/demo/personas").then((r) => r.json()).then(setPersonas);
  }, []);
  useEffect(() => {
    if (!pid) return setToken(null);
    fetch("/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pid }) })
      .then((r) => r.json())
      .then((body) => setToken(body.access_token));
  }, [pid]);
  const urql = useMemo(() => (token ? client(token) : null), [token]);

  return (
    <>
      <header>
        <h1>Innboks</h1>
        <label htmlFor="persona">Logg inn som (demo)</label>
        <select id="persona" value={pid} onChange={(e) => setPid(e.target.value)}>
          <option value="">Velg person</option>
          {personas.map((p) => (
            <option key={p.pid} value={p.pid}>
              {p.name}
            </option>
          ))}
        </select>
      </header>
      <main>{urql ? <Provider value={urql}><Signed /></Provider> : <p>Velg en person for å logge inn.</p>}</main>
    </>
  );
}

function Signed() {
  const [{ data, error, fetching }] = useQuery({ query: ViewerQuery });
  const [subject, setSubject] = useState<string>("");
  if (fetching) return <p>Laster …</p>;
  const refused = denial(error?.graphQLErrors);
  if (refused || !data) return <p role="alert">{refused}</p>;
  const choices = data.viewer.representations;
  const chosen = choices.find((r) => r.person.id === subject) ?? choices[0];
  if (!chosen) return <p role="alert">Du kan ikke bruke Innboks.</p>;
  const age = yearsOld(chosen.person.birthDate);
  return (
    <>
      <nav aria-label="Hvem du representerer">
        <label htmlFor="subject">Representer</label>
        <select id="subject" value={chosen.person.id} onChange={(e) => setSubject(e.target.value)}>
          {choices.map((r) => (
            <option key={r.person.id} value={r.person.id}>
              {r.person.name.full} ({BASIS[r.basis] ?? r.basis})
            </option>
          ))}
        </select>
        <p id="acting-for">
          {chosen.basis === "SELF"
            ? `Du er logget inn som ${chosen.person.name.full}`
            : `Du representerer ${chosen.person.name.full.split(" ")[0]} (${age} år)`}
        </p>
      </nav>
      <Sections person={chosen.person.id} key={chosen.person.id} />
    </>
  );
}

const SECTIONS = { inbox: "Meldinger", appointments: "Timeavtaler", contacts: "Helsekontakter" } as const;
type Section = keyof typeof SECTIONS;

/** The notice that the rules withhold some items, with how many ("hiddenCount"). */
function Hidden({ count, what }: { count: number; what: string }) {
  if (count <= 0) return null;
  return (
    <p role="note" className="notice">
      Ikke alle {what} vil være tilgjengelige: {count} vises ikke.
    </p>
  );
}

/** Why a part of the page is missing: the denial's reason in words, else `otherwise`. */
function Unavailable({ error, otherwise }: { error: CombinedError | undefined; otherwise: string }) {
  return <p role="alert">{denial(error?.graphQLErrors) ?? otherwise}</p>;
}

function Sections({ person }: { person: string }) {
  const [section, setSection] = useState<Section>("inbox");
  return (
    <>
      <div role="group" aria-label="Velg tjeneste" className="tabs">
        {(Object.keys(SECTIONS) as Section[]).map((s) => (
          <button key={s} type="button" aria-pressed={section === s} onClick={() => setSection(s)}>
            {SECTIONS[s]}
          </button>
        ))}
      </div>
      {section === "inbox" && <Inbox person={person} />}
      {section === "appointments" && <Appointments person={person} />}
      {section === "contacts" && <Contacts person={person} />}
    </>
  );
}

function Appointments({ person }: { person: string }) {
  const [{ data, error, fetching }] = useQuery({ query: AppointmentsQuery, variables: { person } });
  if (fetching) return <p>Laster …</p>;
  const appointments = data?.person?.appointments;
  if (!appointments) return <Unavailable error={error} otherwise="Timeavtalene er ikke tilgjengelige." />;
  return (
    <section aria-labelledby="appointments-heading">
      <h2 id="appointments-heading">Timeavtaler</h2>
      <Hidden count={appointments.hiddenCount} what="timeavtaler" />
      <ul className="threads">
        {appointments.nodes.map((a) => (
          <li key={a.id} data-appointment={a.id} data-kind={a.serviceKind}>
            <strong>{a.title}</strong> <time dateTime={a.start}>{new Date(a.start).toLocaleString("nb-NO")}</time>
            <span>{[a.location?.name, a.practitioner?.name].filter(Boolean).join(", ")}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Contacts({ person }: { person: string }) {
  const [{ data, error, fetching }] = useQuery({ query: ContactsQuery, variables: { person } });
  if (fetching) return <p>Laster …</p>;
  const contacts = data?.person?.healthContacts;
  if (!contacts) return <Unavailable error={error} otherwise="Helsekontaktene er ikke tilgjengelige." />;
  return (
    <section aria-labelledby="contacts-heading">
      <h2 id="contacts-heading">Helsekontakter</h2>
      <ul className="threads">
        {contacts.map((c) => (
          <li key={c.id} data-contact={c.id} data-kind={c.serviceKind}>
            <strong>{c.name}</strong> <span>{KINDS[c.serviceKind] ?? c.serviceKind}</span>
            {c.organization && <span>{c.organization}</span>}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Inbox({ person }: { person: string }) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const [open, setOpen] = useState<string | null>(null);
  if (open) return <ThreadView person={person} thread={open} onBack={() => setOpen(null)} />;
  return (
    <section aria-labelledby="inbox-heading">
      <h2 id="inbox-heading">Meldinger</h2>
      {pages.map((after, n) => (
        <InboxPage
          key={after ?? "first"}
          person={person}
          after={after}
          last={n === pages.length - 1}
          onMore={(cursor) => setPages([...pages, cursor])}
          onOpen={setOpen}
        />
      ))}
    </section>
  );
}

function InboxPage(props: {
  person: string;
  after: string | null;
  last: boolean;
  onMore: (cursor: string) => void;
  onOpen: (thread: string) => void;
}) {
  const [{ data, error, fetching }] = useQuery({ query: InboxQuery, variables: { person: props.person, after: props.after } });
  if (fetching) return <p>Laster …</p>;
  const threads = data?.person?.threads;
  if (!threads) return <Unavailable error={error} otherwise="Meldingene er ikke tilgjengelige." />;
  return (
    <>
      {props.after === null && <Hidden count={threads.hiddenCount} what="meldinger" />}
      <ul className="threads">
        {threads.nodes.map((t) => (
          <li key={t.id} data-thread={t.id}>
            <button type="button" className="link" onClick={() => props.onOpen(t.id)}>
              {t.subject}
            </button>{" "}
            <span>{t.counterpart?.name ?? ""}</span>
            {t.unreadCount > 0 && <span className="unread"> ({t.unreadCount} ulest)</span>}
          </li>
        ))}
      </ul>
      {props.last && threads.pageInfo.hasNextPage && threads.pageInfo.endCursor && (
        <button type="button" onClick={() => props.onMore(threads.pageInfo.endCursor!)}>
          Vis flere
        </button>
      )}
      {props.after === null && <p className="count">{threads.totalCount} meldingstråder</p>}
    </>
  );
}

function ThreadView(props: { person: string; thread: string; onBack: () => void }) {
  const [{ data, error, fetching }] = useQuery({
    query: ThreadQuery,
    variables: { person: props.person, thread: props.thread },
  });
  const [, markRead] = useMutation(MarkThreadRead);
  const unread = data?.person?.thread?.unreadCount ?? 0;
  useEffect(() => {
    // Opening a thread reads it: the inbox's unread counts follow (the mutation names the Thread).
    if (unread > 0) markRead({ input: { personId: props.person, threadId: props.thread } });
  }, [unread, props.person, props.thread, markRead]);
  if (fetching) return <p>Laster …</p>;
  const thread = data?.person?.thread;
  if (!thread) return <Unavailable error={error} otherwise="Tråden finnes ikke." />;
  return (
    <article aria-labelledby="thread-heading">
      <button type="button" onClick={props.onBack}>
        Tilbake til innboksen
      </button>
      <h2 id="thread-heading">{thread.subject}</h2>
      <p>{thread.counterpart?.name}</p>
      <Hidden count={thread.messages.hiddenCount} what="meldinger" />
      <ol className="messages">
        {thread.messages.nodes.map((m) => (
          <li key={m.id} className={m.direction === "OUT" ? "out" : "in"}>
            <p>{m.body}</p>
            {m.attachments.length > 0 && (
              <ul aria-label="Vedlegg">
                {m.attachments.map((a) => (
                  <li key={a.id}>{a.name}</li>
                ))}
              </ul>
            )}
            {m.hiddenAttachmentCount > 0 && <p className="hidden-attachments">{m.hiddenAttachmentCount} vedlegg vises ikke.</p>}
            <time dateTime={m.sentAt}>{new Date(m.sentAt).toLocaleString("nb-NO")}</time>
          </li>
        ))}
      </ol>
      <Reply person={props.person} thread={props.thread} />
    </article>
  );
}

function Reply(props: { person: string; thread: string }) {
  const [body, setBody] = useState("");
  // One key per attempt to send this text: a retry after a network error sends the same key, so the
  // message store answers with the first result and never stores the message twice.
  const [attempt, setAttempt] = useState<string>(() => crypto.randomUUID());
  const [state, reply] = useMutation(ReplyToThread);
  const [status, setStatus] = useState<string>("");
  const errors = state.data?.replyToThread.userErrors ?? [];
  const bodyError = errors.find((e) => e.field?.join(".") === "input.body");

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setStatus("Sender …");
    const result = await reply({ input: { personId: props.person, threadId: props.thread, body, idempotencyKey: attempt } });
    if (result.error) {
      setStatus(denial(result.error.graphQLErrors) ?? "Svaret ble kanskje ikke sendt. Prøv igjen: det sendes ikke to ganger.");
      return;
    }
    const payload = result.data?.replyToThread;
    if (payload?.message) {
      setStatus("Svaret er sendt.");
      setBody("");
      setAttempt(crypto.randomUUID()); // a new text is a new attempt
    } else {
      setStatus(payload?.userErrors.find((e) => !e.field)?.message ?? "");
    }
  }

  return (
    <form onSubmit={send} aria-labelledby="reply-heading">
      <h3 id="reply-heading">Svar</h3>
      <label htmlFor="reply-body">Melding</label>
      <textarea
        id="reply-body"
        value={body}
        onChange={(e) => setBody(e.target.value)}
        aria-invalid={bodyError ? true : undefined}
        aria-describedby={bodyError ? "reply-body-error" : undefined}
        rows={4}
      />
      {bodyError && (
        <p id="reply-body-error" className="field-error">
          {bodyError.message}
        </p>
      )}
      <button type="submit">Send svar</button>
      <p role="status" id="reply-status">
        {status}
      </p>
    </form>
  );
}
