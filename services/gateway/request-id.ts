import { randomUUID } from 'node:crypto';

/** The caller's x-request-id when it is a sane token, else a new one (same rule as the backends). */
export function requestIdOf(given: unknown): string {
  const v = Array.isArray(given) ? given[0] : given;
  return typeof v === 'string' && /^[\w.-]{1,64}$/.test(v) ? v : randomUUID();
}
