/**
 * The seams between billing's parts, so each can be built and tested on its own:
 * mirror (identity's accounts, projects and groups kept in step), ledger (stored costs, their
 * atomic replacement and rollups, analyze), sync (jobs that run plugins into the ledger).
 */
import type { Principal } from '../../../lib/auth/principal';
import type { Store } from '../../../lib/store/port';
import type { Logger } from '../../../lib/log/logger';
import type { JobTrigger } from '../domain/records';

/** One cost row from a plugin, validated: exact canonical decimals, ISO currency, date checked. */
export interface CostRowInput {
  billed_date: string;
  provider: string;
  product: string;
  region: string;
  usage_type: string;
  resource_id: string;
  usage_quantity: string;
  usage_unit: string;
  cost: string;
  currency: string;
  tags: Record<string, string>;
  additional_info: Record<string, string>;
}

/** A date range, inclusive, YYYY-MM-DD. */
export interface DateWindow {
  start: string;
  end: string;
}

export interface ReplaceTarget {
  domainId: string;
  dataSourceId: string;
  serviceAccountId: string;
  jobId: string;
  /** The stored rows of the account and data source inside these windows are replaced on commit. */
  windows: DateWindow[];
}

/** Writes a new version of some windows; invisible to every reader until commit. */
export interface LedgerWriter {
  write(rows: CostRowInput[]): Promise<void>;
  /** Makes the new rows (and the rollups) visible in one step, replacing the old ones. */
  commit(): Promise<{ rows: number }>;
  /** Drops what was written; the old data stays as it was. */
  abort(): Promise<void>;
}

export interface CostLedger {
  begin(target: ReplaceTarget): Promise<LedgerWriter>;
  /** Removes an account's costs from every view (the account was deleted). */
  removeAccount(domainId: string, serviceAccountId: string): Promise<void>;
  /** Removes a data source's costs from every view (it was deregistered). */
  removeDataSource(domainId: string, dataSourceId: string): Promise<void>;
  /** Deletes rows no longer visible (superseded or aborted writes). */
  collectGarbage(): Promise<number>;
}

/** What billing asks of identity (SYSTEM calls with billing's own credential). */
export interface IdentityPort {
  getSecretData(domainId: string, secretId: string, signal?: AbortSignal): Promise<Record<string, unknown>>;
  listDomains(): Promise<{ domainId: string; name: string }[]>;
  listServiceAccounts(domainId: string): Promise<IdentityAccount[]>;
  listProjects(domainId: string): Promise<{ projectId: string; name: string; projectGroupId: string }[]>;
  listProjectGroups(domainId: string): Promise<{ projectGroupId: string; name: string; parentGroupId: string }[]>;
  /** Turns an API key into a principal (for callers that do not come through the gateway). */
  verify(credential: string): Promise<Principal | null>;
}

export interface IdentityAccount {
  serviceAccountId: string;
  name: string;
  provider: string;
  projectId: string;
  secretId: string;
  data: Record<string, unknown>;
  version: number;
}

export interface SyncRequest {
  domainId: string;
  dataSourceId: string;
  /** Every account the data source serves when absent. */
  serviceAccountIds?: string[];
  /** The recent window (or the first-sync depth for never-synced accounts) when absent. */
  window?: DateWindow;
  trigger: JobTrigger;
}

/** Runs sync jobs; the mirror calls it when accounts appear or change. */
export interface SyncPort {
  requestSync(req: SyncRequest): Promise<string[]>;
  /** Starts first syncs for an account on every enabled data source serving its provider. */
  accountChanged(domainId: string, serviceAccountId: string): Promise<void>;
  cancel(domainId: string, jobId: string): Promise<void>;
}

/** What every part of billing is handed. */
export interface BillingDeps {
  store: Store;
  logger: Logger;
  ledger: CostLedger;
  identity: IdentityPort;
  sync: SyncPort;
  /** host:port of the Hyper Billing plugin, for the data source each domain gets; none when empty. */
  hyperbillingEndpoint: string;
  now: () => Date;
}
