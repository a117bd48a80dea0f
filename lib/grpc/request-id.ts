import { randomUUID } from 'node:crypto';

/**
 * The caller's x-request-id (a metadata or header value) when it is a sane token, else a new one:
 * the one rule of every gRPC service, the gateway and its HTTP side.
 */
export function requestIdOf(given: unknown): string {
  const v = Array.isArray(given) ? given[0] : given;
  return typeof v === 'string' && /^[\w.-]{1,64}$/.test(v) ? v : randomUUID();
}
