/**
 * Stored shapes of billing's data (snake_case, as queried through tally.core.v1.Query).
 * Billing owns one database; identity's resources appear here only as mirrors kept in step by
 * identity's events and a periodic reconciliation.
 */

export type AttributionMode = 'FOLLOW_ACCOUNT' | 'AS_OF_DATE';

/** A domain's billing preferences; created with defaults on first need. */
export interface SettingsRecord {
  _id: string; // the domain id
  domain_id: string;
  currency: string;
  attribution_mode: AttributionMode;
  first_sync_months: number;
  schedule_hours: number;
  hyperbilling_enabled: boolean;
  [k: string]: unknown;
}

export type DataSourceState = 'ENABLED' | 'DISABLED';

export interface DataSourceRecord {
  _id: string; // ds-…
  domain_id: string;
  name: string;
  providers: string[];
  plugin_endpoint: string;
  options: Record<string, unknown>;
  state: DataSourceState;
  schedule_hours: number;
  currency: string;
  /** True for the Hyper Billing data source every domain gets. */
  built_in: boolean;
  tags: Record<string, unknown>;
  created_at: Date;
  last_synced_at: Date | null;
  [k: string]: unknown;
}

/** Mirror of an identity service account (never its credentials). */
export interface AccountRecord {
  _id: string; // sa-…
  domain_id: string;
  name: string;
  provider: string;
  project_id: string;
  /** The provider's account id (data.account_id), matched against plugin rows. */
  external_account_id: string;
  data: Record<string, unknown>;
  secret_id: string;
  /** identity's version of the account; older events are ignored. */
  version: number;
  /** Per data source: the last successful sync (ISO date-time); absent until the first one. */
  synced: Record<string, string>;
  updated_at: Date;
  [k: string]: unknown;
}

/** Which project an account belonged to from one date to another (inclusive, YYYY-MM-DD). */
export interface AssignmentRecord {
  _id: string;
  domain_id: string;
  service_account_id: string;
  project_id: string;
  from: string;
  /** '9999-12-31' while current. */
  to: string;
  [k: string]: unknown;
}

export interface ProjectMirror {
  _id: string;
  domain_id: string;
  name: string;
  project_group_id: string;
  [k: string]: unknown;
}

export interface ProjectGroupMirror {
  _id: string;
  domain_id: string;
  name: string;
  parent_group_id: string;
  [k: string]: unknown;
}

/** An event already applied (idempotency by event id). */
export interface ProcessedEventRecord {
  _id: string;
  at: Date;
  [k: string]: unknown;
}

export type JobState = 'IN_PROGRESS' | 'SUCCESS' | 'FAILURE' | 'CANCELED';
export type JobTrigger = 'FIRST_SYNC' | 'SCHEDULE' | 'MANUAL' | 'ACCOUNT_CHANGED' | 'RECONCILE';

export interface JobTaskRecord {
  task_id: string;
  start_date: string;
  end_date: string;
  state: JobState;
  rows: number;
  /** Source records the plugin skipped as unreadable (absent on jobs stored before reports existed). */
  skipped_records?: number;
  /** The plugin's notes on the task (bad records, interpreted values). */
  notes?: string[];
}

export interface JobRecord {
  _id: string; // job-…
  domain_id: string;
  data_source_id: string;
  service_account_id: string;
  state: JobState;
  trigger: JobTrigger;
  start_date: string;
  end_date: string;
  tasks: JobTaskRecord[];
  rows: number;
  /** Sum of the tasks' skipped_records. */
  skipped_records?: number;
  error_code: string;
  error_message: string;
  /** The replica running it (for leases and cancellation across replicas). */
  owner: string;
  cancel_requested: boolean;
  created_at: Date;
  finished_at: Date | null;
  [k: string]: unknown;
}

/** A lease so two replicas never sync the same account of a data source at once. */
export interface LeaseRecord {
  _id: string; // sync:<ds>:<sa>
  owner: string;
  expires_at: Date;
  [k: string]: unknown;
}

export interface ExchangeRateRecord {
  _id: string; // <domain>:<currency>:<quote>:<date>
  domain_id: string;
  currency: string;
  quote_currency: string;
  rate: string;
  effective_date: string;
  [k: string]: unknown;
}

export const BILLING_COLLECTIONS = {
  settings: 'settings',
  dataSources: 'data_sources',
  accounts: 'accounts',
  assignments: 'assignments',
  projects: 'projects',
  projectGroups: 'project_groups',
  processedEvents: 'processed_events',
  jobs: 'jobs',
  leases: 'leases',
  exchangeRates: 'exchange_rates',
} as const;

/** Defaults of a domain's settings (DESIGN section 6). */
export const DEFAULT_SETTINGS = {
  currency: 'USD',
  attribution_mode: 'FOLLOW_ACCOUNT' as AttributionMode,
  first_sync_months: 12,
  schedule_hours: 24,
  hyperbilling_enabled: true,
};

/** The end of an open assignment. */
export const OPEN_END = '9999-12-31';
