import { UsageError } from '../args';
import type { Command } from '../command';
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
    const filter = [
      ...flags.all('project').map((v) => ({ k: 'project_id', v })),
      ...flags.all('group').map((v) => ({ k: 'project_group_id', v })),
    ];
    const res = await client.call('/billing/cost/analyze', {
      granularity: `GRANULARITY_${granularity.toUpperCase()}`,
      start: checkDate(flags, 'from') ?? monthsAgo(granularity === 'daily' ? 0 : 11),
      end: checkDate(flags, 'to') ?? today(),
      group_by: by,
      filter,
    });
    if (printJson(res)) return;
    const periods = res.periods as string[];
    const groups = res.results as Group[];
    const amounts = (g: Group) => [...periods.map((p) => g.series.find((s) => s.period === p)?.cost ?? '0'), g.total];
    const bodyRows = groups.map((g) => [...by.map((k) => g.keys[k] || '-'), ...amounts(g)]);
    const totalRow = [...by.map((_, i) => (i === 0 ? 'TOTAL' : '')), ...periods.map((p) => sumColumn(groups, p)), res.total as string];
    const rows = by.length ? [...bodyRows, totalRow] : [[...periods.map((p) => sumColumn(groups, p)), res.total as string]];
    // Align each amount column on its decimal point.
    const first = by.length;
    for (let c = first; c < first + periods.length + 1; c++) {
      const aligned = alignDecimals(rows.map((r) => r[c]));
      rows.forEach((r, i) => (r[c] = aligned[i]));
    }
    const headers = [...by.map((k) => k.toUpperCase()), ...periods, 'TOTAL'];
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
