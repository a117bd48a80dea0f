/**
 * Removes credential values from text that may reach a log line, a job record or an error (a
 * plugin in any language may echo what it was sent). Shared by the plugin SDK and billing.
 */
export const CENSOR = '[REDACTED]';
/** Shorter values ("us", "true") would censor ordinary words and are not secret on their own. */
const MIN_SECRET_LENGTH = 4;

/**
 * Credential fields that name the account rather than unlock it: the built-in providers' account
 * schemas hold the same values as the account's `data`, which every response shows. Censoring
 * them would hide which account an error is about and protect nothing.
 */
export const ACCOUNT_IDENTIFIER_FIELDS: ReadonlySet<string> = new Set(['account_id', 'project_id', 'subscription_id', 'tenant_id']);

/**
 * Every string (and number) inside secretData, longest first, plus each long line of a PEM key;
 * the top-level account identifiers (ACCOUNT_IDENTIFIER_FIELDS) are left out.
 */
export function secretStrings(secretData: unknown): string[] {
  const out = new Set<string>();
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8 || v === null || v === undefined) return;
    if (depth === 0 && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as object)) if (!ACCOUNT_IDENTIFIER_FIELDS.has(k)) visit(x, 1);
      return;
    }
    if (typeof v === 'string') {
      if (v.length >= MIN_SECRET_LENGTH) out.add(v);
      for (const line of v.split('\n')) if (line.trim().length >= 16) out.add(line.trim());
    } else if (typeof v === 'number' || typeof v === 'bigint') {
      if (String(v).length >= MIN_SECRET_LENGTH) out.add(String(v));
    } else if (typeof v === 'object') {
      for (const x of Object.values(v as object)) visit(x, depth + 1);
    }
  };
  visit(secretData, 0);
  return [...out].sort((a, b) => b.length - a.length);
}

export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(CENSOR);
  return out;
}
