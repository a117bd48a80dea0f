/** Stored shapes of identity's resources (snake_case, as queried through tally.core.v1.Query). */
import type { RoleName } from '../../../lib/auth/principal';

export interface DomainRecord {
  _id: string;
  name: string;
  tags: Record<string, unknown>;
  created_at: Date;
  [k: string]: unknown;
}

export interface ApiKeyRecord {
  _id: string;
  domain_id: string;
  name: string;
  role: RoleName;
  project_ids: string[];
  /** SHA-256 of the key's secret part, hex. */
  key_hash: string;
  created_at: Date;
  expires_at: Date | null;
  [k: string]: unknown;
}

export interface ProviderRecord {
  _id: string;
  provider: string;
  /** '' for built-in providers. */
  domain_id: string;
  name: string;
  account_schema: Record<string, unknown>;
  credential_schema: Record<string, unknown>;
  is_billing: boolean;
  built_in: boolean;
  tags: Record<string, unknown>;
  created_at: Date;
  [k: string]: unknown;
}

export interface ProjectGroupRecord {
  _id: string;
  domain_id: string;
  name: string;
  parent_group_id: string;
  tags: Record<string, unknown>;
  created_at: Date;
  [k: string]: unknown;
}

export interface ProjectRecord {
  _id: string;
  domain_id: string;
  name: string;
  project_group_id: string;
  tags: Record<string, unknown>;
  created_at: Date;
  [k: string]: unknown;
}

export interface ServiceAccountRecord {
  _id: string;
  domain_id: string;
  name: string;
  provider: string;
  project_id: string;
  data: Record<string, unknown>;
  tags: Record<string, unknown>;
  secret_id: string;
  /**
   * The billing account it registers (domain/account-identity.ts), unique per domain through
   * a partial index; absent when its provider gives accounts no identity, and on records
   * written before the key existed (until their identifying data changes).
   */
  account_key?: string;
  /** Grows with every change; events carry it so consumers can drop stale ones. */
  version: number;
  created_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

export interface SealedRecord {
  key_version: number;
  [k: string]: unknown;
}

export interface SecretRecord {
  _id: string;
  domain_id: string;
  service_account_id: string;
  provider: string;
  key_version: number;
  /** The encrypted credentials; never leaves identity except decrypted through GetData. */
  sealed: SealedRecord;
  created_at: Date;
  updated_at: Date;
  [k: string]: unknown;
}

export const COLLECTIONS = {
  domains: 'domains',
  apiKeys: 'api_keys',
  providers: 'providers',
  projectGroups: 'project_groups',
  projects: 'projects',
  serviceAccounts: 'service_accounts',
  secrets: 'secrets',
} as const;
