import { useState, type ReactNode } from "react";
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

type Path = readonly (string | number)[];

/** The errors that concern what is at `path` (["person", "appointments"]): those at it or under it, those
 * at a field above it (a person refused as a whole), and those of no field. */
export function errorsAt(error: CombinedError | undefined, path: Path) {
  return (error?.graphQLErrors ?? []).filter((e) => {
    const at = e.path ?? [];
    return at.slice(0, path.length).every((key, n) => key === path[n]);
  });
}

/** Why a part of the page is missing: the denial's reason in words, else `otherwise`. With `path`, only
 * the errors that concern that part count (another part of the same answer may have failed otherwise). */
export function Unavailable(props: { error: CombinedError | undefined; path?: Path; otherwise: string }) {
  const errors = props.path ? errorsAt(props.error, props.path) : props.error?.graphQLErrors;
  return <p role="alert">{denial(errors) ?? props.otherwise}</p>;
}

/** A part of the page the query defers (`...AppointmentList @defer`), as a section with its heading: what
 * it shows once the part has come; while it is on its way (`pending`: the answer has more parts to come),
 * `loading`, and the section is busy; if it came without its data (refused, or its source failed), why, by
 * the errors at `path`, as everywhere else in the app. `value` is undefined until the part has come. */
export function Deferred<T>(props: {
  id: string;
  heading: string;
  value: T | null | undefined;
  pending: boolean;
  error: CombinedError | undefined;
  path: Path;
  loading: string;
  otherwise: string;
  children: (value: T) => ReactNode;
}) {
  const { value } = props;
  // The cache keeps no field that came with an error: a part that failed reads as one still to come, so
  // its errors tell, too, that it has come.
  const failed = value === null || errorsAt(props.error, props.path).some((e) => e.path?.length);
  const loading = value === undefined && props.pending && !failed;
  return (
    <section id={props.id} aria-labelledby={`${props.id}-heading`} aria-busy={loading}>
      <h2 id={`${props.id}-heading`}>{props.heading}</h2>
      {value !== null && value !== undefined ? (
        props.children(value)
      ) : loading ? (
        <p className="loading">{props.loading}</p>
      ) : (
        <Unavailable error={props.error} path={props.path} otherwise={props.otherwise} />
      )}
    </section>
  );
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
