import type { Command } from '../command';
import { CommandFailed, describeError, isGlobalFailure } from '../errors';
import type { GatewayClient } from '../gateway-client';
import { renderTable } from '../table';
import { checkDate } from './dates';

/** The most items one page of a list may hold (the gateway's page limit). */
const MAX_PAGE_LIMIT = 1000;

type DataSource = { data_source_id: string; name: string; providers: string[]; state: string };
const ENABLED = 'DATA_SOURCE_STATE_ENABLED';
const label = (ds: DataSource) => `${ds.data_source_id} (${ds.name})`;
const unique = (values: string[]) => [...new Set(values)];

/** One DataSourceService.Sync to send: the data source and the accounts it gets (all of its own when none). */
interface SyncRequest {
  id: string;
  label: string;
  accounts: string[];
}

/**
 * Which data source syncs which named account: each account goes to every enabled data source
 * (of the candidates) serving its provider. An account none serves, or one the gateway does not
 * know, fails the whole command before anything starts.
 */
async function route(client: GatewayClient, candidates: DataSource[], accountIds: string[], restricted: boolean): Promise<SyncRequest[]> {
  const lookups = await Promise.allSettled(accountIds.map((id) => client.call('/identity/service-account/get', { service_account_id: id })));
  const global = lookups.find((l) => l.status === 'rejected' && isGlobalFailure(l.reason)) as PromiseRejectedResult | undefined;
  if (global) throw global.reason;
  const problems: string[] = [];
  const byDataSource = new Map<string, SyncRequest>();
  lookups.forEach((l, i) => {
    const id = accountIds[i];
    if (l.status === 'rejected') return problems.push(`service account ${id}: ${describeError(l.reason)}`);
    const provider = String(l.value.service_account?.provider ?? '');
    const serving = candidates.filter((ds) => ds.providers.includes(provider));
    const enabled = serving.filter((ds) => ds.state === ENABLED);
    if (enabled.length === 0) {
      const why = serving.length
        ? `${serving.map(label).join(', ')} ${serving.length === 1 ? 'serves' : 'serve'} it but ${serving.length === 1 ? 'is' : 'are'} disabled`
        : `no${restricted ? ' named' : ''} data source serves ${provider} accounts`;
      return problems.push(`service account ${id} (${provider}) cannot be synced: ${why}`);
    }
    for (const ds of enabled) {
      const req = byDataSource.get(ds.data_source_id) ?? { id: ds.data_source_id, label: label(ds), accounts: [] };
      req.accounts.push(id);
      byDataSource.set(ds.data_source_id, req);
    }
  });
  if (problems.length) throw new CommandFailed([...problems, 'nothing was synced']);
  return [...byDataSource.values()];
}

export const sync: Command = {
  words: ['sync'],
  usage: 'sync [--data-source <id> ...] [--account <service account id> ...] [--start YYYY-MM-DD --end YYYY-MM-DD]',
  summary: 'syncs every enabled data source, or only those serving the accounts named',
  flags: ['data-source', 'account', 'start', 'end'],
  positionals: 0,
  async run({ flags, client, io, say, printJson }) {
    const start = checkDate(flags, 'start');
    const end = checkDate(flags, 'end');
    const named = unique(flags.all('data-source'));
    const accountIds = unique(flags.all('account'));
    const skipped: DataSource[] = [];
    let requests: SyncRequest[];
    if (named.length && accountIds.length === 0) {
      // An explicit choice: each data source named, as asked (the gateway says if one is disabled).
      requests = named.map((id) => ({ id, label: id, accounts: [] }));
    } else {
      const candidates: DataSource[] = named.length
        ? await Promise.all(named.map(async (id) => (await client.call('/billing/data-source/get', { data_source_id: id })).data_source as DataSource))
        : ((await client.call('/billing/data-source/list', {})).results as DataSource[]);
      if (accountIds.length) {
        requests = await route(client, candidates, accountIds, named.length > 0);
      } else {
        skipped.push(...candidates.filter((ds) => ds.state !== ENABLED));
        requests = candidates.filter((ds) => ds.state === ENABLED).map((ds) => ({ id: ds.data_source_id, label: label(ds), accounts: [] }));
      }
    }
    const results = await Promise.allSettled(
      requests.map((r) => client.call('/billing/data-source/sync', { data_source_id: r.id, service_account_ids: r.accounts, start_date: start ?? '', end_date: end ?? '' })),
    );
    const global = results.find((r) => r.status === 'rejected' && isGlobalFailure(r.reason)) as PromiseRejectedResult | undefined;
    if (global) throw global.reason;
    const jobIds: string[] = [];
    const failures: string[] = [];
    results.forEach((r, i) => {
      if (r.status === 'fulfilled') jobIds.push(...(r.value.job_ids as string[]));
      else failures.push(`data source ${requests[i].label} did not sync: ${describeError(r.reason)}`);
    });
    for (const ds of skipped) io.stderr.write(`skipped data source ${label(ds)}: it is disabled\n`);
    if (!printJson({ job_ids: jobIds, skipped_data_source_ids: skipped.map((ds) => ds.data_source_id) })) {
      if (jobIds.length === 0 && failures.length === 0) say('no job started: no service account to sync');
      for (const id of jobIds) say(id);
    }
    if (failures.length) {
      throw new CommandFailed([...failures, `${failures.length} of ${requests.length} data sources failed to sync`]);
    }
  },
};

const STATE = (s: string) => s.replace(/^JOB_STATE_/, '');

export const jobs: Command = {
  words: ['jobs'],
  usage: 'jobs [--account <service account id>] [--limit 1-1000]',
  flags: ['account', 'limit'],
  positionals: 0,
  async run({ flags, client, io, printJson }) {
    const account = flags.get('account');
    const limit = flags.integer('limit', 20, 1, MAX_PAGE_LIMIT);
    const res = await client.call('/billing/job/list', {
      query: {
        ...(account ? { filter: [{ k: 'service_account_id', v: account }] } : {}),
        sort: [{ key: 'created_at', desc: true }],
        page: { start: 1, limit },
      },
    });
    if (printJson(res)) return;
    type Job = { job_id: string; service_account_id: string; state: string; trigger: string; start_date: string; end_date: string; rows: string; skipped_records?: string; error_code: string; error_message: string };
    const rows = (res.results as Job[]).map((j) => [
      j.job_id,
      j.service_account_id,
      STATE(j.state),
      j.trigger,
      `${j.start_date}..${j.end_date}`,
      String(j.rows ?? '0'),
      String(j.skipped_records ?? '0'),
      j.error_message ? `${j.error_code}: ${j.error_message}` : '',
    ]);
    io.stdout.write(renderTable(['JOB', 'SERVICE ACCOUNT', 'STATE', 'TRIGGER', 'WINDOW', 'ROWS', 'SKIPPED', 'ERROR'], rows, [false, false, false, false, false, true, true]));
  },
};
