import type { CostServiceAnalyzeRequest, CostServiceAnalyzeResponse, MissingRate } from '../../../../gen/tally/billing/v1/cost';
import type { Principal } from '../../../../lib/auth/principal';
import { Decimal } from '../../../../lib/money';
import type { Store } from '../../../../lib/store/port';
import { BILLING_COLLECTIONS, DEFAULT_SETTINGS, type SettingsRecord } from '../../domain/records';
import { LimbTotal, limbsToDecimal, type Limbs } from '../ledger/amount-limbs';
import { firstDayOf, lastDayOf } from '../ledger/calendar';
import { readConsistentlyAt } from '../ledger/ledger-epoch';
import { parseAnalyzeRequest, type AnalyzeSpec } from './analyze-request';
import { loadAttribution, type Attribution } from './attribution';
import { ACCOUNT_PATHS, choosePairs } from './candidates';
import { convert, loadRates, type RateBook, type RateRef } from './exchange-rates';
import { fetchFacts, type Fact, type FactChunks, type FactKey } from './fetch-facts';
import { andTerms, compilePredicate, filterPaths, type RowPredicate } from './filter-predicate';
import { LedgerReadSession } from './rollup-cache';
import { shapeGroups, type GroupTotals } from './group-results';
import { accumulatedPeriod, periodOf, periodsOf } from './periods';
import { scopeOf } from './principal-scope';
import { needsOf, planQuery, type Needs } from './query-plan';

const decimalOf = (l: Limbs): Decimal => limbsToDecimal(l.a0, l.a1, l.a2, l.a3);

export interface AnalyzeDeps {
  store: Store;
}

/** An exact amount per (group, period): the target currency's, and others' per rate. */
interface Cell {
  exact: LimbTotal;
  foreign: Map<string, { ref: RateRef; total: LimbTotal }> | null;
}

interface Group {
  values: string[];
  /** By the facts' own period (a date or a month), folded into the request's periods at the end. */
  cells: Map<string, Cell>;
}

/** What a fact key (and the project its costs went to) comes to: its group, or null when left out. */
interface Decision {
  project: string;
  group: Group | null;
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
  const clamps = new MonthClamps(spec);
  const plan = planQuery(spec, needs);
  const accountTerms = andTerms(spec.filter)
    .filter((t) => filterPaths(t).every((p) => ACCOUNT_PATHS.has(p)))
    .map((t) => compilePredicate(t));
  const { facts } = await readConsistentlyAt(
    store,
    domainId,
    async (source, at) => {
      const session = new LedgerReadSession(store, domainId, at);
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
          accountChanges: (sa, month) => attribution.mode !== 'FOLLOW_ACCOUNT' && attribution.changesWithin(sa, clamps.start(month), clamps.end(month)),
          currencyUnstable: (currency, month) => currency !== target && !rates.constantOver(currency, clamps.start(month), clamps.end(month)),
        },
      });
      return { facts: read, session };
    },
    ({ session }) => session.keep(),
  );
  return summarize(spec, facts, { attribution, rates, needs, projects: scope.projects, target, clamps });
}

/** The first and last days of a month within the request's range (remembered per request). */
class MonthClamps {
  private readonly memo = new Map<string, [string, string]>();

  constructor(private readonly spec: AnalyzeSpec) {}

  private of(month: string): [string, string] {
    let c = this.memo.get(month);
    if (!c) {
      const first = firstDayOf(month);
      const last = lastDayOf(month);
      this.memo.set(month, (c = [this.spec.start > first ? this.spec.start : first, this.spec.end < last ? this.spec.end : last]));
    }
    return c;
  }

  start(month: string): string {
    return this.of(month)[0];
  }

  end(month: string): string {
    return this.of(month)[1];
  }
}

interface SummaryContext {
  clamps: MonthClamps;
  attribution: Attribution;
  rates: RateBook;
  needs: Needs;
  projects: ReadonlySet<string> | null;
  target: string;
}

/**
 * Attributes, scopes, filters, converts and groups the facts into the response. Scope, filter
 * and group depend only on a fact's key and its project, so they are decided once per key (and
 * again when the key's project differs, under AS_OF_DATE); each fact then costs a lookup and an
 * exact addition.
 */
function summarize(spec: AnalyzeSpec, facts: FactChunks, ctx: SummaryContext): CostServiceAnalyzeResponse {
  const { attribution, rates, needs, projects, target, clamps } = ctx;
  const predicate: RowPredicate | null = Object.keys(spec.filter).length > 0 ? compilePredicate(spec.filter) : null;
  const accumulated = accumulatedPeriod(spec.start, spec.end);
  const periods = periodsOf(spec.granularity, spec.start, spec.end);
  const groups = new Map<string, Group>();
  const missing = new Map<string, Missing>();
  const decided = new Map<FactKey, Decision>();

  const decide = (key: FactKey, project: string): Decision => {
    if (projects && !projects.has(project)) return { project, group: null };
    const row: Record<string, unknown> = {
      project_id: project,
      project_group_id: predicate && needs.sa ? attribution.groupsOf(project) : undefined,
      service_account_id: key.sa,
      data_source_id: key.ds,
      ...key.dims,
      tags: key.tags,
    };
    if (predicate && !predicate(row)) return { project, group: null };
    const values = spec.groupBy.map((k) => valueOf(k, row, project, attribution));
    const gk = values.join('\u0000');
    let group = groups.get(gk);
    if (!group) groups.set(gk, (group = { values, cells: new Map() }));
    return { project, group };
  };

  /** A fact's date, or the first day of its month within the range. */
  const firstDay = (f: Fact) => (f.daily ? f.period : clamps.start(f.period));
  const followAccount = attribution.mode === 'FOLLOW_ACCOUNT';
  let lastKey: FactKey | null = null;
  let decision: Decision | null = null;
  for (const chunk of facts) {
    for (const f of chunk) {
      const { key } = f;
      // Facts of one key come together: under FOLLOW_ACCOUNT its project is the same on every date.
      if (key !== lastKey || !followAccount) {
        const project = needs.sa ? attribution.projectOn(key.sa, firstDay(f)) : '';
        if (key !== lastKey || decision?.project !== project) {
          decision = decided.get(key) ?? null;
          if (!decision || decision.project !== project) decided.set(key, (decision = decide(key, project)));
          lastKey = key;
        }
      }
      const group = (decision as Decision).group;
      if (!group) continue;

      let ref: RateRef | null = null;
      if (key.currency !== target) {
        const from = firstDay(f);
        const to = f.daily ? f.period : clamps.end(f.period);
        ref = f.daily ? rates.rateOn(key.currency, from) : rates.constantOver(key.currency, from, to);
        if (!ref) {
          let m = missing.get(key.currency);
          if (!m) missing.set(key.currency, (m = { total: new LimbTotal(), first: from, last: to }));
          m.total.add(f.a0, f.a1, f.a2, f.a3);
          if (from < m.first) m.first = from;
          if (to > m.last) m.last = to;
          continue;
        }
      }

      let cell = group.cells.get(f.period);
      if (!cell) group.cells.set(f.period, (cell = { exact: new LimbTotal(), foreign: null }));
      if (!ref) cell.exact.add(f.a0, f.a1, f.a2, f.a3);
      else {
        cell.foreign ??= new Map();
        let part = cell.foreign.get(ref.id);
        if (!part) cell.foreign.set(ref.id, (part = { ref, total: new LimbTotal() }));
        part.total.add(f.a0, f.a1, f.a2, f.a3);
      }
    }
  }

  const totals: GroupTotals[] = [];
  const allExact = new LimbTotal();
  let allConverted = Decimal.ZERO;
  for (const g of groups.values()) {
    const t: GroupTotals = { values: g.values, periods: new Map(), total: Decimal.ZERO };
    const exact = new LimbTotal();
    let converted = Decimal.ZERO;
    for (const [period, cell] of foldPeriods(g.cells, (own) => periodOf(spec.granularity, own, accumulated))) {
      let v = decimalOf(cell.exact);
      exact.add(cell.exact.a0, cell.exact.a1, cell.exact.a2, cell.exact.a3);
      for (const part of cell.foreign?.values() ?? []) {
        const c = convert(decimalOf(part.total), part.ref);
        v = v.add(c);
        converted = converted.add(c);
      }
      t.periods.set(period, v);
    }
    t.total = decimalOf(exact).add(converted);
    allExact.add(exact.a0, exact.a1, exact.a2, exact.a3);
    allConverted = allConverted.add(converted);
    totals.push(t);
  }
  const total = decimalOf(allExact).add(allConverted);
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

/** Cells by the facts' own periods (dates, months) added up, exactly, into the request's periods. */
function foldPeriods(cells: Map<string, Cell>, periodOf: (own: string) => string): Map<string, Cell> {
  const folded = new Map<string, Cell>();
  for (const [own, cell] of cells) {
    const period = periodOf(own);
    const into = folded.get(period);
    if (!into) {
      folded.set(period, cell);
      continue;
    }
    into.exact.add(cell.exact.a0, cell.exact.a1, cell.exact.a2, cell.exact.a3);
    for (const [id, part] of cell.foreign ?? []) {
      into.foreign ??= new Map();
      const same = into.foreign.get(id);
      if (same) same.total.add(part.total.a0, part.total.a1, part.total.a2, part.total.a3);
      else into.foreign.set(id, part);
    }
  }
  return folded;
}

function valueOf(key: string, row: Record<string, unknown>, project: string, attribution: Attribution): string {
  if (key === 'project_id') return project;
  if (key === 'project_group_id') return attribution.groupOf(project);
  if (key.startsWith('tags.')) return (row.tags as Record<string, string>)[key.slice(5)] ?? '';
  return (row[key] as string | undefined) ?? '';
}
