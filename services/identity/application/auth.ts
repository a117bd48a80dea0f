import { timingSafeEqual } from 'node:crypto';
import type { Principal } from '../../../lib/auth/principal';
import type { ApiKeyRecord } from '../domain/records';
import { hashSecret, parseApiKey, sameHash } from './api-key-secret';
import { apiKeys } from './collections';
import type { IdentityDeps } from './deps';

export const ROOT_PRINCIPAL: Principal = { subject: 'system:root', domainId: '', role: 'SYSTEM', projectIds: [] };

function isRootKey(deps: IdentityDeps, credential: string): boolean {
  const a = Buffer.from(credential);
  const b = Buffer.from(deps.rootKey);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Turns a credential into a principal: the root key, an internal token signed by a service or
 * the gateway, or a domain's API key. Null when it is none of those (or expired).
 */
export async function verifyCredential(deps: IdentityDeps, credential: string): Promise<Principal | null> {
  if (!credential) return null;
  if (isRootKey(deps, credential)) return ROOT_PRINCIPAL;
  const internal = deps.verifyInternalToken(credential, deps.now().getTime());
  if (internal) return internal;
  const parsed = parseApiKey(credential);
  if (!parsed) return null;
  const record = await deps.store.collection<ApiKeyRecord>(apiKeys.name).findOne({ _id: parsed.keyId });
  if (!record || !sameHash(record.key_hash, hashSecret(parsed.secret))) return null;
  if (record.expires_at && record.expires_at.getTime() <= deps.now().getTime()) return null;
  return { subject: record._id, domainId: record.domain_id, role: record.role, projectIds: record.project_ids };
}
