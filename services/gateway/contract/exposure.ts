/**
 * What the gateway exposes: every service of the public packages, minus the internal RPCs
 * (system-only calls between services). The plugin protocol (tally.plugin.*) and events live in
 * other packages and are never exposed.
 */
export type Backend = 'identity' | 'billing';

/** Public package → the backend that serves it and the first segment of its HTTP routes. */
export const EXPOSED_PACKAGES: Record<string, { backend: Backend; area: string }> = {
  'tally.identity.v1': { backend: 'identity', area: 'identity' },
  'tally.billing.v1': { backend: 'billing', area: 'billing' },
};

/** Fully qualified methods (`Service.Method`, or `Service` for all of it) that stay internal. */
export const INTERNAL = new Set([
  'tally.identity.v1.AuthService',
  'tally.identity.v1.SecretService.GetData',
  'tally.identity.v1.SecretService.Rewrap',
]);

export function isInternal(serviceName: string, methodName: string): boolean {
  return INTERNAL.has(serviceName) || INTERNAL.has(`${serviceName}.${methodName}`);
}
