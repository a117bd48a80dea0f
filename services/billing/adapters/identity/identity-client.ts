import { status } from '@grpc/grpc-js';
import { Query } from '../../../../gen/tally/core/v1/query';
import { AuthServiceClient } from '../../../../gen/tally/identity/v1/auth';
import { DomainServiceClient } from '../../../../gen/tally/identity/v1/domain';
import { ProjectServiceClient } from '../../../../gen/tally/identity/v1/project';
import { ProjectGroupServiceClient } from '../../../../gen/tally/identity/v1/project_group';
import { Role } from '../../../../gen/tally/identity/v1/role';
import { SecretServiceClient } from '../../../../gen/tally/identity/v1/secret';
import { ServiceAccountServiceClient } from '../../../../gen/tally/identity/v1/service_account';
import { signInternalToken } from '../../../../lib/auth/internal-token';
import type { Principal, RoleName } from '../../../../lib/auth/principal';
import { CLIENT_OPTIONS, insecure, unary, type CallSettings } from '../../../../lib/grpc/client';
import type { Logger } from '../../../../lib/log/logger';
import type { IdentityAccount, IdentityPort } from '../../application/ports';
import { identityError } from './identity-errors';
import { PrincipalCache } from '../../../../lib/auth/principal-cache';

export interface IdentityClientOptions {
  /** identity's gRPC address, host:port. */
  endpoint: string;
  /** TALLY_INTERNAL_TOKEN_SECRET: billing signs its own SYSTEM tokens with it. */
  internalSecret: string;
  logger: Logger;
  /** Deadline of every call. Default 10 s. */
  deadlineMs?: number;
  /** How long a positive Verify answer is reused. Default 30 s; 0 turns the cache off. */
  verifyCacheTtlMs?: number;
  /** Results per List page. Default 500 (identity allows up to 1000). */
  pageSize?: number;
}

export type IdentityClient = IdentityPort & { close(): void };

/** Billing's principal in identity: SYSTEM, as billing's own credential (DESIGN section 4). */
export const BILLING_SUBJECT = 'service:billing';
const TOKEN_TTL_MS = 60_000;
const VERIFY_CACHE_MAX = 10_000;

const ROLE_NAMES: Partial<Record<Role, RoleName>> = {
  [Role.ROLE_SYSTEM]: 'SYSTEM',
  [Role.ROLE_DOMAIN_ADMIN]: 'DOMAIN_ADMIN',
  [Role.ROLE_DOMAIN_VIEWER]: 'DOMAIN_VIEWER',
  [Role.ROLE_PROJECT_MEMBER]: 'PROJECT_MEMBER',
};

/**
 * IdentityPort over gRPC. Every call carries a deadline and a SYSTEM internal token signed just
 * before it (scoped to the domain the call is about); list calls page through identity's List
 * by id (keyset paging: a filter `id gt <last id>` with page.limit), so accounts created or
 * deleted meanwhile never shift a page. Credentials and secret data are never logged.
 */
export function createIdentityClient(o: IdentityClientOptions): IdentityClient {
  if (!o.internalSecret) throw new Error('createIdentityClient: internalSecret is required to sign billing\'s SYSTEM tokens');
  if (!o.endpoint) throw new Error('createIdentityClient: endpoint (host:port of identity) is required');
  const log = o.logger.child({ component: 'identity-client' });
  const deadlineMs = o.deadlineMs ?? 10_000;
  const pageSize = o.pageSize ?? 500;
  const cache = new PrincipalCache(o.verifyCacheTtlMs ?? 30_000, VERIFY_CACHE_MAX);
  const creds = insecure();
  const secrets = new SecretServiceClient(o.endpoint, creds, CLIENT_OPTIONS);
  const domains = new DomainServiceClient(o.endpoint, creds, CLIENT_OPTIONS);
  const accounts = new ServiceAccountServiceClient(o.endpoint, creds, CLIENT_OPTIONS);
  const projects = new ProjectServiceClient(o.endpoint, creds, CLIENT_OPTIONS);
  const groups = new ProjectGroupServiceClient(o.endpoint, creds, CLIENT_OPTIONS);
  const auth = new AuthServiceClient(o.endpoint, creds, CLIENT_OPTIONS);

  const settings = (domainId: string, signal?: AbortSignal): CallSettings => ({
    credential: signInternalToken(o.internalSecret, { subject: BILLING_SUBJECT, domainId, role: 'SYSTEM', projectIds: [] }, TOKEN_TTL_MS),
    deadlineMs,
    ...(signal ? { signal } : {}),
  });

  async function call<T>(method: string, domainId: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = identityError(method, err);
      log.warn({ method, domain_id: domainId, reason: e.reason, err: e.message }, 'call to identity failed');
      throw e;
    }
  }

  /** Every result of a List, page by page in id order. */
  async function listAll<R>(
    method: string,
    domainId: string,
    idKey: string,
    page: (query: Query) => Promise<{ results: R[] }>,
    idOf: (r: R) => string,
  ): Promise<R[]> {
    const all: R[] = [];
    let after = '';
    for (;;) {
      const query = Query.fromPartial({
        filter: after ? [{ k: idKey, v: after, o: 'gt' }] : [],
        sort: [{ key: idKey, desc: false }],
        page: { start: 1, limit: pageSize },
      });
      const { results } = await call(method, domainId, () => page(query));
      all.push(...results);
      if (results.length < pageSize) return all;
      after = idOf(results[results.length - 1]!);
    }
  }

  return {
    async getSecretData(domainId, secretId, signal) {
      const res = await call('SecretService.GetData', domainId, () => unary(secrets, secrets.getData, { secretId, domainId }, settings(domainId, signal)));
      return res.data ?? {};
    },

    async listDomains() {
      const found = await listAll('DomainService.List', '', 'domain_id',
        (query) => unary(domains, domains.list, { query }, settings('')),
        (d) => d.domainId,
      );
      return found.map((d) => ({ domainId: d.domainId, name: d.name }));
    },

    async listServiceAccounts(domainId) {
      const found = await listAll('ServiceAccountService.List', domainId, 'service_account_id',
        (query) => unary(accounts, accounts.list, { query }, settings(domainId)),
        (a) => a.serviceAccountId,
      );
      return found.map(
        (a): IdentityAccount => ({
          serviceAccountId: a.serviceAccountId,
          name: a.name,
          provider: a.provider,
          projectId: a.projectId,
          secretId: a.secretId,
          data: a.data ?? {},
          version: Number(a.version),
        }),
      );
    },

    async listProjects(domainId) {
      const found = await listAll('ProjectService.List', domainId, 'project_id',
        (query) => unary(projects, projects.list, { query }, settings(domainId)),
        (p) => p.projectId,
      );
      return found.map((p) => ({ projectId: p.projectId, name: p.name, projectGroupId: p.projectGroupId }));
    },

    async listProjectGroups(domainId) {
      const found = await listAll('ProjectGroupService.List', domainId, 'project_group_id',
        (query) => unary(groups, groups.list, { query }, settings(domainId)),
        (g) => g.projectGroupId,
      );
      return found.map((g) => ({ projectGroupId: g.projectGroupId, name: g.name, parentGroupId: g.parentGroupId }));
    },

    async verify(credential) {
      if (!credential) return null;
      const digest = PrincipalCache.digest(credential);
      const cached = cache.get(digest);
      if (cached) return cached;
      let res;
      try {
        res = await unary(auth, auth.verify, { credential }, settings(''));
      } catch (err) {
        if ((err as { code?: number }).code === status.UNAUTHENTICATED) return null;
        const e = identityError('AuthService.Verify', err);
        log.warn({ method: 'AuthService.Verify', reason: e.reason, err: e.message }, 'call to identity failed');
        throw e;
      }
      const p = res.principal;
      const role = p ? ROLE_NAMES[p.role] : undefined;
      if (!p || !role) return null;
      const principal: Principal = { subject: p.subject, domainId: p.domainId, role, projectIds: [...p.projectIds] };
      cache.set(digest, principal);
      return principal;
    },

    close() {
      for (const c of [secrets, domains, accounts, projects, groups, auth]) c.close();
    },
  };
}
