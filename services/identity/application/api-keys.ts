import type { Principal, RoleName } from '../../../lib/auth/principal';
import { invalidArgument } from '../../../lib/errors/domain-error';
import type { Query, StatQuery } from '../../../gen/tally/core/v1/query';
import type { ApiKeyRecord, ProjectRecord } from '../domain/records';
import { mintApiKey } from './api-key-secret';
import { apiKeys, projects } from './collections';
import type { IdentityDeps } from './deps';
import { domainOf } from '../../../lib/auth/principal';
import { checkName, requireId } from '../../../lib/validate/fields';

const GRANTABLE: RoleName[] = ['DOMAIN_ADMIN', 'DOMAIN_VIEWER', 'PROJECT_MEMBER'];

export async function createApiKey(
  deps: IdentityDeps,
  p: Principal,
  req: { name: string; role: RoleName | undefined; projectIds: string[]; expiresAt?: Date },
) {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const name = checkName(req.name, 'name');
  if (!req.role || !GRANTABLE.includes(req.role)) {
    throw invalidArgument('API_KEY.BAD_ROLE', 'role', `role must be one of ${GRANTABLE.map((r) => `ROLE_${r}`).join(', ')}`);
  }
  const projectIds = [...new Set(req.projectIds)];
  if (req.role === 'PROJECT_MEMBER') {
    if (!projectIds.length) throw invalidArgument('API_KEY.PROJECTS_REQUIRED', 'project_ids', 'project_ids is required for ROLE_PROJECT_MEMBER');
    const found = await deps.store.collection<ProjectRecord>(projects.name).count({ domain_id: domainId, _id: { $in: projectIds } });
    if (found !== projectIds.length) throw invalidArgument('API_KEY.UNKNOWN_PROJECT', 'project_ids', 'project_ids names a project that does not exist');
  } else if (projectIds.length) {
    throw invalidArgument('API_KEY.PROJECTS_NOT_ALLOWED', 'project_ids', 'project_ids is only for ROLE_PROJECT_MEMBER');
  }
  if (req.expiresAt && req.expiresAt.getTime() <= deps.now().getTime()) {
    throw invalidArgument('API_KEY.EXPIRED', 'expires_at', 'expires_at must be in the future');
  }
  const minted = mintApiKey();
  const record: ApiKeyRecord = {
    _id: minted.keyId,
    domain_id: domainId,
    name,
    role: req.role,
    project_ids: req.role === 'PROJECT_MEMBER' ? projectIds : [],
    key_hash: minted.hash,
    created_at: deps.now(),
    expires_at: req.expiresAt ?? null,
  };
  await deps.store.collection<ApiKeyRecord>(apiKeys.name).insertOne(record);
  return { apiKey: record, key: minted.key };
}

export async function deleteApiKey(deps: IdentityDeps, p: Principal, id: string): Promise<void> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  const key = await apiKeys.get(deps.store, domainId, requireId(id, 'api_key_id'));
  await deps.store.collection(apiKeys.name).deleteOne({ _id: key._id, domain_id: domainId });
}

export async function getApiKey(deps: IdentityDeps, p: Principal, id: string) {
  return apiKeys.get(deps.store, domainOf(p, 'DOMAIN_ADMIN'), requireId(id, 'api_key_id'));
}

export async function listApiKeys(deps: IdentityDeps, p: Principal, query: Query | undefined) {
  return apiKeys.list(deps.store, domainOf(p, 'DOMAIN_ADMIN'), query);
}

export async function statApiKeys(deps: IdentityDeps, p: Principal, query: StatQuery | undefined) {
  return apiKeys.stat(deps.store, domainOf(p, 'DOMAIN_ADMIN'), query);
}
