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

export const KINDS: Record<string, string> = {
  GP: "Fastlege",
  HOSPITAL: "Sykehus",
  MUNICIPAL: "Kommunal tjeneste",
};

export const BASIS: Record<string, string> = {
  SELF: "deg selv",
  PARENT: "barnet ditt",
  PROXY: "fullmakt",
};

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
    if (error.extensions?.code === "UNAUTHENTICATED") return "Du må logge inn.";
  }
  return errors?.length ? "Noe gikk galt. Prøv igjen senere." : null;
}
