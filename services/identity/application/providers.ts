import type { Principal } from '../../../lib/auth/principal';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../../../lib/errors/domain-error';
import { compileQuery, compileStatQuery, pageGroups } from '../../../lib/query';
import type { Filter, Source } from './source';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import { BUILT_IN_KEYS, BUILT_IN_PROVIDERS, PROVIDER_KEY_PATTERN } from '../domain/providers';
import type { ProviderRecord, ServiceAccountRecord } from '../domain/records';
import { checkSchema } from '../domain/schema-validator';
import { providers, serviceAccounts } from './collections';
import type { IdentityDeps } from './deps';
import { domainOf } from '../../../lib/auth/principal';
import { checkName, checkTags, requireId } from '../../../lib/validate/fields';

/** Built-in providers are stored under domain '' and visible to every domain. */
const visibleTo = (domainId: string): Filter => ({ domain_id: { $in: ['', domainId] } });

/** Writes (or refreshes) the built-in providers; run at every start. */
export async function seedBuiltInProviders(deps: IdentityDeps): Promise<void> {
  const coll = deps.store.collection<ProviderRecord>(providers.name);
  for (const spec of BUILT_IN_PROVIDERS) {
    const record: ProviderRecord = {
      _id: `global:${spec.provider}`,
      provider: spec.provider,
      domain_id: '',
      name: spec.name,
      account_schema: spec.accountSchema,
      credential_schema: spec.credentialSchema,
      is_billing: spec.isBilling,
      built_in: true,
      tags: {},
      created_at: new Date(0),
    };
    if (!(await coll.replaceOne({ _id: record._id }, record))) await coll.insertOne(record);
  }
}

/** The provider as the domain sees it, or NOT_FOUND. */
export async function findProvider(source: Source, domainId: string, key: string): Promise<ProviderRecord> {
  const found = key
    ? await source.collection<ProviderRecord>(providers.name).findOne({ $and: [{ provider: key }, visibleTo(domainId)] })
    : null;
  if (!found) throw notFound('provider', key || '(empty)');
  return found;
}

export async function createProvider(
  deps: IdentityDeps,
  p: Principal,
  req: { provider: string; name: string; accountSchema?: Record<string, unknown>; credentialSchema?: Record<string, unknown>; isBilling: boolean; tags?: Record<string, unknown> },
): Promise<ProviderRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const key = requireId(req.provider, 'provider');
  if (!PROVIDER_KEY_PATTERN.test(key)) {
    throw invalidArgument('PROVIDER.BAD_KEY', 'provider', 'provider must be 2-40 lowercase letters, digits or _, starting with a letter');
  }
  if (BUILT_IN_KEYS.has(key)) throw alreadyExists('PROVIDER.BUILT_IN', `provider ${key} is built in`, 'provider');
  const record: ProviderRecord = {
    _id: `${domainId}:${key}`,
    provider: key,
    domain_id: domainId,
    name: checkName(req.name, 'name'),
    account_schema: checkSchema(req.accountSchema, 'account_schema'),
    credential_schema: checkSchema(req.credentialSchema, 'credential_schema'),
    is_billing: req.isBilling,
    built_in: false,
    tags: checkTags(req.tags),
    created_at: deps.now(),
  };
  try {
    await deps.store.collection<ProviderRecord>(providers.name).insertOne(record);
  } catch (e) {
    if ((e as Error).name === 'DuplicateKeyError') throw alreadyExists('PROVIDER.EXISTS', `provider ${key} already exists`, 'provider');
    throw e;
  }
  return record;
}

async function ownProvider(deps: IdentityDeps, domainId: string, key: string): Promise<ProviderRecord> {
  const found = await findProvider(deps.store, domainId, requireId(key, 'provider'));
  if (found.built_in) throw failedPrecondition('PROVIDER.BUILT_IN', `provider ${key} is built in and cannot be changed`);
  return found;
}

export async function updateProvider(
  deps: IdentityDeps,
  p: Principal,
  req: { provider: string; name?: string; accountSchema?: Record<string, unknown>; credentialSchema?: Record<string, unknown>; tags?: Record<string, unknown> },
): Promise<ProviderRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const current = await ownProvider(deps, domainId, req.provider);
  const set: Partial<ProviderRecord> = {};
  if (req.name !== undefined) set.name = checkName(req.name, 'name');
  if (req.accountSchema) set.account_schema = checkSchema(req.accountSchema, 'account_schema');
  if (req.credentialSchema) set.credential_schema = checkSchema(req.credentialSchema, 'credential_schema');
  if (req.tags) set.tags = checkTags(req.tags);
  if (Object.keys(set).length) await deps.store.collection<ProviderRecord>(providers.name).updateOne({ _id: current._id }, { $set: set });
  return { ...current, ...set };
}

export async function deleteProvider(deps: IdentityDeps, p: Principal, key: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const current = await ownProvider(deps, domainId, key);
  await deps.store.transaction(async (tx) => {
    const used = await tx.collection<ServiceAccountRecord>(serviceAccounts.name).count({ domain_id: domainId, provider: current.provider });
    if (used) throw failedPrecondition('PROVIDER.IN_USE', `provider ${current.provider} still has ${used} service account(s)`);
    await tx.collection(providers.name).deleteOne({ _id: current._id });
  });
}

export async function getProvider(deps: IdentityDeps, p: Principal, key: string): Promise<ProviderRecord> {
  return findProvider(deps.store, domainOf(p), key);
}

export async function listProviders(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  const { filter, options } = compileQuery(query, providers.schema);
  const scoped: Filter = { $and: [filter, visibleTo(domainOf(p))] };
  const coll = deps.store.collection<ProviderRecord>(providers.name);
  const [results, total] = await Promise.all([coll.find(scoped, options), coll.count(scoped)]);
  return { results, total };
}

export async function statProviders(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  const compiled = compileStatQuery(query, providers.schema);
  const groups = await deps.store.collection(providers.name).group({ $and: [compiled.filter, visibleTo(domainOf(p))] }, compiled.group);
  return pageGroups(groups, compiled);
}
