import type { Principal } from '../../../lib/auth/principal';
import { requireRole } from '../../../lib/auth/principal';
import { openSecret, rewrapSecret, sealSecret, type SealedSecret } from '../../../lib/crypto';
import { DomainError, invalidArgument } from '../../../lib/errors/domain-error';
import { newId } from '../../../lib/ids/ids';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { TxContext } from '../../../lib/store/port';
import type { SecretRecord, ServiceAccountRecord } from '../domain/records';
import { secrets } from './collections';
import type { IdentityDeps } from './deps';
import { domainOf } from '../../../lib/auth/principal';
import { requireId } from '../../../lib/validate/fields';

const aad = (s: { _id: string; domain_id: string }) => ({ domainId: s.domain_id, secretId: s._id });

/** Encrypts credentials into the account's secret (a new one when it has none). */
export async function writeSecret(
  deps: IdentityDeps,
  tx: TxContext,
  account: ServiceAccountRecord,
  data: Record<string, unknown>,
): Promise<{ secretId: string; record: SecretRecord }> {
  const now = deps.now();
  const existing = account.secret_id ? await secrets.find(tx, account.domain_id, account.secret_id) : null;
  const id = existing?._id ?? newId('secret');
  const plaintext = Buffer.from(JSON.stringify(data), 'utf8');
  const sealed = sealSecret(deps.keyRing, plaintext, aad({ _id: id, domain_id: account.domain_id }));
  plaintext.fill(0);
  const record: SecretRecord = {
    _id: id,
    domain_id: account.domain_id,
    service_account_id: account._id,
    provider: account.provider,
    key_version: sealed.key_version,
    sealed: sealed as unknown as SecretRecord['sealed'],
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  if (existing) await secrets.in(tx).replaceOne({ _id: id, domain_id: account.domain_id }, record);
  else await secrets.in(tx).insertOne(record);
  return { secretId: id, record };
}

export async function deleteSecretOf(tx: TxContext, account: ServiceAccountRecord): Promise<void> {
  if (account.secret_id) await secrets.in(tx).deleteOne({ _id: account.secret_id, domain_id: account.domain_id });
}

/** Decrypted credentials, for SYSTEM callers only (billing's own credential). */
export async function getSecretData(deps: IdentityDeps, p: Principal, domainId: string, secretId: string): Promise<Record<string, unknown>> {
  requireRole(p, 'SYSTEM');
  const domain = requireId(domainId || p.domainId, 'domain_id');
  const record = await secrets.get(deps.store, domain, requireId(secretId, 'secret_id'));
  let plaintext: Buffer;
  try {
    plaintext = openSecret(deps.keyRing, record.sealed as unknown as SealedSecret, aad(record));
  } catch {
    throw new DomainError('FAILED_PRECONDITION', 'SECRET.UNREADABLE', `secret ${record._id} cannot be decrypted with the configured master keys`);
  }
  try {
    return JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
  } finally {
    plaintext.fill(0);
  }
}

const REWRAP_BATCH = 100;
const REWRAP_MAX = 1000;

/**
 * Re-wraps secrets still under an older master key with the newest one. Each record is
 * replaced only if nobody changed it meanwhile, so concurrent writers and readers are safe.
 */
export async function rewrapSecrets(deps: IdentityDeps, p: Principal, limit = 0): Promise<{ rewrapped: number; remaining: number }> {
  requireRole(p, 'SYSTEM');
  if (limit > REWRAP_MAX) throw invalidArgument('SECRET.REWRAP_LIMIT', 'limit', `limit must be at most ${REWRAP_MAX}`);
  const newest = deps.keyRing.newestVersion;
  const coll = deps.store.collection<SecretRecord>(secrets.name);
  const stale = await coll.find({ key_version: { $lt: newest } }, { limit: limit || REWRAP_BATCH });
  let rewrapped = 0;
  for (const record of stale) {
    const sealed = rewrapSecret(deps.keyRing, record.sealed as unknown as SealedSecret, aad(record));
    const matched = await coll.updateOne(
      { _id: record._id, key_version: record.key_version, updated_at: record.updated_at },
      { $set: { sealed, key_version: sealed.key_version } },
    );
    rewrapped += matched;
  }
  return { rewrapped, remaining: await coll.count({ key_version: { $lt: newest } }) };
}

export async function getSecret(deps: IdentityDeps, p: Principal, id: string) {
  return secrets.get(deps.store, domainOf(p, 'DOMAIN_ADMIN'), requireId(id, 'secret_id'));
}

export async function listSecrets(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  return secrets.list(deps.store, domainOf(p, 'DOMAIN_ADMIN'), query);
}

export async function statSecrets(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  return secrets.stat(deps.store, domainOf(p, 'DOMAIN_ADMIN'), query);
}
