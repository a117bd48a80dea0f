import type { Principal } from '../../../lib/auth/principal';
import { alreadyExists, invalidArgument, notFound } from '../../../lib/errors/domain-error';
import { newId } from '../../../lib/ids/ids';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { BusMessage } from '../../../lib/events/port';
import { DuplicateKeyError, type Filter } from '../../../lib/store/port';
import { accountIdentity, type AccountIdentity } from '../domain/account-identity';
import { credentialsBoundTo } from '../domain/providers';
import type { ProviderRecord, ServiceAccountRecord } from '../domain/records';
import { validateAgainst } from '../domain/schema-validator';
import { projects, SERVICE_ACCOUNT_KEY_INDEX, serviceAccounts } from './collections';
import { commit } from './commit';
import type { IdentityDeps } from './deps';
import { secretEvent, serviceAccountEvent } from './events';
import { projectScope } from './projects';
import { findProvider } from './providers';
import { domainOf } from '../../../lib/auth/principal';
import { deleteSecretOf, writeSecret } from './secrets';
import type { Source } from './source';
import { checkName, checkTags, requireId } from '../../../lib/validate/fields';

const MAX_DATA_BYTES = 16 * 1024;

function checkSize(value: Record<string, unknown>, field: string): void {
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_DATA_BYTES) {
    throw invalidArgument('FIELD.TOO_LARGE', field, `${field} must be at most ${MAX_DATA_BYTES} bytes`);
  }
}

const requiredFields = (provider: ProviderRecord) => (provider.account_schema.required as string[] | undefined) ?? [];

/**
 * The credentials must be for the account the data names: billing syncs the account the
 * credentials say, the dashboard shows the one the data says. No value is echoed.
 */
function checkSameAccount(provider: ProviderRecord, data: Record<string, unknown>, secretData: Record<string, unknown>): void {
  for (const key of credentialsBoundTo(provider)) {
    if (data[key] !== undefined && secretData[key] !== undefined && data[key] !== secretData[key]) {
      throw invalidArgument(
        'SERVICE_ACCOUNT.ACCOUNT_MISMATCH',
        `secret_data.${key}`,
        `secret_data.${key} and data.${key} name different accounts; credentials are for one account, register another account as a service account of its own`,
      );
    }
  }
}

/** A uuid the schema accepts in any case and with a urn:uuid: prefix, in one form: lowercase, bare. */
const canonicalUuid = (v: string) => v.trim().toLowerCase().replace(/^urn:uuid:/, '');

/** Fields of format uuid are stored in their canonical form, so one subscription is one account. */
function canonicalUuids(provider: ProviderRecord, data: Record<string, unknown>): void {
  const properties = (provider.account_schema.properties as Record<string, { format?: unknown }> | undefined) ?? {};
  for (const [key, spec] of Object.entries(properties)) {
    if (spec?.format === 'uuid' && typeof data[key] === 'string') data[key] = canonicalUuid(data[key]);
  }
}

/**
 * Account data, validated against the provider's account schema. A field the account schema
 * requires and the credentials carry under the same name (Hyper Billing's account_id) is taken
 * from the credentials when the data leaves it out, and must agree with them when it does not.
 */
function accountData(provider: ProviderRecord, data: Record<string, unknown>, secretData?: Record<string, unknown>) {
  const out = { ...data };
  if (secretData) {
    checkSameAccount(provider, out, secretData);
    for (const key of requiredFields(provider)) if (out[key] === undefined && typeof secretData[key] === 'string') out[key] = secretData[key];
  }
  canonicalUuids(provider, out);
  checkSize(out, 'data');
  validateAgainst(provider.account_schema, out, 'data');
  return out;
}

function credentials(provider: ProviderRecord, secretData: Record<string, unknown>): Record<string, unknown> {
  checkSize(secretData, 'secret_data');
  validateAgainst(provider.credential_schema, secretData, 'secret_data');
  return secretData;
}

/** Billing providers need a project; a given project must exist in the domain. */
async function checkProject(source: Source, domainId: string, provider: ProviderRecord, projectId: string): Promise<string> {
  if (!projectId) {
    if (provider.is_billing) {
      throw invalidArgument(
        'SERVICE_ACCOUNT.PROJECT_REQUIRED',
        'project_id',
        `project_id is required: ${provider.name} accounts are billing accounts and their costs belong to a project`,
      );
    }
    return '';
  }
  if (!(await projects.find(source, domainId, projectId))) throw notFound('project', projectId);
  return projectId;
}

/** A field name that reads the same as a dotted query path (data.<name>). */
const PLAIN_FIELD = /^[A-Za-z0-9_-]+$/;

/**
 * Refuses an identity another live service account of the domain already registers, naming
 * that account (never a value: the data may have come from the credentials). Only this domain
 * is searched: another domain may register the same billing account and learns nothing of it.
 * Accounts stored with the key are found by it; any of the provider's, by their data too (a
 * record written before keys, or keyed under an older account schema).
 */
async function checkNotRegistered(
  source: Source,
  domainId: string,
  provider: ProviderRecord,
  identity: AccountIdentity,
  data: Record<string, unknown>,
  selfId?: string,
): Promise<void> {
  const or: Filter[] = [{ account_key: identity.key }];
  if (identity.fields.every((f) => PLAIN_FIELD.test(f))) {
    const byData = Object.fromEntries(identity.fields.map((f) => [`data.${f}`, data[f]]));
    // Also records keyed before (none, or under an older schema of a custom provider): by their data.
    or.push({ provider: provider.provider, ...byData });
  }
  const filter: Filter = { domain_id: domainId, $or: or, ...(selfId ? { _id: { $ne: selfId } } : {}) };
  const candidates = await serviceAccounts.in(source).find(filter, {
    sort: [
      { field: 'created_at', direction: 1 },
      { field: '_id', direction: 1 },
    ],
    projection: ['account_key', 'data'],
  });
  const holder = candidates.find((c) => c.account_key === identity.key || accountIdentity(provider, c.data ?? {})?.key === identity.key);
  if (holder) throw accountTaken(provider, identity, holder._id);
}

function accountTaken(provider: ProviderRecord, identity: AccountIdentity, holderId?: string): Error {
  const fields = identity.fields.map((f) => `data.${f}`).join(', ');
  const by = holderId ? `by service account ${holderId}` : 'by another service account';
  return alreadyExists(
    'SERVICE_ACCOUNT.EXISTS',
    `this ${provider.name} account (${fields}) is already registered in the domain ${by}; registering it twice would count its costs twice`,
    `data.${identity.fields[0]}`,
  );
}

/**
 * Runs a change that may store an account key. When a concurrent change took the key between
 * the check and the write, the unique index refuses it; running the change again then finds
 * that account and answers ALREADY_EXISTS naming it.
 */
async function withKeyRetry<R>(run: () => Promise<R>, taken: () => Error | undefined): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof DuplicateKeyError && e.index === SERVICE_ACCOUNT_KEY_INDEX)) throw e;
      if (attempt >= 3) throw taken() ?? e;
    }
  }
}

export interface CreateServiceAccount {
  name: string;
  provider: string;
  projectId: string;
  data?: Record<string, unknown>;
  secretData?: Record<string, unknown>;
  tags?: Record<string, unknown>;
}

export async function createServiceAccount(deps: IdentityDeps, p: Principal, req: CreateServiceAccount): Promise<ServiceAccountRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const name = checkName(req.name, 'name');
  if (!req.provider) throw invalidArgument('FIELD.REQUIRED', 'provider', 'provider is required');
  const tags = checkTags(req.tags);
  const provider = await findProvider(deps.store, domainId, req.provider).catch(() => {
    throw invalidArgument('SERVICE_ACCOUNT.UNKNOWN_PROVIDER', 'provider', `provider ${req.provider} does not exist`);
  });
  if (provider.is_billing && !req.projectId) await checkProject(deps.store, domainId, provider, '');
  const secretData = req.secretData && Object.keys(req.secretData).length ? credentials(provider, req.secretData) : undefined;
  const data = accountData(provider, req.data ?? {}, secretData);
  const identity = accountIdentity(provider, data);
  const now = deps.now();
  const create = () => commit(deps, async (tx) => {
    const account: ServiceAccountRecord = {
      _id: newId('sa'),
      domain_id: domainId,
      name,
      provider: provider.provider,
      project_id: await checkProject(tx, domainId, provider, req.projectId),
      data,
      tags,
      secret_id: '',
      version: 1,
      created_at: now,
      updated_at: now,
    };
    if (identity) {
      await checkNotRegistered(tx, domainId, provider, identity, data);
      account.account_key = identity.key;
    }
    if (secretData) account.secret_id = (await writeSecret(deps, tx, account, secretData)).secretId;
    await serviceAccounts.in(tx).insertOne(account);
    return { result: account, events: [serviceAccountEvent('created', account, now)] };
  });
  return identity ? withKeyRetry(create, () => accountTaken(provider, identity)) : create();
}

export interface UpdateServiceAccount {
  serviceAccountId: string;
  name?: string;
  projectId?: string;
  data?: Record<string, unknown>;
  tags?: Record<string, unknown>;
}

export async function updateServiceAccount(deps: IdentityDeps, p: Principal, req: UpdateServiceAccount): Promise<ServiceAccountRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(req.serviceAccountId, 'service_account_id');
  const name = req.name === undefined ? undefined : checkName(req.name, 'name');
  const tags = req.tags === undefined ? undefined : checkTags(req.tags);
  let taken: Error | undefined;
  const update = () => commit(deps, async (tx) => {
    const current = await serviceAccounts.get(tx, domainId, id);
    const provider = await findProvider(tx, domainId, current.provider);
    const next: ServiceAccountRecord = { ...current, version: current.version + 1, updated_at: deps.now() };
    if (name !== undefined) next.name = name;
    if (tags !== undefined) next.tags = tags;
    if (req.data !== undefined) {
      next.data = accountData(provider, req.data);
      // What the credentials say cannot be changed apart from them (update-secret-data checks the other way).
      if (current.secret_id) {
        for (const key of credentialsBoundTo(provider)) {
          if (current.data[key] !== undefined && next.data[key] !== current.data[key]) {
            throw invalidArgument(
              'SERVICE_ACCOUNT.ACCOUNT_MISMATCH',
              `data.${key}`,
              `data.${key} comes with the credentials and cannot change on its own; register another account as a service account of its own`,
            );
          }
        }
      }
      // Only a change of the billing account is checked (and keyed): renaming or moving an
      // account stored before keys existed never fails on a duplicate registered back then.
      const before = accountIdentity(provider, current.data);
      const after = accountIdentity(provider, next.data);
      if (after?.key !== before?.key) {
        delete next.account_key;
        if (after) {
          taken = accountTaken(provider, after);
          await checkNotRegistered(tx, domainId, provider, after, next.data, id);
          next.account_key = after.key;
        }
      }
    }
    if (req.projectId !== undefined) next.project_id = await checkProject(tx, domainId, provider, req.projectId);
    await serviceAccounts.in(tx).replaceOne({ _id: id, domain_id: domainId }, next);
    const moved = next.project_id !== current.project_id;
    const event = moved
      ? serviceAccountEvent('project_changed', next, next.updated_at, current.project_id)
      : serviceAccountEvent('updated', next, next.updated_at);
    return { result: next, events: [event] };
  });
  return withKeyRetry(update, () => taken);
}

export async function updateServiceAccountSecret(
  deps: IdentityDeps,
  p: Principal,
  req: { serviceAccountId: string; secretData?: Record<string, unknown> },
): Promise<ServiceAccountRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(req.serviceAccountId, 'service_account_id');
  if (!req.secretData || !Object.keys(req.secretData).length) {
    throw invalidArgument('FIELD.REQUIRED', 'secret_data', 'secret_data is required');
  }
  const secretData = req.secretData;
  return commit(deps, async (tx) => {
    const current = await serviceAccounts.get(tx, domainId, id);
    const provider = await findProvider(tx, domainId, current.provider);
    checkSameAccount(provider, current.data, secretData);
    const written = await writeSecret(deps, tx, current, credentials(provider, secretData));
    const events: BusMessage[] = [secretEvent(written.record, deps.now())];
    let result = current;
    if (written.secretId !== current.secret_id) {
      result = { ...current, secret_id: written.secretId, version: current.version + 1, updated_at: deps.now() };
      await serviceAccounts.in(tx).replaceOne({ _id: id, domain_id: domainId }, result);
      events.push(serviceAccountEvent('updated', result, result.updated_at));
    }
    return { result, events };
  });
}

export async function deleteServiceAccount(deps: IdentityDeps, p: Principal, serviceAccountId: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const id = requireId(serviceAccountId, 'service_account_id');
  await commit(deps, async (tx) => {
    const current = await serviceAccounts.get(tx, domainId, id);
    await deleteSecretOf(tx, current);
    await serviceAccounts.in(tx).deleteOne({ _id: id, domain_id: domainId });
    const gone = { ...current, version: current.version + 1 };
    return { result: undefined, events: [serviceAccountEvent('deleted', gone, deps.now())] };
  });
}

export async function getServiceAccount(deps: IdentityDeps, p: Principal, id: string): Promise<ServiceAccountRecord> {
  const domainId = domainOf(p, 'PROJECT_MEMBER');
  const found = await serviceAccounts.get(deps.store, domainId, requireId(id, 'service_account_id'));
  if (p.role === 'PROJECT_MEMBER' && !p.projectIds.includes(found.project_id)) throw notFound('service account', id);
  return found;
}

export async function listServiceAccounts(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  return serviceAccounts.list(deps.store, domainOf(p, 'PROJECT_MEMBER'), query, projectScope(p, 'project_id'));
}

export async function statServiceAccounts(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  return serviceAccounts.stat(deps.store, domainOf(p, 'PROJECT_MEMBER'), query, projectScope(p, 'project_id'));
}
