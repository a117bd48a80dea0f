import type { CostServiceAnalyzeRequest, CostServiceAnalyzeResponse, MissingRate } from '../../../../gen/tally/billing/v1/cost';
import type { Principal } from '../../../../lib/auth/principal';
import { Decimal } from '../../../../lib/money';
import type { Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, DEFAULT_SETTINGS, type SettingsRecord } from '../../domain/records';
import { LimbTotal } from '../ledger/amount-limbs';
import { firstDayOf, lastDayOf } from '../ledger/calendar';
import { readConsistentlyAt } from '../ledger/ledger-epoch';
import { parseAnalyzeRequest, type AnalyzeSpec } from './analyze-request';
import { loadAttribution, type Attribution } from './attribution';
import { ACCOUNT_PATHS, choosePairs } from './candidates';
import { convert, loadRates, type RateBook, type RateRef } from './exchange-rates';
import { fetchFacts, type Fact } from './fetch-facts';
import { andTerms, compilePredicate, filterPaths, type RowPredicate } from './filter-predicate';
import { LedgerReadSession } from './rollup-cache';
import { shapeGroups, type GroupTotals } from './group-results';
import { accumulatedPeriod, periodOf, periodsOf } from './periods';
import { scopeOf } from './principal-scope';
import { needsOf, planQuery, type Needs } from './query-plan';

export interface AnalyzeDeps {
  store: Store;
}

/** An exact amount per (group, period): the target currency's, and others' per rate. */
interface Cell {
  exact: LimbTotal;
  foreign: Map<string, { ref: RateRef; total: LimbTotal }>;
}

interface Missing {
  total: LimbTotal;
  first: string;
  last: string;
}

/**
 * CostService.Analyze: costs of the caller's domain (a PROJECT_MEMBER: of its projects only)
 * attributed to projects at query time, grouped, filtered, as series per group in one currency.
 * Rollups answer it (see planQuery); every amount is added exactly; costs in other currencies
 * are converted with the dated rate of their day (one rounding, to 18 places, per group, period
 * and rate); costs without a rate are reported in missing_rates and left out of the totals.
 */
export async function analyze(deps: AnalyzeDeps, principal: Principal, request: CostServiceAnalyzeRequest): Promise<CostServiceAnalyzeResponse> {
  const scope = scopeOf(principal);
  const spec = parseAnalyzeRequest(request);
  const { store } = deps;
  const domainId = scope.domainId;
  const settings = await store.collection<SettingsRecord>(BILLING_COLLECTIONS.settings).findOne({ _id: domainId });
  const target = spec.currency ?? settings?.currency ?? DEFAULT_SETTINGS.currency;
  const mode = settings?.attribution_mode ?? DEFAULT_SETTINGS.attribution_mode;
  const [attribution, rates] = await Promise.all([loadAttribution(store, domainId, mode), loadRates(store, domainId, target)]);

  const needs = needsOf(spec, scope.projects !== null);
  const plan = planQuery(spec, needs);
  const accountTerms = andTerms(spec.filter)
    .filter((t) => filterPaths(t).every((p) => ACCOUNT_PATHS.has(p)))
    .map((t) => compilePredicate(t));
  const { facts } = await readConsistentlyAt(
    store,
    domainId,
    async (source, epoch) => {
      const session = new LedgerReadSession(store, domainId, epoch);
      const candidates = choosePairs(await session.readVisibility(source), spec.start, spec.end, attribution, scope.projects, accountTerms);
      const read = await fetchFacts(source, {
        domainId,
        plan,
        needs,
        candidates,
        session,
        start: spec.start,
        end: spec.end,
        refinement: {
          accountChanges: (sa, month) => attribution.changesWithin(sa, clampStart(spec, month), clampEnd(spec, month)),
          currencyUnstable: (currency, month) => currency !== target && !rates.constantOver(currency, clampStart(spec, month), clampEnd(spec, month)),
        },
      });
      return { facts: read, session };
    },
    ({ session }) => session.keep(),
  );
  return summarize(spec, facts, { attribution, rates, needs, projects: scope.projects, target });
}

/** The first and last days of a month within the request's range (memoised per request). */
function clamps(spec: AnalyzeSpec): Map<string, [string, string]> {
  let map = clampMemo.get(spec);
  if (!map) clampMemo.set(spec, (map = new Map()));
  return map;
}
const clampMemo = new WeakMap<AnalyzeSpec, Map<string, [string, string]>>();
function clamped(spec: AnalyzeSpec, month: string): [string, string] {
  const memo = clamps(spec);
  let c = memo.get(month);
  if (!c) {
    const first = firstDayOf(month);
    const last = lastDayOf(month);
    memo.set(month, (c = [spec.start > first ? spec.start : first, spec.end < last ? spec.end : last]));
  }
  return c;
}
const clampStart = (spec: AnalyzeSpec, month: string) => clamped(spec, month)[0];
const clampEnd = (spec: AnalyzeSpec, month: string) => clamped(spec, month)[1];

interface SummaryContext {
  attribution: Attribution;
  rates: RateBook;
  needs: Needs;
  projects: ReadonlySet<string> | null;
  target: string;
}

/** Attributes, scopes, filters, converts and groups the facts into the response. */
function summarize(spec: AnalyzeSpec, facts: readonly Fact[], ctx: SummaryContext): CostServiceAnalyzeResponse {
  const { attribution, rates, needs, projects, target } = ctx;
  const predicate: RowPredicate | null = Object.keys(spec.filter).length > 0 ? compilePredicate(spec.filter) : null;
  const accumulated = accumulatedPeriod(spec.start, spec.end);
  const periods = periodsOf(spec.granularity, spec.start, spec.end);
  const groups = new Map<string, { values: string[]; cells: Map<string, Cell> }>();
  const missing = new Map<string, Missing>();

  for (const f of facts) {
    const from = f.daily ? f.period : clampStart(spec, f.period);
    const project = needs.sa ? attribution.projectOn(f.sa, from) : '';
    if (projects && !projects.has(project)) continue;
    const row: Record<string, unknown> = {
      project_id: project,
      project_group_id: predicate && needs.sa ? attribution.groupsOf(project) : undefined,
      service_account_id: f.sa,
      data_source_id: f.ds,
      ...f.dims,
      tags: f.tags,
    };
    if (predicate && !predicate(row)) continue;

    let ref: RateRef | null = null;
    if (f.currency !== target) {
      const to = f.daily ? f.period : clampEnd(spec, f.period);
      ref = f.daily ? rates.rateOn(f.currency, from) : rates.constantOver(f.currency, from, to);
      if (!ref) {
        let m = missing.get(f.currency);
        if (!m) missing.set(f.currency, (m = { total: new LimbTotal(), first: from, last: to }));
        m.total.add(f.a0, f.a1, f.a2, f.a3);
        if (from < m.first) m.first = from;
        if (to > m.last) m.last = to;
        continue;
      }
    }

    const values = spec.groupBy.map((k) => valueOf(k, row, project, attribution));
    const gk = values.join('\u0000');
    let group = groups.get(gk);
    if (!group) groups.set(gk, (group = { values, cells: new Map() }));
    const period = periodOf(spec.granularity, f.period, accumulated);
    let cell = group.cells.get(period);
    if (!cell) group.cells.set(period, (cell = { exact: new LimbTotal(), foreign: new Map() }));
    if (!ref) cell.exact.add(f.a0, f.a1, f.a2, f.a3);
    else {
      let part = cell.foreign.get(ref.id);
      if (!part) cell.foreign.set(ref.id, (part = { ref, total: new LimbTotal() }));
      part.total.add(f.a0, f.a1, f.a2, f.a3);
    }
  }

  const totals: GroupTotals[] = [];
  let total = Decimal.ZERO;
  for (const g of groups.values()) {
    const t: GroupTotals = { values: g.values, periods: new Map(), total: Decimal.ZERO };
    for (const [period, cell] of g.cells) {
      let v = cell.exact.toDecimal();
      for (const part of cell.foreign.values()) v = v.add(convert(part.total.toDecimal(), part.ref));
      t.periods.set(period, v);
      t.total = t.total.add(v);
    }
    total = total.add(t.total);
    totals.push(t);
  }
  if (spec.groupBy.length === 0 && totals.length === 0) totals.push({ values: [], periods: new Map(), total: Decimal.ZERO });

  const missingRates: MissingRate[] = [...missing.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, m]) => ({ currency, firstDate: m.first, lastDate: m.last, amount: m.total.toDecimal().toString() }));
  return {
    results: shapeGroups(totals, spec.groupBy, periods, spec.sort, spec.limit),
    periods,
    currency: target,
    total: total.toString(),
    missingRates,
    totalCount: totals.length,
  };
}

function valueOf(key: string, row: Record<string, unknown>, project: string, attribution: Attribution): string {
  if (key === 'project_id') return project;
  if (key === 'project_group_id') return attribution.groupOf(project);
  if (key.startsWith('tags.')) return (row.tags as Record<string, string>)[key.slice(5)] ?? '';
  return (row[key] as string | undefined) ?? '';
}
