import type { Principal } from '../../../../lib/auth/principal';
import { invalidArgument } from '../../../../lib/errors/domain-error';
import { ResourceCollection } from '../../../../lib/resource/resource-collection';
import type { Query, StatQuery } from '../../../../gen/tally/core/v1/query';
import { BILLING_COLLECTIONS, type JobRecord } from '../../domain/records';
import type { BillingDeps, DateWindow } from '../ports';
import { domainOf } from '../../../../lib/auth/principal';

/** Sync jobs as users query them (JobService). */
export const jobs = new ResourceCollection<JobRecord>(BILLING_COLLECTIONS.jobs, 'job', {
  resource: 'job',
  fields: {
    job_id: { type: 'string', stored: '_id' },
    data_source_id: 'string',
    service_account_id: 'string',
    state: 'string',
    trigger: 'string',
    start_date: 'string',
    end_date: 'string',
    rows: 'number',
    error_code: 'string',
    error_message: 'string',
    domain_id: 'string',
    created_at: 'datetime',
    finished_at: 'datetime',
  },
  keywordFields: ['job_id', 'service_account_id', 'error_message'],
  defaultSort: [{ key: 'created_at', desc: true }],
});

const requireId = (id: string, field: string) => {
  if (!id) throw invalidArgument('FIELD.REQUIRED', field, `${field} is required`);
  return id;
};

export const getJob = (deps: Pick<BillingDeps, 'store'>, p: Principal, jobId: string) =>
  jobs.get(deps.store, domainOf(p, 'DOMAIN_VIEWER'), requireId(jobId, 'job_id'));

export const listJobs = (deps: Pick<BillingDeps, 'store'>, p: Principal, query: Query | undefined) =>
  jobs.list(deps.store, domainOf(p, 'DOMAIN_VIEWER'), query);

export const statJobs = (deps: Pick<BillingDeps, 'store'>, p: Principal, query: StatQuery | undefined) =>
  jobs.stat(deps.store, domainOf(p, 'DOMAIN_VIEWER'), query);

export async function cancelJob(deps: Pick<BillingDeps, 'store' | 'sync'>, p: Principal, jobId: string): Promise<JobRecord> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  await deps.sync.cancel(domainId, requireId(jobId, 'job_id'));
  return jobs.get(deps.store, domainId, jobId);
}

/** DataSourceService.Sync: jobs for the data source's accounts (or the ones named), now. */
export async function syncNow(
  deps: Pick<BillingDeps, 'sync'>,
  p: Principal,
  req: { dataSourceId: string; serviceAccountIds: string[]; startDate: string; endDate: string },
): Promise<string[]> {
  const domainId = domainOf(p, 'DOMAIN_ADMIN');
  if (Boolean(req.startDate) !== Boolean(req.endDate)) {
    throw invalidArgument('SYNC.INVALID_WINDOW', req.startDate ? 'end_date' : 'start_date', 'give both start_date and end_date, or neither');
  }
  const window: DateWindow | undefined = req.startDate ? { start: req.startDate, end: req.endDate } : undefined;
  return deps.sync.requestSync({
    domainId,
    dataSourceId: requireId(req.dataSourceId, 'data_source_id'),
    serviceAccountIds: req.serviceAccountIds.length ? req.serviceAccountIds : undefined,
    window,
    trigger: 'MANUAL',
  });
}
