import { addDays, todayUtc, type DateRange } from '../dates';
import type { Account } from '../types';

export interface ConformanceOptions {
  /** secret_data for Verify, GetTasks and GetCostData. Default {}. */
  credentials?: Record<string, unknown>;
  /** secret_data that must be refused. Default: BAD_CREDENTIALS. */
  badCredentials?: Record<string, unknown>;
  /** The data source options sent with every call. Default {}. */
  options?: Record<string, unknown>;
  /** The account calls are about; external id defaults to credentials.account_id. */
  account?: Partial<Account>;
  /** Range to collect, YYYY-MM-DD inclusive. Default: the three days before today (UTC). */
  start?: string;
  end?: string;
  /** Bound on each unary call and on each first page. Default 10 s. */
  timeoutMs?: number;
  /** Bound on a cancelled stream ending with CANCELLED. Default 2 s. */
  cancelBoundMs?: number;
  /** Rows checked in all before the kit stops reading. Default 200,000. */
  maxRows?: number;
  /** Tasks streamed and checked. Default 12. */
  maxTasks?: number;
  domainId?: string;
}

/**
 * What the kit sends as deliberately bad credentials: well-formed looking values no real
 * backend accepts. The demo plugin rejects `api_key: "bad"` with UNAUTHENTICATED.
 */
export const BAD_CREDENTIALS: Readonly<Record<string, string>> = Object.freeze({
  account_id: 'tally-conformance-bad-account',
  api_key: 'bad',
  client_email: 'tally-conformance@invalid.example',
  private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n',
});

export interface Settings {
  credentials: Record<string, unknown>;
  badCredentials: Record<string, unknown>;
  options: Record<string, unknown>;
  account: Account;
  range: DateRange;
  timeoutMs: number;
  cancelBoundMs: number;
  maxRows: number;
  maxTasks: number;
  domainId: string;
}

export function resolveSettings(o: ConformanceOptions, provider: string | undefined, now = new Date()): Settings {
  const end = o.end ?? addDays(todayUtc(now), -1);
  const credentials = o.credentials ?? {};
  const accountId = typeof credentials.account_id === 'string' ? credentials.account_id : 'tally-conformance-account';
  return {
    credentials,
    badCredentials: o.badCredentials ?? { ...BAD_CREDENTIALS },
    options: o.options ?? {},
    account: {
      serviceAccountId: 'sa-conformance',
      externalAccountId: accountId,
      provider: provider ?? '',
      data: { account_id: accountId },
      ...o.account,
    },
    range: { start: o.start ?? addDays(end, -2), end },
    timeoutMs: o.timeoutMs ?? 10_000,
    cancelBoundMs: o.cancelBoundMs ?? 2_000,
    maxRows: o.maxRows ?? 200_000,
    maxTasks: o.maxTasks ?? 12,
    domainId: o.domainId ?? 'domain-conformance',
  };
}
