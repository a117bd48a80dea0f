import type { Command } from '../command';
import { renderTable } from '../table';
import { checkDate } from './dates';

export const sync: Command = {
  words: ['sync'],
  usage: 'sync [--data-source <id>] [--account <service account id> ...] [--start YYYY-MM-DD --end YYYY-MM-DD]',
  flags: ['data-source', 'account', 'start', 'end'],
  positionals: 0,
  async run({ flags, client, say, printJson }) {
    const start = checkDate(flags, 'start');
    const end = checkDate(flags, 'end');
    let ids = flags.all('data-source');
    if (ids.length === 0) ids = ((await client.call('/billing/data-source/list', {})).results as { data_source_id: string }[]).map((d) => d.data_source_id);
    const jobIds: string[] = [];
    for (const id of ids) {
      const res = await client.call('/billing/data-source/sync', { data_source_id: id, service_account_ids: flags.all('account'), start_date: start ?? '', end_date: end ?? '' });
      jobIds.push(...(res.job_ids as string[]));
    }
    if (printJson({ job_ids: jobIds })) return;
    if (jobIds.length === 0) say('no job started: no service account to sync');
    for (const id of jobIds) say(id);
  },
};

const STATE = (s: string) => s.replace(/^JOB_STATE_/, '');

export const jobs: Command = {
  words: ['jobs'],
  usage: 'jobs [--account <service account id>] [--limit N]',
  flags: ['account', 'limit'],
  positionals: 0,
  async run({ flags, client, io, printJson }) {
    const account = flags.get('account');
    const limit = Number(flags.get('limit') ?? 20);
    const res = await client.call('/billing/job/list', {
      query: {
        ...(account ? { filter: [{ k: 'service_account_id', v: account }] } : {}),
        sort: [{ key: 'created_at', desc: true }],
        page: { start: 1, limit: Number.isInteger(limit) && limit > 0 ? limit : 20 },
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
