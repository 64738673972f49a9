import { useState } from "react";
import type { CombinedError } from "urql";
import { denial } from "./wording";

/** The notice that the rules withhold some items, with how many ("hiddenCount"). */
export function Hidden({ count, what }: { count: number; what: string }) {
  if (count <= 0) return null;
  return (
    <p role="note" className="notice">
      Ikke alle {what} vil være tilgjengelige: {count} vises ikke.
    </p>
  );
}

/** Why a part of the page is missing: the denial's reason in words, else `otherwise`. */
export function Unavailable({ error, otherwise }: { error: CombinedError | undefined; otherwise: string }) {
  return <p role="alert">{denial(error?.graphQLErrors) ?? otherwise}</p>;
}

/** One key per attempt to send a text: a retry after a network error sends the same key, so the message
 * store answers with the first result and never stores the message twice; `next()` for a new text. */
export function useAttempt(): [string, () => void] {
  const [key, setKey] = useState<string>(() => crypto.randomUUID());
  return [key, () => setKey(crypto.randomUUID())];
}

/** A labelled input or text area with the user error that names it, announced with it. */
export function Field(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error: string | undefined;
  multiline?: boolean;
}) {
  const described = props.error ? `${props.id}-error` : undefined;
  const common = {
    id: props.id,
    value: props.value,
    "aria-invalid": props.error ? true : undefined,
    "aria-describedby": described,
  };
  return (
    <>
      <label htmlFor={props.id}>{props.label}</label>
      {props.multiline ? (
        <textarea {...common} rows={4} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.error && (
        <p id={described} className="field-error">
          {props.error}
        </p>
      )}
    </>
  );
}

/** What to tell after a send that failed before the gateway answered, or was refused. */
export function sendFailure(error: CombinedError): string {
  return denial(error.graphQLErrors) ?? "Meldingen ble kanskje ikke sendt. Prøv igjen: den sendes ikke to ganger.";
}

/** A form's send button and the status of the last attempt, announced to screen readers. */
export function Send(props: { label: string; busy: boolean; status: string; statusId: string }) {
  return (
    <>
      <button type="submit" disabled={props.busy}>
        {props.label}
      </button>
      <p role="status" id={props.statusId}>
        {props.status}
      </p>
    </>
  );
}
