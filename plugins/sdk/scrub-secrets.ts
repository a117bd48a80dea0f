import { DomainError } from '../../lib/errors/domain-error';
import { redactSecrets, secretStrings } from '../../lib/secrets/redact';

function scrubText(text: string | undefined, secrets: string[]): string | undefined {
  return text ? redactSecrets(text, secrets) : text;
}

/**
 * Returns a copy of the error with every secret value censored from its message and stack (and
 * its causes), so neither the log nor a DomainError message sent to the caller can carry
 * credentials a plugin put in an error by mistake. Other properties are dropped (an HTTP
 * client's error may hold the request it sent, credentials included), except a string `code`.
 */
export function scrubSecrets(err: unknown, secretData: unknown, depth = 0): Error {
  const secrets = secretStrings(secretData);
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
