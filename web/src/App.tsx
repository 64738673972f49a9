import { useEffect, useMemo, useState } from "react";
import { Provider, useQuery } from "urql";
import { createClient } from "./client";
import { Unavailable } from "./common";
import { Appointments, Contacts } from "./contacts";
import { Inbox, LiveUpdates } from "./inbox";
import { PersonQuery, ViewerQuery } from "./operations";
import { BASIS, denial, yearsOld } from "./wording";

type Persona = { pid: string; name: string; note: string };

/** The person the page shows, from the link (`#person=<id>`): a reload or a shared link keeps it. The
 * fragment never reaches a server, so no access log carries the fødselsnummer. */
function useLinkedPerson(): [string | null, (id: string | null) => void] {
  const read = () => new URLSearchParams(window.location.hash.slice(1)).get("person");
  const [person, setPerson] = useState<string | null>(read);
  useEffect(() => {
    const follow = () => setPerson(read());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  const choose = (id: string | null) => {
    window.history.replaceState(null, "", id ? `#person=${id}` : window.location.pathname);
    setPerson(id);
  };
  return [person, choose];
}

export function App() {
  const [personas, setPersonas] = useState<Persona[]>([]);
  const [pid, setPid] = useState<string>("");
  const [token, setToken] = useState<string | null>(null);
  const [linked, setLinked] = useLinkedPerson();

  useEffect(() => {
    fetch("/demo/personas").then((r) => r.json()).then(setPersonas);
  }, []);
  useEffect(() => {
    if (!pid) return setToken(null);
    fetch("/demo/token", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pid }) })
      .then((r) => r.json())
      .then((body) => setToken(body.access_token));
  }, [pid]);
  const urql = useMemo(() => (token ? createClient(token) : null), [token]);
  const signIn = (next: string) => {
    if (pid) setLinked(null); // another viewer starts at their own page, not the last one's
    setPid(next);
  };

  return (
    <>
      <header>
        <h1>Innboks</h1>
        <label htmlFor="persona">Logg inn som (demo)</label>
        <select id="persona" value={pid} onChange={(e) => signIn(e.target.value)}>
          <option value="">Velg person</option>
          {personas.map((p) => (
            <option key={p.pid} value={p.pid}>
              {p.name}
            </option>
          ))}
        </select>
      </header>
      <main>
        {urql ? (
          <Provider value={urql}>
            <Signed linked={linked} onChoose={setLinked} />
          </Provider>
        ) : (
          <p>Velg en person for å logge inn.</p>
        )}
      </main>
    </>
  );
}

function Signed(props: { linked: string | null; onChoose: (person: string) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: ViewerQuery });
  if (fetching && !data) return <p>Laster …</p>;
  const refused = denial(error?.graphQLErrors);
  if (refused || !data) return <p role="alert">{refused}</p>;
  const choices = data.viewer.representations;
  const chosen = props.linked ? choices.find((r) => r.person.id === props.linked) : choices[0];
  return (
    <>
      <nav aria-label="Hvem du representerer">
        <label htmlFor="subject">Representer</label>
        <select id="subject" value={chosen?.person.id ?? ""} onChange={(e) => props.onChoose(e.target.value)}>
          {!chosen && <option value="">Velg person</option>}
          {choices.map((r) => (
            <option key={r.person.id} value={r.person.id}>
              {r.person.name.full} ({BASIS[r.basis] ?? r.basis})
            </option>
          ))}
        </select>
        {chosen && (
          <p id="acting-for">
            {chosen.basis === "SELF"
              ? `Du er logget inn som ${chosen.person.name.full}`
              : `Du representerer ${chosen.person.name.full.split(" ")[0]} (${yearsOld(chosen.person.birthDate)} år)`}
          </p>
        )}
      </nav>
      {chosen ? (
        <Sections person={chosen.person.id} key={chosen.person.id} />
      ) : props.linked ? (
        <NotRepresented person={props.linked} />
      ) : (
        <p role="alert">Du kan ikke bruke Innboks.</p>
      )}
    </>
  );
}

/** A link to a person the viewer does not represent: why not, by the gateway's reason. */
function NotRepresented({ person }: { person: string }) {
  const [{ data, error, fetching }] = useQuery({ query: PersonQuery, variables: { person } });
  if (fetching && !data) return <p>Laster …</p>;
  return <Unavailable error={error} otherwise="Du kan ikke representere denne personen." />;
}

const SECTIONS = { inbox: "Meldinger", appointments: "Timeavtaler", contacts: "Helsekontakter" } as const;
type Section = keyof typeof SECTIONS;

function Sections({ person }: { person: string }) {
  const [section, setSection] = useState<Section>("inbox");
  const [open, setOpen] = useState<string | null>(null);
  const show = (next: Section) => {
    setSection(next);
    setOpen(null);
  };
  return (
    <>
      <div role="group" aria-label="Velg tjeneste" className="tabs">
        {(Object.keys(SECTIONS) as Section[]).map((s) => (
          <button key={s} type="button" aria-pressed={section === s} onClick={() => show(s)}>
            {SECTIONS[s]}
          </button>
        ))}
      </div>
      <LiveUpdates person={person} />
      {section === "inbox" && <Inbox person={person} open={open} onOpen={setOpen} />}
      {section === "appointments" && <Appointments person={person} />}
      {section === "contacts" && (
        <Contacts
          person={person}
          onSent={(thread) => {
            setSection("inbox");
            setOpen(thread);
          }}
        />
      )}
    </>
  );
}
