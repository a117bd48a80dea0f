import { DomainError } from '../../../../lib/errors/domain-error';
import type { Source } from '../../../../lib/resource/resource-collection';
import { LimbTotal, parseLimbs } from '../ledger/amount-limbs';
import { firstDayOf, lastDayOf, monthsBetween, yearsBetween } from '../ledger/calendar';
import { accountBucketKey, domainBucketKey, isStored, periodField, rollupCollection, type FamilyName, type Grain } from '../ledger/rollup-families';
import { chunkRows, forEachVisibleChunk } from '../ledger/visible-rows';
import type { Candidates } from './candidates';
import type { LedgerReadSession, RollupRow } from './rollup-cache';
import type { Needs, Piece, Plan } from './query-plan';

/**
 * What a cost is besides its period and amount: the keys the plan grouped on. One object is
 * shared by the facts of one read that have the same keys (so a caller can decide once per key
 * and reuse the decision by identity); never changed once made.
 */
export interface FactKey {
  /** '' when not grouped on. */
  sa: string;
  ds: string;
  currency: string;
  /** provider, product, region, usage_type: those grouped on. */
  dims: Readonly<Record<string, string>>;
  /** Tags read: { key: value } (a missing key: untagged). */
  tags: Readonly<Record<string, string>>;
}

/** Costs as read: one amount per period and key. Facts may be cached and shared: never change one. */
export interface Fact {
  /** A date (daily) or a month. */
  period: string;
  daily: boolean;
  key: FactKey;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  rows: number;
}

/**
 * Gives one FactKey object per distinct list of key values (a trie of maps: no key string is
 * built per document). Every list given to one interner has the same length and meaning.
 */
class KeyInterner {
  private readonly root = new Map<string, unknown>();

  of(values: readonly string[], make: () => FactKey): FactKey {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(values[i]) as Map<string, unknown> | undefined;
      if (!next) node.set(values[i], (next = new Map()));
      node = next;
    }
    let key = node.get(values[last]) as FactKey | undefined;
    if (!key) node.set(values[last], (key = make()));
    return key;
  }
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

/** Facts in chunks (a cached bucket's facts are handed on whole, not copied). */
export type FactChunks = (readonly Fact[])[];

/** Reads the facts of a plan (call inside readConsistently: several reads). */
export async function fetchFacts(source: Source, input: FetchInput): Promise<FactChunks> {
  if (input.candidates.pairs.length === 0) return [];
  if (input.plan.source === 'raw') return [await fetchRaw(source, input, input.start, input.end)];
  if (input.plan.family !== 'tag') return fetchFamily(source, input, input.plan.family, input.plan.keys);
  const keys = input.plan.keys.filter((k) => k !== 'tag_value');
  const [tagged, all] = await Promise.all([fetchFamily(source, input, 'tag', input.plan.keys), fetchFamily(source, input, 'provider', keys)]);
  return [...tagged, untagged(tagged, all, input.plan.tagKey as string)];
}

/** The part of each provider-family fact that no tag fact covers: costs without the tag. */
function untagged(tagged: FactChunks, all: FactChunks, tagKey: string): Fact[] {
  const keyOf = (f: Fact) => [f.period, f.daily ? 'd' : 'm', f.key.currency, f.key.sa, f.key.ds, f.key.dims.provider ?? ''].join('\u0000');
  const rest = new Map<string, { fact: Fact; total: LimbTotal; rows: number }>();
  for (const chunk of all) {
    for (const f of chunk) {
      const k = keyOf(f);
      const r = rest.get(k);
      if (r) {
        r.total.add(f.a0, f.a1, f.a2, f.a3);
        r.rows += f.rows;
      } else rest.set(k, { fact: f, total: new LimbTotal().add(f.a0, f.a1, f.a2, f.a3), rows: f.rows });
    }
  }
  for (const chunk of tagged) {
    for (const t of chunk) {
      const r = rest.get(keyOf(t));
      if (!r) throw new DomainError('INTERNAL', 'LEDGER.ROLLUPS_DISAGREE', `tag rollup of ${tagKey} has costs its provider rollup lacks`);
      r.total.add(-t.a0, -t.a1, -t.a2, -t.a3);
      r.rows -= t.rows;
    }
  }
  const out: Fact[] = [];
  for (const { fact, total, rows } of rest.values()) {
    if (rows <= 0) continue;
    // The provider family's facts carry no tags already: the key stands for "untagged" as it is.
    out.push({ ...fact, a0: total.a0, a1: total.a1, a2: total.a2, a3: total.a3, rows });
  }
  return out;
}

/** Reads one family over every piece, then re-reads at the day grain the months that need it. */
async function fetchFamily(source: Source, input: FetchInput, family: FamilyName, keys: string[]): Promise<FactChunks> {
  const out: FactChunks = [];
  const monthly: FactChunks = [];
  for (const piece of input.plan.pieces) await fetchPiece(source, input, family, keys, piece, piece.grain === 'month' ? monthly : out);
  if (monthly.length === 0) return out;

  const bySa = keys.includes('service_account_id');
  const refineSa = new Map<string, Set<string>>();
  const refineCurrency = new Map<string, Set<string>>();
  const note = (map: Map<string, Set<string>>, month: string, value: string) => {
    let set = map.get(month);
    if (!set) map.set(month, (set = new Set()));
    set.add(value);
  };
  for (const chunk of monthly) {
    for (const f of chunk) {
      if (bySa && input.refinement.accountChanges(f.key.sa, f.period)) note(refineSa, f.period, f.key.sa);
      if (input.refinement.currencyUnstable(f.key.currency, f.period)) note(refineCurrency, f.period, f.key.currency);
    }
  }
  if (refineSa.size === 0 && refineCurrency.size === 0) return out.concat(monthly);
  for (const chunk of monthly) out.push(chunk.filter((f) => !refineSa.get(f.period)?.has(f.key.sa) && !refineCurrency.get(f.period)?.has(f.key.currency)));
  for (const month of new Set([...refineSa.keys(), ...refineCurrency.keys()])) {
    const only = { sas: refineSa.get(month) ?? new Set<string>(), currencies: refineCurrency.get(month) ?? new Set<string>() };
    await fetchPiece(source, input, family, keys, { grain: 'day', from: firstDayOf(month), to: lastDayOf(month) }, out, only);
  }
  return out;
}

/** Restricts a read to the costs of these accounts or in these currencies. */
interface Only {
  sas: ReadonlySet<string>;
  currencies: ReadonlySet<string>;
}

/** A bucket's facts as cached: grouped by key (the facts of one key are adjacent), and their first and last periods. */
interface BucketFacts {
  facts: Fact[];
  first: string;
  last: string;
  size: number;
}

/**
 * One piece of one family, added to `out`: the facts of its buckets' rollup documents grouped
 * by the plan's keys (or of the raw rows where the family has no such grain). A bucket's
 * documents are read and added up into facts once per ledger epoch and shape of request (see
 * LedgerReadSession); a piece takes a bucket's facts whole when they all fall in it, else those
 * of its periods.
 */
async function fetchPiece(source: Source, input: FetchInput, family: FamilyName, keys: string[], piece: Piece, out: FactChunks, only?: Only): Promise<void> {
  const { grain } = piece;
  if (!isStored(family, grain)) {
    out.push(await fetchRaw(source, input, piece.from, piece.to, only));
    return;
  }
  const field = periodField(grain);
  const buckets = grain === 'day' ? monthsBetween(piece.from, piece.to) : yearsBetween(piece.from, piece.to);
  const tagKey = family === 'tag' ? input.plan.tagKey : undefined;
  const { accountLevel, accounts } = input.candidates;
  const bucketKeys = accountLevel
    ? accounts.flatMap((sa) => buckets.map((b) => accountBucketKey(input.domainId, sa, b)))
    : buckets.map((b) => domainBucketKey(input.domainId, b, tagKey));
  const shape = { fields: [field, 'currency', ...keys], tagKey: accountLevel ? tagKey : undefined };
  const read = await input.session.readBuckets(source, rollupCollection(family, grain), accountLevel ? 'sk' : 'dk', bucketKeys, shape, (docs) =>
    compileBucket(docs, grain, keys, tagKey),
  );
  const { from, to } = piece;
  for (const bucket of read) {
    if (bucket.size === 0) continue;
    if (!only && bucket.first >= from && bucket.last <= to) out.push(bucket.facts);
    else out.push(bucket.facts.filter((f) => f.period >= from && f.period <= to && (!only || only.sas.has(f.key.sa) || only.currencies.has(f.key.currency))));
  }
}

/**
 * A bucket's documents added up by period and the plan's keys, as facts, those of one key
 * adjacent. Every limb of a stored document is an integer below 1e9 in magnitude, so a float64
 * sum of fewer documents than SAFE_GROUP_DOCS is exact; facts of different buckets are added
 * later with carries (LimbTotal).
 */
function compileBucket(docs: readonly RollupRow[], grain: Grain, keys: readonly string[], tagKey: string | undefined): BucketFacts {
  const field = periodField(grain);
  const daily = grain === 'day';
  const interner = new KeyInterner();
  const byKey = new Map<FactKey, Map<string, Fact & { docs: number }>>();
  let first = '';
  let last = '';
  let size = 0;
  const dimFields = keys.filter((k) => DIM_FIELDS.has(k));
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  // sa, ds, currency, the dimensions, the tag value: reused for every document.
  const values: string[] = [];
  for (const doc of docs) {
    const period = doc[field];
    if (typeof period !== 'string') continue;
    values.length = 0;
    values.push(text(doc.service_account_id), text(doc.data_source_id), text(doc.currency));
    for (const k of dimFields) values.push(text(doc[k]));
    values.push(tagKey !== undefined ? text(doc.tag_value) : '');
    const key = interner.of(values, () => {
      const dims: Record<string, string> = {};
      dimFields.forEach((k, i) => (dims[k] = values[3 + i]));
      return { sa: values[0], ds: values[1], currency: values[2], dims, tags: tagKey !== undefined ? { [tagKey]: values[values.length - 1] } : {} };
    });
    let periods = byKey.get(key);
    if (!periods) byKey.set(key, (periods = new Map()));
    const fact = periods.get(period);
    if (!fact) {
      periods.set(period, { period, daily, key, a0: doc.a0, a1: doc.a1, a2: doc.a2, a3: doc.a3, rows: doc.rows, docs: 1 });
      size++;
      if (first === '' || period < first) first = period;
      if (period > last) last = period;
    } else {
      fact.a0 += doc.a0;
      fact.a1 += doc.a1;
      fact.a2 += doc.a2;
      fact.a3 += doc.a3;
      fact.rows += doc.rows;
      if (++fact.docs >= SAFE_GROUP_DOCS)
        throw new DomainError('INTERNAL', 'LEDGER.SUM_TOO_LARGE', 'a cost group holds too many documents to be added exactly; narrow the request');
    }
  }
  const facts: Fact[] = [];
  for (const periods of byKey.values()) for (const { docs: _docs, ...fact } of periods.values()) facts.push(fact);
  return { facts, first, last, size };
}

/** Reads the visible raw rows of the candidate pairs in [from, to], added up by what the request reads. */
async function fetchRaw(source: Source, input: FetchInput, from: string, to: string, only?: Only): Promise<Fact[]> {
  const { needs } = input;
  const tagKeys = [...needs.tagKeys];
  const interner = new KeyInterner();
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
      const id = [chunk.date, chunk.service_account_id, chunk.data_source_id, r[8], dims.provider, dims.product, dims.region, dims.usage_type, JSON.stringify(needs.allTags ? tags : tagKeys.map((k) => tags[k] ?? null))].join('\u0000');
      const limbs = parseLimbs(r[7]);
      if (!limbs) throw new DomainError('INTERNAL', 'LEDGER.BAD_ROW', `a stored cost row holds an unreadable amount (${chunk._id})`);
      let entry = byKey.get(id);
      if (!entry) {
        const key = interner.of([chunk.service_account_id, chunk.data_source_id, r[8], ...Object.values(dims), JSON.stringify(tags)], () => ({
          sa: chunk.service_account_id,
          ds: chunk.data_source_id,
          currency: r[8],
          dims,
          tags,
        }));
        entry = { fact: { period: chunk.date, daily: true, key, a0: 0, a1: 0, a2: 0, a3: 0, rows: 0 }, total: new LimbTotal() };
        byKey.set(id, entry);
      }
      entry.total.addLimbs(limbs);
      entry.fact.rows++;
    }
  });
  return [...byKey.values()].map(({ fact, total }) => ({ ...fact, a0: total.a0, a1: total.a1, a2: total.a2, a3: total.a3 }));
}
