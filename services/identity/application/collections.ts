import { ResourceCollection } from '../../../lib/resource/resource-collection';
import type { QuerySchema } from '../../../lib/query';
import type { IndexSpec } from '../../../lib/store/port';
import {
  COLLECTIONS,
  type ApiKeyRecord,
  type ProjectGroupRecord,
  type ProjectRecord,
  type SecretRecord,
  type ServiceAccountRecord,
} from '../domain/records';

const common = { name: 'string', tags: 'map', domain_id: 'string', created_at: 'datetime' } as const;
const byName = [{ key: 'name' }];

export const domains = {
  name: COLLECTIONS.domains,
  schema: {
    resource: 'domain',
    fields: { domain_id: { type: 'string', stored: '_id' }, name: 'string', tags: 'map', created_at: 'datetime' },
    keywordFields: ['domain_id', 'name'],
    defaultSort: byName,
  } satisfies QuerySchema,
};

export const providers = {
  name: COLLECTIONS.providers,
  schema: {
    resource: 'provider',
    fields: { ...common, provider: 'string', is_billing: 'boolean', built_in: 'boolean' },
    keywordFields: ['provider', 'name'],
    defaultSort: [{ key: 'provider' }],
  } satisfies QuerySchema,
};

export const apiKeys = new ResourceCollection<ApiKeyRecord>(COLLECTIONS.apiKeys, 'api key', {
  resource: 'api key',
  fields: { ...common, api_key_id: { type: 'string', stored: '_id' }, role: 'string', project_ids: 'string[]', expires_at: 'datetime' },
  keywordFields: ['api_key_id', 'name'],
  defaultSort: byName,
});

export const projectGroups = new ResourceCollection<ProjectGroupRecord>(COLLECTIONS.projectGroups, 'project group', {
  resource: 'project group',
  fields: { ...common, project_group_id: { type: 'string', stored: '_id' }, parent_group_id: 'string' },
  keywordFields: ['project_group_id', 'name'],
  defaultSort: byName,
});

export const projects = new ResourceCollection<ProjectRecord>(COLLECTIONS.projects, 'project', {
  resource: 'project',
  fields: { ...common, project_id: { type: 'string', stored: '_id' }, project_group_id: 'string' },
  keywordFields: ['project_id', 'name'],
  defaultSort: byName,
});

export const serviceAccounts = new ResourceCollection<ServiceAccountRecord>(COLLECTIONS.serviceAccounts, 'service account', {
  resource: 'service account',
  fields: {
    ...common,
    service_account_id: { type: 'string', stored: '_id' },
    provider: 'string',
    project_id: 'string',
    data: 'map',
    secret_id: 'string',
    updated_at: 'datetime',
  },
  keywordFields: ['service_account_id', 'name', 'data.account_id'],
  defaultSort: byName,
});

export const secrets = new ResourceCollection<SecretRecord>(COLLECTIONS.secrets, 'secret', {
  resource: 'secret',
  fields: {
    secret_id: { type: 'string', stored: '_id' },
    service_account_id: 'string',
    provider: 'string',
    key_version: 'number',
    domain_id: 'string',
    created_at: 'datetime',
    updated_at: 'datetime',
  },
  keywordFields: ['secret_id', 'service_account_id'],
  defaultSort: [{ key: 'created_at' }],
});

/** The unique index on the billing account a service account registers. */
export const SERVICE_ACCOUNT_KEY_INDEX = 'domain_account';

/** Indexes of identity's collections (unique ones enforce the rules above the store). */
export const IDENTITY_INDEXES: Record<string, IndexSpec[]> = {
  [COLLECTIONS.apiKeys]: [{ name: 'domain', fields: ['domain_id'] }],
  [COLLECTIONS.providers]: [{ name: 'domain_provider', fields: ['domain_id', 'provider'], unique: true }],
  [COLLECTIONS.projectGroups]: [{ name: 'domain_parent', fields: ['domain_id', 'parent_group_id'] }],
  [COLLECTIONS.projects]: [{ name: 'domain_group', fields: ['domain_id', 'project_group_id'] }],
  [COLLECTIONS.serviceAccounts]: [
    { name: 'domain_project', fields: ['domain_id', 'project_id'] },
    // One live service account per billing account and domain. Partial: records without a key
    // (no identity, or written before keys existed) are not held, so they never collide.
    { name: SERVICE_ACCOUNT_KEY_INDEX, fields: ['domain_id', 'account_key'], unique: true, partial: true },
  ],
  [COLLECTIONS.secrets]: [
    { name: 'domain', fields: ['domain_id'] },
    { name: 'key_version', fields: ['key_version'] },
  ],
};
