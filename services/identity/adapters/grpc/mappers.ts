import type { RoleName } from '../../../../lib/auth/principal';
import { Role } from '../../../../gen/tally/identity/v1/role';
import type { ApiKey } from '../../../../gen/tally/identity/v1/api_key';
import type { Domain } from '../../../../gen/tally/identity/v1/domain';
import type { Project } from '../../../../gen/tally/identity/v1/project';
import type { ProjectGroup } from '../../../../gen/tally/identity/v1/project_group';
import type { Provider } from '../../../../gen/tally/identity/v1/provider';
import type { Secret } from '../../../../gen/tally/identity/v1/secret';
import type { ServiceAccount } from '../../../../gen/tally/identity/v1/service_account';
import type {
  ApiKeyRecord,
  DomainRecord,
  ProjectGroupRecord,
  ProjectRecord,
  ProviderRecord,
  SecretRecord,
  ServiceAccountRecord,
} from '../../domain/records';

/** Records to messages. A record may be partial when the query asked for `only` some fields. */
export const toRole = (r: RoleName | undefined): Role => (r ? Role[`ROLE_${r}` as keyof typeof Role] as Role : Role.ROLE_UNSPECIFIED);

export function fromRole(r: Role): RoleName | undefined {
  const name = Role[r];
  return typeof name === 'string' && name.startsWith('ROLE_') && r !== Role.ROLE_UNSPECIFIED ? (name.slice(5) as RoleName) : undefined;
}

export const toDomain = (d: Partial<DomainRecord>): Domain => ({
  domainId: d._id ?? '',
  name: d.name ?? '',
  tags: d.tags,
  createdAt: d.created_at,
});

export const toApiKey = (k: Partial<ApiKeyRecord>): ApiKey => ({
  apiKeyId: k._id ?? '',
  name: k.name ?? '',
  role: toRole(k.role),
  projectIds: k.project_ids ?? [],
  domainId: k.domain_id ?? '',
  createdAt: k.created_at,
  expiresAt: k.expires_at ?? undefined,
});

export const toProvider = (p: Partial<ProviderRecord>): Provider => ({
  provider: p.provider ?? '',
  name: p.name ?? '',
  accountSchema: p.account_schema,
  credentialSchema: p.credential_schema,
  isBilling: p.is_billing ?? false,
  builtIn: p.built_in ?? false,
  domainId: p.domain_id ?? '',
  tags: p.tags,
  createdAt: p.created_at,
});

export const toProjectGroup = (g: Partial<ProjectGroupRecord>): ProjectGroup => ({
  projectGroupId: g._id ?? '',
  name: g.name ?? '',
  parentGroupId: g.parent_group_id ?? '',
  domainId: g.domain_id ?? '',
  tags: g.tags,
  createdAt: g.created_at,
});

export const toProject = (p: Partial<ProjectRecord>): Project => ({
  projectId: p._id ?? '',
  name: p.name ?? '',
  projectGroupId: p.project_group_id ?? '',
  domainId: p.domain_id ?? '',
  tags: p.tags,
  createdAt: p.created_at,
});

export const toServiceAccount = (s: Partial<ServiceAccountRecord>): ServiceAccount => ({
  serviceAccountId: s._id ?? '',
  name: s.name ?? '',
  provider: s.provider ?? '',
  projectId: s.project_id ?? '',
  data: s.data,
  tags: s.tags,
  secretId: s.secret_id ?? '',
  domainId: s.domain_id ?? '',
  createdAt: s.created_at,
  updatedAt: s.updated_at,
  version: String(s.version ?? 0),
});

/** Metadata only: the sealed content never leaves through this. */
export const toSecret = (s: Partial<SecretRecord>): Secret => ({
  secretId: s._id ?? '',
  serviceAccountId: s.service_account_id ?? '',
  provider: s.provider ?? '',
  keyVersion: s.key_version ?? 0,
  domainId: s.domain_id ?? '',
  createdAt: s.created_at,
  updatedAt: s.updated_at,
});
