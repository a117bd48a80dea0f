import { DomainError } from '../../../../lib/errors/domain-error';
import type { Source } from '../../../../lib/resource/resource-collection';
import { compareValues } from '../../../../lib/store/value-order';
import { LimbTotal, parseLimbs } from '../ledger/amount-limbs';
import { firstDayOf, lastDayOf, monthsBetween, yearsBetween } from '../ledger/calendar';
import { accountBucketKey, domainBucketKey, isStored, periodField, rollupCollection, type FamilyName, type Grain } from '../ledger/rollup-families';
import { chunkRows, forEachVisibleChunk } from '../ledger/visible-rows';
import type { Candidates } from './candidates';
import type { BucketDoc, LedgerReadSession } from './rollup-cache';
import type { Needs, Piece, Plan } from './query-plan';

/** Costs as read: one amount per period, currency and the keys the plan grouped on. */
export interface Fact {
  /** A date (daily) or a month. */
  period: string;
  daily: boolean;
  /** '' when not grouped on. */
  sa: string;
  ds: string;
  currency: string;
  /** provider, product, region, usage_type: those grouped on. */
  dims: Record<string, string>;
  /** Tags read: { key: value } (a missing key: untagged). */
  tags: Record<string, string>;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  rows: number;
}

/** Which monthly costs must be read day by day instead. */
export interface Refinement {
  /** The account's project changes within the month (AS_OF_DATE). */
  accountChanges(serviceAccountId: string, month: string): boolean;
  /** No single exchange rate covers the whole month for this currency. */
  currencyUnstable(currency: string, month: string): boolean;
}

export interface FetchInput {
  domainId: string;
  plan: Plan;
  needs: Needs;
  candidates: Candidates;
  /** Where the visibility and rollup documents are read from (cached per ledger epoch). */
  session: LedgerReadSession;
  start: string;
  end: string;
  refinement: Refinement;
}

/** Documents one group may add before a float64 limb sum could stop being exact. */
const SAFE_GROUP_DOCS = Math.floor(Number.MAX_SAFE_INTEGER / 1e9);

const DIM_FIELDS = new Set(['provider', 'product', 'region', 'usage_type']);

/** Reads the facts of a plan (call inside readConsistently: several reads). */
export async function fetchFacts(source: Source, input: FetchInput): Promise<Fact[]> {
  if (input.candidates.pairs.length === 0) return [];
  if (input.plan.source === 'raw') return fetchRaw(source, input, input.start, input.end);
  if (input.plan.family !== 'tag') return fetchFamily(source, input, input.plan.family, input.plan.keys);
  const keys = input.plan.keys.filter((k) => k !== 'tag_value');
  const [tagged, all] = await Promise.all([fetchFamily(source, input, 'tag', input.plan.keys), fetchFamily(source, input, 'provider', keys)]);
  return [...tagged, ...untagged(tagged, all, input.plan.tagKey as string)];
}

/** The part of each provider-family fact that no tag fact covers: costs without the tag. */
function untagged(tagged: Fact[], all: Fact[], tagKey: string): Fact[] {
  const keyOf = (f: Fact) => [f.period, f.daily ? 'd' : 'm', f.currency, f.sa, f.ds, f.dims.provider ?? ''].join('\u0000');
  const rest = new Map<string, { fact: Fact; total: LimbTotal; rows: number }>();
  for (const f of all) {
    const k = keyOf(f);
    const r = rest.get(k);
    if (r) {
      r.total.add(f.a0, f.a1, f.a2, f.a3);
      r.rows += f.rows;
    } else rest.set(k, { fact: f, total: new LimbTotal().add(f.a0, f.a1, f.a2, f.a3), rows: f.rows });
  }
  for (const t of tagged) {
    const r = rest.get(keyOf(t));
    if (!r) throw new DomainError('INTERNAL', 'LEDGER.ROLLUPS_DISAGREE', `tag rollup of ${tagKey} has costs its provider rollup lacks`);
    r.total.add(-t.a0, -t.a1, -t.a2, -t.a3);
    r.rows -= t.rows;
  }
  const out: Fact[] = [];
  for (const { fact, total, rows } of rest.values()) {
    if (rows <= 0) continue;
    out.push({ ...fact, tags: {}, a0: total.a0, a1: total.a1, a2: total.a2, a3: total.a3, rows });
  }
  return out;
}

/** Reads one family over every piece, then re-reads at the day grain the months that need it. */
async function fetchFamily(source: Source, input: FetchInput, family: FamilyName, keys: string[]): Promise<Fact[]> {
  const out: Fact[] = [];
  const monthly: Fact[] = [];
  for (const piece of input.plan.pieces) {
    const facts = await fetchPiece(source, input, family, keys, piece);
    (piece.grain === 'month' ? monthly : out).push(...facts);
  }
  if (monthly.length === 0) return out;

  const bySa = keys.includes('service_account_id');
  const refineSa = new Map<string, Set<string>>();
  const refineCurrency = new Map<string, Set<string>>();
  const note = (map: Map<string, Set<string>>, month: string, value: string) => {
    let set = map.get(month);
    if (!set) map.set(month, (set = new Set()));
    set.add(value);
  };
  for (const f of monthly) {
    if (bySa && input.refinement.accountChanges(f.sa, f.period)) note(refineSa, f.period, f.sa);
    if (input.refinement.currencyUnstable(f.currency, f.period)) note(refineCurrency, f.period, f.currency);
  }
  for (const f of monthly) {
    if (!refineSa.get(f.period)?.has(f.sa) && !refineCurrency.get(f.period)?.has(f.currency)) out.push(f);
  }
  for (const month of new Set([...refineSa.keys(), ...refineCurrency.keys()])) {
    const only = { sas: refineSa.get(month) ?? new Set<string>(), currencies: refineCurrency.get(month) ?? new Set<string>() };
    out.push(...(await fetchPiece(source, input, family, keys, { grain: 'day', from: firstDayOf(month), to: lastDayOf(month) }, only)));
  }
  return out;
}

/** Restricts a read to the costs of these accounts or in these currencies. */
interface Only {
  sas: ReadonlySet<string>;
  currencies: ReadonlySet<string>;
}

/** One piece of one family, grouped from its rollup documents (or from the raw rows where the family has no such grain). */
async function fetchPiece(source: Source, input: FetchInput, family: FamilyName, keys: string[], piece: Piece, only?: Only): Promise<Fact[]> {
  const { grain } = piece;
  if (!isStored(family, grain)) return fetchRaw(source, input, piece.from, piece.to, only);
  const field = periodField(grain);
  const buckets = grain === 'day' ? monthsBetween(piece.from, piece.to) : yearsBetween(piece.from, piece.to);
  const tagKey = family === 'tag' ? input.plan.tagKey : undefined;
  const { accountLevel, accounts } = input.candidates;
  const bucketKeys = accountLevel
    ? accounts.flatMap((sa) => buckets.map((b) => accountBucketKey(input.domainId, sa, b)))
    : buckets.map((b) => domainBucketKey(input.domainId, b, tagKey));
  const docs = await input.session.readBuckets(source, rollupCollection(family, grain), accountLevel ? 'sk' : 'dk', bucketKeys);
  const checkTag = accountLevel && tagKey !== undefined;
  const groupKeys = [field, 'currency', ...keys];
  const memoKey = `${groupKeys.join('\u0001')}\u0002${checkTag ? tagKey : ''}`;
  const groups = new Map<string, Group>();
  for (const bucket of docs) {
    const parts = only ? groupBucket(bucket, input.domainId, groupKeys, checkTag ? tagKey : undefined, only) : memoGroups(bucket, memoKey, () => groupBucket(bucket, input.domainId, groupKeys, checkTag ? tagKey : undefined));
    for (const [id, part] of parts) {
      const period = part.values[0];
      if (typeof period !== 'string' || period < piece.from || period > piece.to) continue;
      const g = groups.get(id);
      if (!g) groups.set(id, { ...part });
      else {
        g.a0 += part.a0;
        g.a1 += part.a1;
        g.a2 += part.a2;
        g.a3 += part.a3;
        g.rows += part.rows;
        g.docs += part.docs;
      }
    }
  }
  const sorted = [...groups.values()].sort((a, b) => {
    for (let i = 0; i < a.values.length; i++) {
      const c = compareValues(a.values[i], b.values[i]);
      if (c !== 0) return c;
    }
    return 0;
  });
  const facts: Fact[] = [];
  for (const g of sorted) {
    // Every limb is an integer below 1e9 in magnitude: sums of fewer documents than this are exact.
    if (g.docs >= SAFE_GROUP_DOCS)
      throw new DomainError('INTERNAL', 'LEDGER.SUM_TOO_LARGE', 'a cost group holds too many documents to be added exactly; narrow the request');
    const row: Record<string, unknown> = { a0: g.a0, a1: g.a1, a2: g.a2, a3: g.a3, rows: g.rows };
    groupKeys.forEach((k, i) => (row[k] = g.values[i]));
    facts.push(toFact(row, grain, field, keys, tagKey));
  }
  return facts;
}

interface Group {
  values: unknown[];
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  rows: number;
  docs: number;
}

const numberOf = (v: unknown): number => (typeof v === 'number' ? v : 0);

/**
 * A bucket's documents added up by the group keys (the period first), by an id of the key
 * values. Cached buckets never change (a new epoch reads new ones), so without `only` this is
 * remembered per bucket and key set.
 */
function groupBucket(bucket: readonly BucketDoc[], domainId: string, groupKeys: readonly string[], tagKey: string | undefined, only?: Only): Map<string, Group> {
  const out = new Map<string, Group>();
  for (const doc of bucket) {
    if (doc.domain_id !== domainId) continue;
    if (tagKey !== undefined && doc.tag_key !== tagKey) continue;
    if (only && !((doc.service_account_id !== null && only.sas.has(doc.service_account_id)) || (doc.currency !== null && only.currencies.has(doc.currency)))) continue;
    const values: unknown[] = [];
    let id = '';
    for (const k of groupKeys) {
      const v = doc[k] ?? null;
      values.push(v);
      id += v === null ? '~' : typeof v === 'string' ? `${v.length}:${v}` : `?${JSON.stringify(v)}`;
    }
    let g = out.get(id);
    if (!g) out.set(id, (g = { values, a0: 0, a1: 0, a2: 0, a3: 0, rows: 0, docs: 0 }));
    g.a0 += numberOf(doc.a0);
    g.a1 += numberOf(doc.a1);
    g.a2 += numberOf(doc.a2);
    g.a3 += numberOf(doc.a3);
    g.rows += numberOf(doc.rows);
    g.docs += doc.docs;
  }
  return out;
}

const bucketMemo = new WeakMap<readonly BucketDoc[], Map<string, Map<string, Group>>>();

function memoGroups(bucket: readonly BucketDoc[], key: string, compute: () => Map<string, Group>): Map<string, Group> {
  let memo = bucketMemo.get(bucket);
  if (!memo) bucketMemo.set(bucket, (memo = new Map()));
  let found = memo.get(key);
  if (!found) memo.set(key, (found = compute()));
  return found;
}

function toFact(g: Record<string, unknown>, grain: Grain, field: string, keys: string[], tagKey: string | undefined): Fact {
  const dims: Record<string, string> = {};
  for (const k of keys) if (DIM_FIELDS.has(k)) dims[k] = (g[k] as string) ?? '';
  return {
    period: g[field] as string,
    daily: grain === 'day',
    sa: (g.service_account_id as string | undefined) ?? '',
    ds: (g.data_source_id as string | undefined) ?? '',
    currency: g.currency as string,
    dims,
    tags: tagKey !== undefined ? { [tagKey]: g.tag_value as string } : {},
    a0: g.a0 as number,
    a1: g.a1 as number,
    a2: g.a2 as number,
    a3: g.a3 as number,
    rows: g.rows as number,
  };
}

/** Reads the visible raw rows of the candidate pairs in [from, to], added up by what the request reads. */
async function fetchRaw(source: Source, input: FetchInput, from: string, to: string, only?: Only): Promise<Fact[]> {
  const { needs } = input;
  const tagKeys = [...needs.tagKeys];
  const byKey = new Map<string, { fact: Fact; total: LimbTotal }>();
  await forEachVisibleChunk(source, input.candidates.pairs, from, to, (chunk) => {
    const wholeChunk = !only || only.sas.has(chunk.service_account_id);
    for (const r of chunkRows(chunk)) {
      if (!wholeChunk && !only?.currencies.has(r[8])) continue;
      const dims: Record<string, string> = {};
      if (needs.dims.has('provider')) dims.provider = r[0];
      if (needs.dims.has('product')) dims.product = r[1];
      if (needs.dims.has('region')) dims.region = r[2];
      if (needs.dims.has('usage_type')) dims.usage_type = r[3];
      const tags: Record<string, string> = {};
      const pairs = r[9];
      for (let i = 0; i < pairs.length; i += 2) if (needs.allTags || needs.tagKeys.has(pairs[i])) tags[pairs[i]] = pairs[i + 1];
      const key = [chunk.date, chunk.service_account_id, chunk.data_source_id, r[8], dims.provider, dims.product, dims.region, dims.usage_type, JSON.stringify(needs.allTags ? tags : tagKeys.map((k) => tags[k] ?? null))].join('\u0000');
      const limbs = parseLimbs(r[7]);
      if (!limbs) throw new DomainError('INTERNAL', 'LEDGER.BAD_ROW', `a stored cost row holds an unreadable amount (${chunk._id})`);
      let entry = byKey.get(key);
      if (!entry) {
        entry = {
          fact: { period: chunk.date, daily: true, sa: chunk.service_account_id, ds: chunk.data_source_id, currency: r[8], dims, tags, a0: 0, a1: 0, a2: 0, a3: 0, rows: 0 },
          total: new LimbTotal(),
        };
        byKey.set(key, entry);
      }
      entry.total.addLimbs(limbs);
      entry.fact.rows++;
    }
  });
  return [...byKey.values()].map(({ fact, total }) => ({ ...fact, a0: total.a0, a1: total.a1, a2: total.a2, a3: total.a3 }));
}
