import { invalidArgument } from '../../lib/errors/domain-error';
import { monthsInRange, todayUtc, type Account, type PluginContext, type PluginImpl } from '../sdk';
import { DAILY_KIND, rowsFromEntries } from './cost-rows';
import { CREDENTIAL_SCHEMA, parseCredentials, type HyperBillingCredentials } from './credentials';
import { OPTIONS_SCHEMA, parseOptions, type HyperBillingOptions } from './options';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { fetchSummaryPage, fetchSummaryPages, type SummaryClientOptions } from './summary-client';

export const PLUGIN_NAME = 'hyperbilling';
export const PLUGIN_VERSION = '0.1.0';
export const PROVIDER = 'hyperbilling';
/** The endpoint when neither the data source's options nor the environment name one: the fake's default. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:8480';

export interface HyperBillingPluginOptions {
  /** The API's base URL when a data source's options give none. */
  endpoint?: string;
  retry?: Partial<RetryPolicy>;
  /** Today's date (UTC); Verify asks for this month. */
  today?: () => string;
  /** Source of the backoff jitter (tests). */
  random?: () => number;
  /** Rows per GetCostData page (Init's page_size); the SDK's default when unset. */
  pageSize?: number;
}

const yyyymm = (date: string) => date.slice(0, 4) + date.slice(5, 7);

/**
 * The Hyper Billing data source plugin: signs a short-lived RS256 JWT with the account's key and
 * reads the summary API's daily cost per service and region, one task per calendar month.
 */
export function createHyperBillingPlugin(settings: HyperBillingPluginOptions = {}): PluginImpl {
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...settings.retry };
  const defaultEndpoint = settings.endpoint ?? DEFAULT_ENDPOINT;
  const today = settings.today ?? (() => todayUtc());

  const prepare = (req: { secretData?: Record<string, unknown>; options?: Record<string, unknown>; account?: Account }) => {
    const credentials = parseCredentials(req.secretData);
    const options = parseOptions(req.options, defaultEndpoint, req.account?.data?.platform || credentials.platform);
    return { credentials, options };
  };
  const client = (credentials: HyperBillingCredentials, options: HyperBillingOptions, ctx: PluginContext): SummaryClientOptions => ({
    endpoint: options.endpoint,
    credentials,
    retry,
    logger: ctx.logger,
    signal: ctx.signal,
    random: settings.random,
  });

  return {
    init(req) {
      if (req.options) parseOptions(req.options, defaultEndpoint);
      return {
        name: PLUGIN_NAME,
        version: PLUGIN_VERSION,
        providers: [PROVIDER],
        currency: 'USD',
        credentialSchema: CREDENTIAL_SCHEMA as unknown as Record<string, unknown>,
        optionsSchema: OPTIONS_SCHEMA as unknown as Record<string, unknown>,
        ...(settings.pageSize ? { pageSize: settings.pageSize } : {}),
      };
    },

    async verify(req, ctx) {
      const { credentials, options } = prepare(req);
      await fetchSummaryPage(client(credentials, options, ctx), { months: [yyyymm(today())], kinds: ['monthly_cost'], platform: options.platform });
    },

    getTasks(req) {
      const { credentials } = prepare(req);
      const range = { start: req.startDate, end: req.endDate };
      return {
        tasks: monthsInRange(range).map((m) => ({
          taskId: `${PLUGIN_NAME}:${credentials.accountId}:${yyyymm(m.start)}`,
          taskOptions: { month: yyyymm(m.start) },
          startDate: m.start,
          endDate: m.end,
        })),
        windows: [{ externalAccountId: credentials.accountId, startDate: range.start, endDate: range.end }],
      };
    },

    async *getCostData(req, ctx) {
      const { credentials, options } = prepare(req);
      const task = req.task!;
      const range = { start: task.startDate, end: task.endDate };
      const month = yyyymm(range.start);
      if (yyyymm(range.end) !== month)
        throw invalidArgument('HYPERBILLING.TASK_SPANS_MONTHS', 'task', 'a Hyper Billing task covers one calendar month (daily data is read at most 31 days per call); use the tasks GetTasks gives');
      const rowContext = { accountId: credentials.accountId, provider: req.account?.provider || PROVIDER, platform: options.platform, range };
      let rows = 0;
      let monthlyOutside = 0;
      for await (const page of fetchSummaryPages(client(credentials, options, ctx), { months: [month], kinds: [DAILY_KIND], platform: options.platform })) {
        const mapped = rowsFromEntries(page.entries, rowContext);
        rows += mapped.rows.length;
        monthlyOutside += mapped.monthlyOutside;
        if (mapped.rows.length) yield mapped.rows;
      }
      if (monthlyOutside > 0)
        ctx.logger.warn(
          { month, task_start: range.start, left_out: monthlyOutside },
          "Hyper Billing gave monthly figures only; they belong on the month's first day, which is before this task's range, so they were left out (sync from the month's first day to refresh them)",
        );
      ctx.logger.debug({ month, rows }, 'Hyper Billing task done');
    },
  };
}
