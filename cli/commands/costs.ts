import { UsageError } from '../args';
import type { Command } from '../command';
import { isGlobalFailure } from '../errors';
import type { GatewayClient } from '../gateway-client';
import { alignDecimals, renderTable } from '../table';
import { checkDate, monthsAgo, today } from './dates';

/** Short names a user types for the keys analyze groups by. */
const GROUP_KEYS: Record<string, string> = {
  project: 'project_id',
  'project-group': 'project_group_id',
  group: 'project_group_id',
  'service-account': 'service_account_id',
  account: 'service_account_id',
  provider: 'provider',
  product: 'product',
  region: 'region',
  'usage-type': 'usage_type',
  'data-source': 'data_source_id',
};

const GRANULARITIES = ['daily', 'monthly', 'yearly', 'accumulated'];

function groupKey(by: string): string {
  if (by.startsWith('tags.') && by.length > 5) return by;
  const key = GROUP_KEYS[by] ?? (Object.values(GROUP_KEYS).includes(by) ? by : undefined);
  if (!key) throw new UsageError(`--by must be one of ${Object.keys(GROUP_KEYS).join(', ')} or tags.<key> (not ${JSON.stringify(by)})`);
  return key;
}

/** Group keys whose values are ids of a resource with a name, and how to list those. */
const NAMED: Record<string, { list: string; header: string }> = {
  project_id: { list: '/identity/project/list', header: 'PROJECT_NAME' },
  project_group_id: { list: '/identity/project-group/list', header: 'PROJECT_GROUP_NAME' },
  service_account_id: { list: '/identity/service-account/list', header: 'SERVICE_ACCOUNT_NAME' },
};

/** The most values one `in` condition may hold (the gateway's query limit). */
const MAX_IN_VALUES = 1000;

/**
 * The names of the ids given, by one list call filtered on them (one per thousand ids). A name
 * that cannot be read (deleted since, or not visible to this key) is left out.
 */
async function namesOf(client: GatewayClient, key: string, ids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += MAX_IN_VALUES) {
    const chunk = ids.slice(i, i + MAX_IN_VALUES);
    try {
      const res = await client.call(NAMED[key].list, { query: { filter: [{ k: key, v: chunk, o: 'in' }], page: { start: 1, limit: chunk.length } } });
      for (const r of res.results as Record<string, string>[]) names.set(r[key], r.name);
    } catch (e) {
      if (isGlobalFailure(e)) throw e;
    }
  }
  return names;
}

type Group = { keys: Record<string, string>; series: { period: string; cost: string }[]; total: string };

export const costs: Command = {
  words: ['costs'],
  usage: 'costs [--from YYYY-MM-DD --to YYYY-MM-DD] [--by project|group|account|provider|product|region|...] [--granularity monthly|daily|yearly|accumulated] [--project <id>] [--group <id>]',
  flags: ['from', 'to', 'by', 'granularity', 'project', 'group'],
  positionals: 0,
  async run({ flags, client, io, say, printJson }) {
    const granularity = flags.get('granularity') ?? 'monthly';
    if (!GRANULARITIES.includes(granularity)) throw new UsageError(`--granularity must be one of ${GRANULARITIES.join(', ')} (not ${JSON.stringify(granularity)})`);
    const by = flags.all('by').map(groupKey);
    const start = checkDate(flags, 'from') ?? monthsAgo(granularity === 'daily' ? 0 : 11);
    const end = checkDate(flags, 'to') ?? today();
    const projects = [...new Set(flags.all('project'))];
    const groups = [...new Set(flags.all('group'))];
    // An id the domain does not have would only filter everything out: the gateway's NOT_FOUND instead.
    await Promise.all([
      ...projects.map((id) => client.call('/identity/project/get', { project_id: id })),
      ...groups.map((id) => client.call('/identity/project-group/get', { project_group_id: id })),
    ]);
    const filter = [...projects.map((v) => ({ k: 'project_id', v })), ...groups.map((v) => ({ k: 'project_group_id', v }))];
    const res = await client.call('/billing/cost/analyze', {
      granularity: `GRANULARITY_${granularity.toUpperCase()}`,
      start,
      end,
      group_by: by,
      filter,
    });
    if (printJson(res)) return;
    const periods = res.periods as string[];
    const results = res.results as Group[];
    // Each id column is followed by the names of its ids, read with one list call per key.
    const names = new Map<string, Map<string, string>>();
    for (const k of by.filter((k) => NAMED[k])) names.set(k, await namesOf(client, k, [...new Set(results.map((g) => g.keys[k]).filter(Boolean))]));
    const labels = (g: Group) => by.flatMap((k) => (names.has(k) ? [g.keys[k] || '-', g.keys[k] ? (names.get(k)!.get(g.keys[k]) ?? '?') : '-'] : [g.keys[k] || '-']));
    const labelHeaders = by.flatMap((k) => (names.has(k) ? [k.toUpperCase(), NAMED[k].header] : [k.toUpperCase()]));
    const amounts = (g: Group) => [...periods.map((p) => g.series.find((s) => s.period === p)?.cost ?? '0'), g.total];
    const bodyRows = results.map((g) => [...labels(g), ...amounts(g)]);
    const totalRow = [...labelHeaders.map((_, i) => (i === 0 ? 'TOTAL' : '')), ...periods.map((p) => sumColumn(results, p)), res.total as string];
    const rows = by.length ? [...bodyRows, totalRow] : [[...periods.map((p) => sumColumn(results, p)), res.total as string]];
    // Align each amount column on its decimal point.
    const first = labelHeaders.length;
    for (let c = first; c < first + periods.length + 1; c++) {
      const aligned = alignDecimals(rows.map((r) => r[c]));
      rows.forEach((r, i) => (r[c] = aligned[i]));
    }
    const headers = [...labelHeaders, ...periods, 'TOTAL'];
    io.stdout.write(renderTable(headers, rows, headers.map((_, i) => i >= first)));
    say(`amounts in ${res.currency}`);
    for (const m of (res.missing_rates ?? []) as { currency: string; amount: string; first_date: string; last_date: string }[]) {
      say(`not converted (no exchange rate): ${m.amount} ${m.currency} from ${m.first_date} to ${m.last_date}`);
    }
  },
};

/** The exact sum of one period's cost over the groups (decimal strings added as scaled BigInts). */
function sumColumn(groups: Group[], period: string): string {
  return addDecimals(groups.map((g) => g.series.find((s) => s.period === period)?.cost ?? '0'));
}

export function addDecimals(values: string[]): string {
  const scale = Math.max(0, ...values.map((v) => (v.includes('.') ? v.split('.')[1].length : 0)));
  const toInt = (v: string) => {
    const neg = v.startsWith('-');
    const [i, f = ''] = v.replace(/^[-+]/, '').split('.');
    const n = BigInt(`${i || '0'}${f.padEnd(scale, '0')}`);
    return neg ? -n : n;
  };
  const total = values.reduce((a, v) => a + toInt(v || '0'), 0n);
  const neg = total < 0n;
  const digits = (neg ? -total : total).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = scale ? digits.slice(-scale).replace(/0+$/, '') : '';
  return `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`;
}
