import { invalidArgument } from '../../lib/errors/domain-error';

/** The data source options the demo understands (all optional). */
export interface DemoOptions {
  /** Same seed, same rows. */
  seed: number;
  /** Linked accounts the service account reports for; each bills in one currency. */
  accounts: number;
  /** Rows per day per linked account. */
  rowsPerDay: number;
  pageSize: number;
}

const LIMITS = {
  seed: { key: 'seed', min: 0, max: 2 ** 31 - 1, default: 1 },
  accounts: { key: 'accounts', min: 1, max: 1_000, default: 1 },
  rowsPerDay: { key: 'rows_per_day', min: 1, max: 100_000, default: 40 },
  pageSize: { key: 'page_size', min: 1, max: 10_000, default: 1_000 },
} as const;

export const DEMO_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(
    Object.values(LIMITS).map((l) => [l.key, { type: 'integer', minimum: l.min, maximum: l.max, default: l.default }]),
  ),
};

/** Reads the options, INVALID_ARGUMENT naming the first bad one. */
export function parseDemoOptions(raw: Record<string, unknown> | undefined): DemoOptions {
  const o = raw ?? {};
  const known = new Set<string>(Object.values(LIMITS).map((l) => l.key));
  const unknown = Object.keys(o).find((k) => !known.has(k));
  if (unknown !== undefined) throw invalidArgument('DEMO.UNKNOWN_OPTION', `options.${unknown}`, `unknown option ${JSON.stringify(unknown.slice(0, 40))}; known: ${[...known].join(', ')}`);
  const read = (l: (typeof LIMITS)[keyof typeof LIMITS]) => {
    const v = o[l.key];
    if (v === undefined || v === null) return l.default;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < l.min || v > l.max) {
      throw invalidArgument('DEMO.INVALID_OPTION', `options.${l.key}`, `options.${l.key} must be an integer ${l.min}..${l.max}`);
    }
    return v;
  };
  return { seed: read(LIMITS.seed), accounts: read(LIMITS.accounts), rowsPerDay: read(LIMITS.rowsPerDay), pageSize: read(LIMITS.pageSize) };
}
