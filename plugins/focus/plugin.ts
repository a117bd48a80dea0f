import { invalidArgument } from '../../lib/errors/domain-error';
import { MAX_REPORT_NOTES, type Account, type CostRowInput, type PluginContext, type PluginImpl, type TaskReportInput } from '../sdk';
import { describeProblem, missingColumnsError } from './bad-rows';
import { CREDENTIAL_SCHEMA, parseCredentials } from './credentials';
import { DailyAggregator, type DailyCost } from './daily-aggregator';
import { listSources, type SourceSettings } from './export-sources';
import { OPTIONS_SCHEMA, parseOptions } from './options';
import { readExports, readHeader } from './read-exports';
import { indexColumns } from './focus-columns';
import { clip } from './focus-values';

export const PLUGIN_NAME = 'focus';
export const PLUGIN_VERSION = '0.1.0';
export const PROVIDER = 'focus';
/** Tag that carries FOCUS ProviderName (AWS, Microsoft, Oracle...): the row's provider is Tally's `focus`. */
export const PROVIDER_TAG = 'focus_provider';
/** Files whose header Verify checks. */
const VERIFY_FILES = 20;
const MAX_TAGS = 99;
const MAX_TAG_VALUE = 2048;
const MAX_TAG_KEY = 512;

export interface FocusPluginOptions extends SourceSettings {
  /** Rows per GetCostData page (Init's page_size); the SDK's default when unset. */
  pageSize?: number;
}

/** The account a call is for: billing's external id (identity's data.account_id). */
function accountOf(account: Account | undefined): string {
  const id = account?.externalAccountId || (typeof account?.data?.account_id === 'string' ? account.data.account_id : '');
  if (!id) throw invalidArgument('FOCUS.ACCOUNT_REQUIRED', 'account.external_account_id', 'the account has no external id: set account_id to the SubAccountId (or BillingAccountId) its rows carry');
  return id;
}

/**
 * The FOCUS data source plugin: reads FOCUS 1.0 to 1.2 CSV exports (a file, a folder, a URL;
 * plain or gzip) and answers the rows of the account asked for, aggregated to the day. One task
 * per GetTasks call: each task reads the whole export, so months as tasks would read it once each.
 */
export function createFocusPlugin(settings: FocusPluginOptions = {}): PluginImpl {
  return {
    init(req) {
      if (req.options) parseOptions(req.options);
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
      const credentials = parseCredentials(req.secretData);
      const options = parseOptions(req.options);
      const sources = await listSources(credentials, settings);
      for (const source of sources.slice(0, VERIFY_FILES)) {
        const header = await readHeader(source, ctx.signal);
        const { missing } = indexColumns(header, options.costColumn);
        if (missing.length) throw missingColumnsError(source.name, missing);
      }
    },

    getTasks(req) {
      parseCredentials(req.secretData);
      const account = accountOf(req.account);
      return {
        tasks: [{ taskId: `${PLUGIN_NAME}:${req.startDate}..${req.endDate}`, startDate: req.startDate, endDate: req.endDate }],
        windows: [{ externalAccountId: account, startDate: req.startDate, endDate: req.endDate }],
      };
    },

    async *getCostData(req, ctx) {
      const credentials = parseCredentials(req.secretData);
      const options = parseOptions(req.options);
      const account = accountOf(req.account);
      const task = req.task!;
      const aggregator = new DailyAggregator({ ...options, account, range: { start: task.startDate, end: task.endDate } });
      const sources = await listSources(credentials, settings);
      await readExports(sources, aggregator, ctx.signal);
      logSummary(ctx, aggregator, sources.length);
      const provider = req.account?.provider || PROVIDER;
      const info = { focus_cost_column: options.costColumn };
      const cut = { rows: 0 };
      for (const cost of aggregator.results()) yield toCostRow(cost, provider, info, cut);
      ctx.report(taskReport(aggregator, cut.rows));
    },
  };
}

/**
 * What the job shows of a task: the rows skipped as unreadable (under on_bad_rows skip) with the
 * first of them as `file:line:column: problem`, what had to be interpreted in each file, and rows
 * whose tags were cut to the first MAX_TAGS.
 */
export function taskReport(aggregator: DailyAggregator, rowsWithTagsCut: number): TaskReportInput {
  const bad = aggregator.bad;
  const notes = bad.first.map((p) => `skipped ${describeProblem(p)}`);
  if (bad.count > bad.first.length) notes.push(`skipped ${bad.count - bad.first.length} more unreadable rows`);
  if (rowsWithTagsCut) notes.push(`${rowsWithTagsCut} daily rows had tags left out: more than ${MAX_TAGS}, or keys over ${MAX_TAG_KEY} characters (the first ${MAX_TAGS} short keys were kept)`);
  for (const file of aggregator.files) {
    const summary = file.summary();
    if (summary) notes.push(`interpreted ${summary}`);
  }
  if (notes.length > MAX_REPORT_NOTES) notes.splice(MAX_REPORT_NOTES - 1, notes.length, `and ${notes.length - MAX_REPORT_NOTES + 1} more notes (see the plugin's log)`);
  return { skippedRecords: bad.count, notes: notes.map((n) => clip(n, 497)) };
}

function logSummary(ctx: PluginContext, aggregator: DailyAggregator, files: number): void {
  const fields = {
    files,
    line_items: aggregator.lineItems,
    rows: aggregator.size,
    outside_range: aggregator.outsideRange,
    bad_rows_skipped: aggregator.bad.count,
    interpreted: aggregator.files.map((f) => f.summary()).filter(Boolean),
  };
  if (aggregator.bad.count) ctx.logger.warn({ ...fields, first_bad_rows: aggregator.bad.first.map(describeProblem) }, 'FOCUS export read; unreadable rows were skipped');
  else ctx.logger.info(fields, 'FOCUS export read');
}

/** The daily cost as a row; `cut.rows` counts rows with tags left out (beyond MAX_TAGS, or keys over MAX_TAG_KEY). */
export function toCostRow(cost: DailyCost, provider: string, info: Record<string, string>, cut: { rows: number }): CostRowInput {
  const tags: Record<string, string> = {};
  let n = 0;
  let left = false;
  for (const [k, v] of Object.entries(cost.tags)) {
    if (k.length > MAX_TAG_KEY || n >= MAX_TAGS) {
      left = true;
      continue;
    }
    n++;
    tags[k] = v.length > MAX_TAG_VALUE ? v.slice(0, MAX_TAG_VALUE) : v;
  }
  if (left) cut.rows++;
  tags[PROVIDER_TAG] = cost.provider;
  return {
    billedDate: cost.day,
    externalAccountId: cost.account,
    provider,
    product: cost.service,
    region: cost.region,
    usageType: cost.chargeCategory,
    usageQuantity: cost.quantity,
    usageUnit: cost.unit,
    cost: cost.cost,
    currency: cost.currency,
    tags,
    additionalInfo: { ...info, focus_line_items: String(cost.lineItems) },
  };
}
