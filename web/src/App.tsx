import { useEffect, useMemo, useState } from "react";
import { Client, Provider, cacheExchange, fetchExchange, useQuery } from "urql";
import { InboxQuery, ViewerQuery } from "./operations";
import { BASIS, denial, yearsOld } from "./wording";

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
      <Inbox person={chosen.person.id} key={chosen.person.id} />
    </>
  );
}

function Inbox({ person }: { person: string }) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
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
        />
      ))}
    </section>
  );
}

function InboxPage(props: { person: string; after: string | null; last: boolean; onMore: (cursor: string) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: InboxQuery, variables: { person: props.person, after: props.after } });
  if (fetching) return <p>Laster …</p>;
  const threads = data?.person?.threads;
  const refused = denial(error?.graphQLErrors);
  if (!threads) return <p role="alert">{refused ?? "Meldingene er ikke tilgjengelige."}</p>;
  return (
    <>
      {props.after === null && threads.hiddenCount > 0 && (
        <p role="note" className="notice">
          Ikke alle meldinger vil være tilgjengelige: {threads.hiddenCount} vises ikke.
        </p>
      )}
      <ul className="threads">
        {threads.nodes.map((t) => (
          <li key={t.id} data-thread={t.id}>
            <strong>{t.subject}</strong> <span>{t.counterpart?.name ?? ""}</span>
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
