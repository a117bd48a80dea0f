import type { DataSource } from '../../../../gen/tally/billing/v1/data_source';
import { DataSourceState } from '../../../../gen/tally/billing/v1/data_source';
import type { ExchangeRate } from '../../../../gen/tally/billing/v1/exchange_rate';
import { JobState, type Job } from '../../../../gen/tally/billing/v1/job';
import { AttributionMode, type BillingSettings } from '../../../../gen/tally/billing/v1/settings';
import type {
  AttributionMode as AttributionName,
  DataSourceRecord,
  ExchangeRateRecord,
  JobRecord,
  JobState as JobStateName,
  SettingsRecord,
} from '../../domain/records';

/** Records to messages. A record may be partial when a query asked for `only` some fields. */
export const toDataSource = (d: Partial<DataSourceRecord>): DataSource => ({
  dataSourceId: d._id ?? '',
  name: d.name ?? '',
  providers: d.providers ?? [],
  pluginEndpoint: d.plugin_endpoint ?? '',
  options: d.options,
  state: d.state === 'ENABLED' ? DataSourceState.DATA_SOURCE_STATE_ENABLED : d.state === 'DISABLED' ? DataSourceState.DATA_SOURCE_STATE_DISABLED : DataSourceState.DATA_SOURCE_STATE_UNSPECIFIED,
  scheduleHours: d.schedule_hours ?? 0,
  currency: d.currency ?? '',
  domainId: d.domain_id ?? '',
  tags: d.tags,
  createdAt: d.created_at,
  lastSyncedAt: d.last_synced_at ?? undefined,
});

export const toSettings = (s: SettingsRecord): BillingSettings => ({
  domainId: s.domain_id,
  currency: s.currency,
  attributionMode: AttributionMode[`ATTRIBUTION_MODE_${s.attribution_mode}` as keyof typeof AttributionMode] as AttributionMode,
  firstSyncMonths: s.first_sync_months,
  scheduleHours: s.schedule_hours,
  hyperbillingEnabled: s.hyperbilling_enabled,
});

/** '' when unspecified: the use case keeps the current mode. */
export function fromAttributionMode(m: AttributionMode): AttributionName | '' {
  if (m === AttributionMode.ATTRIBUTION_MODE_FOLLOW_ACCOUNT) return 'FOLLOW_ACCOUNT';
  if (m === AttributionMode.ATTRIBUTION_MODE_AS_OF_DATE) return 'AS_OF_DATE';
  return '';
}

export const toExchangeRate = (r: Partial<ExchangeRateRecord>): ExchangeRate => ({
  exchangeRateId: r._id ?? '',
  currency: r.currency ?? '',
  quoteCurrency: r.quote_currency ?? '',
  rate: r.rate ?? '',
  effectiveDate: r.effective_date ?? '',
  domainId: r.domain_id ?? '',
});

const toJobState = (s: JobStateName | undefined): JobState =>
  s ? (JobState[`JOB_STATE_${s}` as keyof typeof JobState] as JobState) : JobState.JOB_STATE_UNSPECIFIED;

export const toJob = (j: Partial<JobRecord>): Job => ({
  jobId: j._id ?? '',
  dataSourceId: j.data_source_id ?? '',
  serviceAccountId: j.service_account_id ?? '',
  state: toJobState(j.state),
  trigger: j.trigger ?? '',
  startDate: j.start_date ?? '',
  endDate: j.end_date ?? '',
  tasks: (j.tasks ?? []).map((t) => ({ taskId: t.task_id, startDate: t.start_date, endDate: t.end_date, state: toJobState(t.state),
    rows: String(t.rows),
    skippedRecords: String(t.skipped_records ?? 0),
    notes: t.notes ?? [],
  })),
  rows: String(j.rows ?? 0),
  skippedRecords: String(j.skipped_records ?? 0),
  errorCode: j.error_code ?? '',
  errorMessage: j.error_message ?? '',
  domainId: j.domain_id ?? '',
  createdAt: j.created_at,
  finishedAt: j.finished_at ?? undefined,
});
