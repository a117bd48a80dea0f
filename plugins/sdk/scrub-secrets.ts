import { DomainError } from '../../lib/errors/domain-error';

const CENSOR = '[REDACTED]';
/** Shorter values (flags, "us", ...) would censor ordinary words; they are not secret on their own. */
const MIN_SECRET_LENGTH = 4;

/** Every string value inside the call's secret_data, longest first. */
export function secretValues(secretData: unknown): string[] {
  const out = new Set<string>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 8 || v === null || v === undefined) return;
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

function scrubText(text: string | undefined, secrets: string[]): string | undefined {
  if (!text) return text;
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(CENSOR);
  return out;
}

/**
 * Returns a copy of the error with every secret value censored from its message and stack (and
 * its causes), so neither the log nor a DomainError message sent to the caller can carry
 * credentials a plugin put in an error by mistake. Other properties are dropped (an HTTP
 * client's error may hold the request it sent, credentials included), except a string `code`.
 */
export function scrubSecrets(err: unknown, secretData: unknown, depth = 0): Error {
  const secrets = secretValues(secretData);
  if (!(err instanceof Error)) return new Error(scrubText(`non-error thrown: ${String(err)}`, secrets));
  const message = scrubText(err.message, secrets) ?? '';
  const clean =
    err instanceof DomainError
      ? new DomainError(err.kind, err.reason, message, err.field)
      : Object.assign(new Error(message), { name: err.name });
  clean.stack = scrubText(err.stack, secrets);
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && !(err instanceof DomainError)) Object.assign(clean, { code: scrubText(code, secrets) });
  if (err.cause !== undefined && depth < 4) clean.cause = scrubSecrets(err.cause, secretData, depth + 1);
  return clean;
}
