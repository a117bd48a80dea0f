import type { CostServiceStatRequest, CostServiceStatResponse } from '../../../../gen/tally/billing/v1/cost';
import type { Principal } from '../../../../lib/auth/principal';
import { Decimal } from '../../../../lib/money';
import { compileStatQuery, readPath } from '../../../../lib/query';
import type { Accumulator, Store } from '../../../../lib/store/port';
import { COST_ROW_SCHEMA, DECIMAL_FIELDS } from './cost-row-schema';
import { compareAny, sortRows } from './row-order';
import { matchingRows } from './visible-cost-rows';

type State = { op: 'count'; n: number } | { op: 'sum'; d: Decimal } | { op: 'min' | 'max'; v: unknown } | { op: 'addToSet'; set: Map<string, unknown> };

function newState(acc: Accumulator): State {
  if (acc.op === 'count') return { op: 'count', n: 0 };
  if (acc.op === 'sum') return { op: 'sum', d: Decimal.ZERO };
  if (acc.op === 'addToSet') return { op: 'addToSet', set: new Map() };
  return { op: acc.op, v: undefined };
}

function accumulate(s: State, acc: Accumulator, row: Record<string, unknown>): void {
  if (s.op === 'count') {
    s.n++;
    return;
  }
  const v = readPath(row, (acc as { field: string }).field);
  const decimal = DECIMAL_FIELDS.has((acc as { field: string }).field);
  if (s.op === 'sum') {
    const d = typeof v === 'string' ? Decimal.tryParse(v) : null;
    if (d) s.d = s.d.add(d);
  } else if (s.op === 'addToSet') {
    if (v !== undefined) s.set.set(JSON.stringify(v), v);
  } else if (v !== undefined && v !== null) {
    if (s.v === undefined || (s.op === 'min' ? compareAny(v, s.v, decimal) < 0 : compareAny(v, s.v, decimal) > 0)) s.v = v;
  }
}

function result(s: State, decimal: boolean): unknown {
  if (s.op === 'count') return s.n;
  if (s.op === 'sum') return s.d;
  if (s.op === 'addToSet') return [...s.set.values()].sort((a, b) => compareAny(a, b, decimal));
  if (s.v === undefined) return null;
  return decimal && typeof s.v === 'string' ? (Decimal.tryParse(s.v) ?? s.v) : s.v;
}

/**
 * CostService.Stat over the visible rows (scoped and attributed as List's): group_by any
 * schema key, count, exact decimal sum / min / max of cost and usage_quantity (answered as
 * decimal strings), add_to_set; sorted (sums exactly) and paged.
 */
export async function statCosts(deps: { store: Store }, principal: Principal, request: CostServiceStatRequest): Promise<CostServiceStatResponse> {
  const compiled = compileStatQuery(request.query, COST_ROW_SCHEMA);
  const rows = await matchingRows(deps.store, principal, compiled.filter);
  const accs = Object.entries(compiled.group.accumulators);
  const groups = new Map<string, { keys: unknown[]; states: State[] }>();
  for (const r of rows as unknown as Record<string, unknown>[]) {
    const keys = compiled.keys.map((k) => readPath(r, k.stored) ?? null);
    const id = JSON.stringify(keys);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { keys, states: accs.map(([, acc]) => newState(acc)) }));
    accs.forEach(([, acc], i) => accumulate(g.states[i], acc, r));
  }
  const results = [...groups.values()].map((g) => {
    const out: Record<string, unknown> = {};
    compiled.keys.forEach((k, i) => (out[k.name] = g.keys[i]));
    accs.forEach(([name, acc], i) => (out[name] = result(g.states[i], acc.op !== 'count' && DECIMAL_FIELDS.has(acc.field))));
    return out;
  });
  sortRows(results, compiled.sort);
  const page = results.slice(compiled.skip, compiled.skip + compiled.limit).map((r) => {
    for (const [k, v] of Object.entries(r)) {
      if (v instanceof Decimal) r[k] = v.toString();
      else if (Array.isArray(v)) r[k] = v.map((x) => (x instanceof Decimal ? x.toString() : x));
    }
    return r;
  });
  return { result: { results: page, totalCount: results.length } };
}
