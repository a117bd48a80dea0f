import { status } from '@grpc/grpc-js';
import { Role } from '../../../gen/tally/identity/v1/role';
import { AuthServiceClient } from '../../../gen/tally/identity/v1/auth';
import { signInternalToken } from '../../../lib/auth/internal-token';
import type { Principal, RoleName } from '../../../lib/auth/principal';
import { DomainError } from '../../../lib/errors/domain-error';
import { CLIENT_OPTIONS, insecure, unary } from '../../../lib/grpc/client';
import { fromServiceError } from '../../../lib/grpc/status';
import type { Logger } from '../../../lib/log/logger';
import { PrincipalCache } from '../../../lib/auth/principal-cache';

/** The gateway's own principal in identity: SYSTEM, the only caller AuthService.Verify answers. */
export const GATEWAY_SUBJECT = 'service:gateway';
const SYSTEM_TOKEN_TTL_MS = 30_000;

const ROLE_NAMES: Partial<Record<Role, RoleName>> = {
  [Role.ROLE_SYSTEM]: 'SYSTEM',
  [Role.ROLE_DOMAIN_ADMIN]: 'DOMAIN_ADMIN',
  [Role.ROLE_DOMAIN_VIEWER]: 'DOMAIN_VIEWER',
  [Role.ROLE_PROJECT_MEMBER]: 'PROJECT_MEMBER',
};

export interface AuthenticatorOptions {
  identityEndpoint: string;
  internalSecret: string;
  cacheTtlMs: number;
  deadlineMs: number;
  logger: Logger;
}

export interface Authenticator {
  /**
   * The principal behind an API key; null when identity does not know it. `digest` is the
   * key's digest() when the caller has it already.
   */
  verify(credential: string, digest?: string): Promise<Principal | null>;
  /** The key's cache key (a SHA-256; the key itself is never kept in the cache). */
  digest(credential: string): string;
  /**
   * The principal the cache holds for a key's digest, without asking identity: undefined when
   * the cache does not hold it (never asked, expired, or identity did not accept the key), then
   * verify() decides.
   */
  cached(digest: string): Principal | undefined;
  close(): void;
}

/**
 * Asks identity who an API key belongs to, with a SYSTEM token the gateway signs for itself.
 * Positive answers are cached briefly; concurrent checks of one key share one call.
 * Identity being unreachable is UNAVAILABLE, not UNAUTHENTICATED.
 */
export function createAuthenticator(o: AuthenticatorOptions): Authenticator {
  const client = new AuthServiceClient(o.identityEndpoint, insecure(), CLIENT_OPTIONS);
  const cache = new PrincipalCache(o.cacheTtlMs);
  const inFlight = new Map<string, Promise<Principal | null>>();

  async function ask(credential: string, digest: string): Promise<Principal | null> {
    const system: Principal = { subject: GATEWAY_SUBJECT, domainId: '', role: 'SYSTEM', projectIds: [] };
    let res;
    try {
      res = await unary(client, client.verify, { credential }, {
        credential: signInternalToken(o.internalSecret, system, SYSTEM_TOKEN_TTL_MS),
        deadlineMs: o.deadlineMs,
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code === status.UNAUTHENTICATED || code === status.NOT_FOUND || code === status.INVALID_ARGUMENT) return null;
      const e = fromServiceError(err as Parameters<typeof fromServiceError>[0]);
      o.logger.warn({ code, reason: e.reason, err: e.message }, 'identity could not verify a credential');
      throw new DomainError('UNAVAILABLE', 'GATEWAY.IDENTITY_UNAVAILABLE', 'identity is unavailable, try again');
    }
    const p = res.principal;
    const role = p ? ROLE_NAMES[p.role] : undefined;
    if (!p || !role) return null;
    const principal: Principal = { subject: p.subject, domainId: p.domainId, role, projectIds: [...p.projectIds] };
    cache.set(digest, principal);
    return principal;
  }

  return {
    async verify(credential, digest = PrincipalCache.digest(credential)) {
      if (!credential) return null;
      const cached = cache.get(digest);
      if (cached) return cached;
      let pending = inFlight.get(digest);
      if (!pending) {
        pending = ask(credential, digest).finally(() => inFlight.delete(digest));
        inFlight.set(digest, pending);
      }
      return pending;
    },
    digest: (credential) => PrincipalCache.digest(credential),
    cached: (digest) => cache.get(digest),
    close: () => client.close(),
  };
}
