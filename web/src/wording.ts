// What a person is told for each denial `reason` (the README's wording, in bokmål), never a raw error.
export const REASONS: Record<string, string> = {
  NO_RELATION: "Du kan ikke representere denne personen.",
  NO_CONSENT: "Personen har ikke samtykket til å bruke helsetjenestene.",
  CONSENT_LEVEL: "Personens samtykkenivå dekker ikke denne tjenesten.",
  PROXY_SCOPE: "Fullmakten din dekker ikke denne tjenesten.",
  PROXY_EXPIRED: "Fullmakten din er utløpt.",
  CHILD_AGE: "Barnets alder gjør at denne tjenesten ikke er tilgjengelig for deg.",
  CONFIDENTIAL_ADDRESS: "Opplysningene er skjermet.",
  INSUFFICIENT_ASSURANCE: "Du må logge inn med høyere sikkerhetsnivå.",
  SERVICE_SCOPE: "Tjenesten er ikke tilgjengelig.",
};

// What a person is told for an error without a denial reason, by its code.
export const CODES: Record<string, string> = {
  UNAUTHENTICATED: "Du må logge inn på nytt.",
  EVENTS_UNAVAILABLE: "Nye meldinger vises ikke automatisk akkurat nå. Last siden på nytt senere.",
  UPSTREAM_UNAVAILABLE: "Tjenesten svarer ikke akkurat nå. Prøv igjen senere.",
  OVERLOADED: "Tjenesten er travel akkurat nå. Prøv igjen om litt.",
};

// Input to correct (`userErrors`), by code, in bokmål; the gateway's own message is the fallback.
export const USER_ERRORS: Record<string, string> = {
  EMPTY_SUBJECT: "Skriv et emne.",
  SUBJECT_TOO_LONG: "Emnet kan ha høyst 200 tegn.",
  EMPTY_BODY: "Skriv en melding.",
  BODY_TOO_LONG: "Meldingen kan ha høyst 10 000 tegn.",
  UNKNOWN_CONTACT: "Dette er ikke en av helsekontaktene dine.",
  NO_DIGITAL_DIALOG: "Denne mottakeren tar ikke imot meldinger.",
  UNKNOWN_THREAD: "Tråden finnes ikke.",
  THREAD_ARCHIVED: "Tråden er arkivert. Flytt den til innboksen for å svare.",
  IDEMPOTENCY_KEY_REUSED: "Meldingen ble endret etter et mislykket forsøk. Send den på nytt.",
};

export type UserErrorLike = { code: string; field?: readonly string[] | null; message: string };

/** The words for each input field a user error names ("input.body"), and for those naming none (""). */
export function fieldErrors(errors: readonly UserErrorLike[] | undefined): Record<string, string> {
  const byField: Record<string, string> = {};
  for (const error of errors ?? []) {
    const field = error.field?.join(".") ?? "";
    byField[field] ??= USER_ERRORS[error.code] ?? error.message;
  }
  return byField;
}

// Message categories as the Innboks names them.
export const CATEGORIES: Record<string, string> = {
  DIALOG_FASTLEGE: "Fastlegen",
  FORLOPSKOORDINATOR: "Forløpskoordinator",
  INNKALLING: "Innkalling",
  TIMEAVTALE: "Timeavtale",
  KOMMUNE: "Kommunen",
  HELSEUNDERSOKELSE: "Helseundersøkelse",
  FASTLEGEBYTTE: "Bytte av fastlege",
  FULLMAKT: "Fullmakt",
  KJERNEJOURNAL: "Kjernejournal",
};

// What a part of a page says while it is still on its way (a deferred fragment: the rest came first).
export const LOADING = {
  appointments: "Laster timeavtalene …",
  contacts: "Laster helsekontaktene …",
};

export const KINDS: Record<string, string> = {
  GP: "Fastlege",
  HOSPITAL: "Sykehus",
  MUNICIPAL: "Kommunal tjeneste",
};

export const BASIS: Record<string, string> = {
  SELF: "deg selv",
  PARENT: "barnet ditt",
  PROXY: "fullmakt",
  ASSIGNED_PROXY: "tildelt fullmakt",
};

export function fileSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024).toLocaleString("nb-NO")} kB`;
}

export function yearsOld(birthDate: string, today = new Date()): number {
  const born = new Date(birthDate);
  let age = today.getFullYear() - born.getFullYear();
  const before = today.getMonth() < born.getMonth() || (today.getMonth() === born.getMonth() && today.getDate() < born.getDate());
  if (before) age -= 1;
  return age;
}

type GraphQLErrorLike = { extensions?: Record<string, unknown>; message: string };

export function denial(errors: readonly GraphQLErrorLike[] | undefined): string | null {
  for (const error of errors ?? []) {
    const reason = error.extensions?.reason;
    if (typeof reason === "string" && reason in REASONS) return REASONS[reason];
    const code = error.extensions?.code;
    if (typeof code === "string" && code in CODES) return CODES[code];
  }
  return errors?.length ? "Noe gikk galt. Prøv igjen senere." : null;
}
