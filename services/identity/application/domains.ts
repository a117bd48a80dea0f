import type { Principal } from '../../../lib/auth/principal';
import { requireRole } from '../../../lib/auth/principal';
import { invalidArgument, notFound } from '../../../lib/errors/domain-error';
import { newId } from '../../../lib/ids/ids';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { ApiKeyRecord, DomainRecord } from '../domain/records';
import { mintApiKey } from './api-key-secret';
import { apiKeys, domains } from './collections';
import { commit } from './commit';
import type { IdentityDeps } from './deps';
import { domainEvent } from './events';
import { checkName, checkTags } from '../../../lib/validate/fields';
import { compileQuery, compileStatQuery, pageGroups } from '../../../lib/query';

export async function createDomain(deps: IdentityDeps, p: Principal, req: { name: string; tags?: Record<string, unknown> }) {
  requireRole(p, 'SYSTEM');
  const name = checkName(req.name, 'name');
  const tags = checkTags(req.tags);
  const now = deps.now();
  const domain: DomainRecord = { _id: newId('domain'), name, tags, created_at: now };
  const minted = mintApiKey();
  const key: ApiKeyRecord = {
    _id: minted.keyId,
    domain_id: domain._id,
    name: 'admin',
    role: 'DOMAIN_ADMIN',
    project_ids: [],
    key_hash: minted.hash,
    created_at: now,
    expires_at: null,
  };
  await commit(deps, async (tx) => {
    await tx.collection<DomainRecord>(domains.name).insertOne(domain);
    await tx.collection<ApiKeyRecord>(apiKeys.name).insertOne(key);
    return { result: undefined, events: [domainEvent('created', domain._id, name, now)] };
  });
  return { domain, apiKey: key, key: minted.key };
}

/** SYSTEM may read any domain; others only their own. */
function targetDomain(p: Principal, domainId: string): string {
  if (p.role === 'SYSTEM') return domainId;
  requireRole(p, 'DOMAIN_VIEWER');
  if (domainId && domainId !== p.domainId) throw notFound('domain', domainId);
  return p.domainId;
}

export async function getDomain(deps: IdentityDeps, p: Principal, domainId: string): Promise<DomainRecord> {
  const id = targetDomain(p, domainId);
  if (!id) throw invalidArgument('DOMAIN.ID_REQUIRED', 'domain_id', 'domain_id is required');
  const found = await deps.store.collection<DomainRecord>(domains.name).findOne({ _id: id });
  if (!found) throw notFound('domain', id);
  return found;
}

export async function updateDomain(
  deps: IdentityDeps,
  p: Principal,
  req: { domainId: string; name?: string; tags?: Record<string, unknown> },
): Promise<DomainRecord> {
  if (p.role !== 'SYSTEM') requireRole(p, 'DOMAIN_ADMIN');
  const current = await getDomain(deps, p, req.domainId);
  const set: Record<string, unknown> = {};
  if (req.name !== undefined) set.name = checkName(req.name, 'name');
  if (req.tags !== undefined) set.tags = checkTags(req.tags);
  if (Object.keys(set).length) await deps.store.collection<DomainRecord>(domains.name).updateOne({ _id: current._id }, { $set: set });
  return { ...current, ...set } as DomainRecord;
}

export async function deleteDomain(deps: IdentityDeps, p: Principal, domainId: string): Promise<void> {
  requireRole(p, 'SYSTEM');
  const current = await getDomain(deps, p, domainId);
  await commit(deps, async (tx) => {
    await tx.collection(domains.name).deleteOne({ _id: current._id });
    await tx.collection(apiKeys.name).deleteMany({ domain_id: current._id });
    return { result: undefined, events: [domainEvent('deleted', current._id, current.name, deps.now())] };
  });
}

export async function listDomains(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  const { filter, options } = compileQuery(query, domains.schema);
  const scoped = p.role === 'SYSTEM' ? filter : { $and: [filter, { _id: targetDomain(p, '') }] };
  const coll = deps.store.collection<DomainRecord>(domains.name);
  const [results, total] = await Promise.all([coll.find(scoped, options), coll.count(scoped)]);
  return { results, total };
}

export async function statDomains(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  requireRole(p, 'SYSTEM');
  const compiled = compileStatQuery(query, domains.schema);
  const groups = await deps.store.collection(domains.name).group(compiled.filter, compiled.group);
  return pageGroups(groups, compiled);
}
