import { useState } from "react";
import { useMutation, useQuery } from "urql";
import { Field, Hidden, Send, Unavailable, sendFailure, useAttempt } from "./common";
import { AppointmentsQuery, ContactsQuery, SendMessage } from "./operations";
import { KINDS, fieldErrors } from "./wording";

export function Appointments({ person }: { person: string }) {
  const [{ data, error, fetching }] = useQuery({ query: AppointmentsQuery, variables: { person } });
  if (fetching && !data) return <p>Laster …</p>;
  const appointments = data?.person?.appointments;
  if (!appointments) return <Unavailable error={error} otherwise="Timeavtalene er ikke tilgjengelige." />;
  return (
    <section aria-labelledby="appointments-heading">
      <h2 id="appointments-heading">Timeavtaler</h2>
      <Hidden count={appointments.hiddenCount} what="timeavtaler" />
      {appointments.nodes.length === 0 && <p>Ingen timeavtaler.</p>}
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

/** The person's health contacts; those offering digital dialogue can be written to. */
export function Contacts(props: { person: string; onSent: (thread: string) => void }) {
  const [{ data, error, fetching }] = useQuery({ query: ContactsQuery, variables: { person: props.person } });
  const [writingTo, setWritingTo] = useState<string | null>(null);
  if (fetching && !data) return <p>Laster …</p>;
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
            {c.offersDigitalDialogue && (
              <button type="button" aria-expanded={writingTo === c.id} onClick={() => setWritingTo(writingTo === c.id ? null : c.id)}>
                Skriv melding<span className="visually-hidden"> til {c.name}</span>
              </button>
            )}
            {writingTo === c.id && <NewMessage person={props.person} contact={c.id} to={c.name} onSent={props.onSent} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function NewMessage(props: { person: string; contact: string; to: string; onSent: (thread: string) => void }) {
  const [subject, setSubject] = useState("");
  const [body, setBody] = useState("");
  const [attempt, nextAttempt] = useAttempt();
  const [state, sendMessage] = useMutation(SendMessage);
  const [status, setStatus] = useState("");
  const errors = fieldErrors(state.data?.sendMessage.userErrors);

  async function send(event: React.FormEvent) {
    event.preventDefault();
    setStatus("Sender …");
    const input = { personId: props.person, contactId: props.contact, subject, body, idempotencyKey: attempt };
    const result = await sendMessage({ input });
    if (result.error) return setStatus(sendFailure(result.error));
    const thread = result.data?.sendMessage.thread;
    if (thread) {
      nextAttempt();
      props.onSent(thread.id);
    } else {
      setStatus(fieldErrors(result.data?.sendMessage.userErrors)[""] ?? "Meldingen ble ikke sendt: rett det som er merket.");
    }
  }

  return (
    <form onSubmit={send} aria-label={`Ny melding til ${props.to}`} className="new-message">
      <Field id="new-subject" label="Emne" value={subject} onChange={setSubject} error={errors["input.subject"]} />
      <Field id="new-body" label="Melding" value={body} onChange={setBody} error={errors["input.body"]} multiline />
      {errors["input.contactId"] && <p className="field-error">{errors["input.contactId"]}</p>}
      <Send label="Send melding" busy={state.fetching} status={status} statusId="new-status" />
    </form>
  );
}
