import { useState } from "react";
import { useMutation, useQuery, type CombinedError } from "urql";
import { Deferred, Field, Hidden, Send, Unavailable, sendFailure, useAttempt } from "./common";
import type { AppointmentListFragment, ContactListFragment } from "./gql/graphql";
import { AppointmentsQuery, ContactsQuery, SendMessage } from "./operations";
import { KINDS, LOADING, fieldErrors } from "./wording";

type Appointment = NonNullable<AppointmentListFragment["appointments"]>["nodes"][number];
type Contact = NonNullable<ContactListFragment["healthContacts"]>[number];

/** Appointments that have not taken place (nor been cancelled): the inbox page shows the next of them. */
const COMING = new Set(["PROPOSED", "PENDING", "BOOKED"]);
const NEXT_ON_INBOX_PAGE = 3;

/** Each deferred part, wherever the page shows it: where it sits in the answer, what the page says while it
 * is on its way, and what if it came without its data and its errors say nothing the app words. */
const APPOINTMENTS_PART = {
  path: ["person", "appointments"],
  loading: LOADING.appointments,
  otherwise: "Timeavtalene er ikke tilgjengelige.",
} as const;
const CONTACTS_PART = {
  path: ["person", "healthContacts"],
  loading: LOADING.contacts,
  otherwise: "Helsekontaktene er ikke tilgjengelige.",
} as const;

function AppointmentItems({ nodes }: { nodes: readonly Appointment[] }) {
  return (
    <ul className="threads">
      {nodes.map((a) => (
        <li key={a.id} data-appointment={a.id} data-kind={a.serviceKind}>
          <strong>{a.title}</strong> <time dateTime={a.start}>{new Date(a.start).toLocaleString("nb-NO")}</time>
          <span>{[a.location?.name, a.practitioner?.name].filter(Boolean).join(", ")}</span>
        </li>
      ))}
    </ul>
  );
}

/** Timeavtaler: the person and, deferred, the appointments (the slow source), with "Laster …" until they come. */
export function Appointments({ person }: { person: string }) {
  const [{ data, error, fetching, hasNext }] = useQuery({ query: AppointmentsQuery, variables: { person } });
  if (fetching && !data) return <p>Laster …</p>;
  if (!data?.person) return <Unavailable error={error} otherwise={APPOINTMENTS_PART.otherwise} />;
  return (
    <Deferred
      id="appointments"
      heading="Timeavtaler"
      value={data.person.appointments}
      pending={hasNext}
      error={error}
      {...APPOINTMENTS_PART}
    >
      {(appointments) => (
        <>
          <Hidden count={appointments.hiddenCount} what="timeavtaler" />
          {appointments.nodes.length === 0 && <p>Ingen timeavtaler.</p>}
          <AppointmentItems nodes={appointments.nodes} />
        </>
      )}
    </Deferred>
  );
}

/** The parts of the inbox page beside the threads: the next appointments and the health contacts, each a
 * deferred fragment of the inbox's query: each says "Laster …" until its part has come, and why if it came
 * without its data (the appointments may fail while the contacts come). */
export function Overview(props: {
  person: Partial<AppointmentListFragment & ContactListFragment>;
  pending: boolean;
  error: CombinedError | undefined;
}) {
  return (
    <>
      <Deferred
        id="inbox-appointments"
        heading="Kommende timeavtaler"
        value={props.person.appointments}
        pending={props.pending}
        error={props.error}
        {...APPOINTMENTS_PART}
      >
        {(appointments) => {
          const next = appointments.nodes.filter((a) => COMING.has(a.status)).slice(0, NEXT_ON_INBOX_PAGE);
          return (
            <>
              <Hidden count={appointments.hiddenCount} what="timeavtaler" />
              {next.length === 0 && <p>Ingen kommende timeavtaler.</p>}
              <AppointmentItems nodes={next} />
            </>
          );
        }}
      </Deferred>
      <Deferred
        id="inbox-contacts"
        heading="Helsekontakter"
        value={props.person.healthContacts}
        pending={props.pending}
        error={props.error}
        {...CONTACTS_PART}
      >
        {(contacts) => (
          <ul className="threads">
            {contacts.map((c) => (
              <li key={c.id} data-contact={c.id} data-kind={c.serviceKind}>
                <ContactName contact={c} />
              </li>
            ))}
          </ul>
        )}
      </Deferred>
    </>
  );
}

function ContactName({ contact }: { contact: Contact }) {
  return (
    <>
      <strong>{contact.name}</strong> <span>{KINDS[contact.serviceKind] ?? contact.serviceKind}</span>
      {contact.organization && <span>{contact.organization}</span>}
    </>
  );
}

/** Helsekontakter: the person and, deferred, the health contacts; those offering digital dialogue can be
 * written to. */
export function Contacts(props: { person: string; onSent: (thread: string) => void }) {
  const [{ data, error, fetching, hasNext }] = useQuery({ query: ContactsQuery, variables: { person: props.person } });
  const [writingTo, setWritingTo] = useState<string | null>(null);
  if (fetching && !data) return <p>Laster …</p>;
  if (!data?.person) return <Unavailable error={error} otherwise={CONTACTS_PART.otherwise} />;
  return (
    <Deferred
      id="contacts"
      heading="Helsekontakter"
      value={data.person.healthContacts}
      pending={hasNext}
      error={error}
      {...CONTACTS_PART}
    >
      {(contacts) => (
        <ul className="threads">
          {contacts.map((c) => (
            <li key={c.id} data-contact={c.id} data-kind={c.serviceKind}>
              <ContactName contact={c} />
              {c.offersDigitalDialogue && (
                <button type="button" aria-expanded={writingTo === c.id} onClick={() => setWritingTo(writingTo === c.id ? null : c.id)}>
                  Skriv melding<span className="visually-hidden"> til {c.name}</span>
                </button>
              )}
              {writingTo === c.id && <NewMessage person={props.person} contact={c.id} to={c.name} onSent={props.onSent} />}
            </li>
          ))}
        </ul>
      )}
    </Deferred>
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
