import { DomainError, failedPrecondition } from '../../../../lib/errors/domain-error';
import type { Collection, Filter, TxContext } from '../../../../lib/store/port';
import type { DateWindow } from '../ports';
import { LimbTotal, parseLimbsInto } from './amount-limbs';
import { firstDayOf, lastDayOf, monthsBetween } from './calendar';
import { bumpEpoch } from './ledger-epoch';
import {
  accountTombstoneId,
  dataSourceTombstoneId,
  LEDGER_COLLECTIONS,
  pairId,
  type ChunkDoc,
  type GenerationDoc,
  type Segment,
  type TombstoneDoc,
  type VisibilityDoc,
} from './ledger-collections';
import { RollupBuilder, rollInto, type PairBase } from './rollup-builder';
import { accountBucketKey, FAMILY_DIMS, isStored, rollupCollection, STORED_ROLLUPS, type FamilyName, type RollupDoc } from './rollup-families';
import { coveredDays, rangesOf, spliceSegments } from './segments';
import { chunkRows } from './visible-rows';

export interface CommitInput extends PairBase {
  gen: string;
  /** Merged, sorted. */
  windows: DateWindow[];
  rows: number;
  /** Day-grain documents of the windows' dates, for the families kept at the day grain. */
  dayDocs: Partial<Record<FamilyName, RollupDoc[]>>;
  /** Month-grain documents of the months the windows cover entirely. */
  monthDocs: Record<FamilyName, RollupDoc[]>;
  /**
   * Months the windows touch but do not cover: rebuilt inside the commit, from the day grain,
   * or for fine (no day grain) from partialFine plus the pair's visible rows of the other days.
   */
  partialMonths: string[];
  /** The fine family of the window days in partial months, at the month grain. */
  partialFine: RollupBuilder;
  now: Date;
}

/** $in lists are split so that the store's per-document test stays short. */
const IN_CHUNK = 24;

export function chunked<T>(values: readonly T[], size = IN_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

function stoppedGeneration(gen: GenerationDoc | null): DomainError {
  switch (gen?.state) {
    case 'REMOVED':
      return failedPrecondition('LEDGER.REMOVED', 'the service account or data source was removed while this write ran; its costs are not kept');
    case 'EXPIRED':
      return new DomainError('ABORTED', 'LEDGER.WRITER_EXPIRED', 'this write was idle too long and was dropped; run the sync again');
    case 'COMMITTED':
      return failedPrecondition('LEDGER.ALREADY_COMMITTED', 'this write was already committed');
    default:
      return failedPrecondition('LEDGER.NOT_WRITING', `this write can no longer be committed (${gen?.state ?? 'unknown'})`);
  }
}

/** Throws when the pair was removed (a tombstone exists). */
export async function assertNotRemoved(source: { collection: TxContext['collection'] }, domainId: string, dataSourceId: string, serviceAccountId: string): Promise<void> {
  const found = await source
    .collection<TombstoneDoc>(LEDGER_COLLECTIONS.tombstones)
    .findOne({ _id: { $in: [accountTombstoneId(domainId, serviceAccountId), dataSourceTombstoneId(domainId, dataSourceId)] } });
  if (found) throw failedPrecondition('LEDGER.REMOVED', 'the service account or data source was removed; its costs are not kept');
}

/**
 * The commit, as one transaction body (it may run more than once): the pair's visibility
 * document gets the new segments, the rollups of the windows' dates and months are replaced,
 * the generations that lost dates are marked for garbage collection, the epoch moves on.
 */
export async function commitTransaction(tx: TxContext, input: CommitInput): Promise<void> {
  const { domainId, dataSourceId: ds, serviceAccountId: sa, gen: genId, windows } = input;
  const gens = tx.collection<GenerationDoc>(LEDGER_COLLECTIONS.generations);
  const gen = await gens.findOne({ _id: genId });
  if (!gen || gen.state !== 'WRITING') throw stoppedGeneration(gen);
  await assertNotRemoved(tx, domainId, ds, sa);

  const visibility = tx.collection<VisibilityDoc>(LEDGER_COLLECTIONS.visibility);
  const id = pairId(domainId, ds, sa);
  const current = await visibility.findOne({ _id: id });
  const before: Segment[] = current?.segments ?? [];
  const after = spliceSegments(before, windows, genId);
  const doc: VisibilityDoc = { _id: id, domain_id: domainId, data_source_id: ds, service_account_id: sa, segments: after, updated_at: input.now };
  if (current) await visibility.replaceOne({ _id: id }, doc);
  else await visibility.insertOne(doc);

  for (const old of new Set(before.map((s) => s.gen))) {
    const kept = rangesOf(after, old);
    if (kept.length === 0) await gens.updateOne({ _id: old, state: 'COMMITTED' }, { $set: { state: 'SUPERSEDED', stopped_at: input.now } });
    else if (coveredDays(kept) < coveredDays(rangesOf(before, old)))
      await gens.updateOne({ _id: old, state: 'COMMITTED' }, { $set: { partial: true }, $inc: { partial_v: 1 } });
  }

  const dateRanges: Filter[] = windows.map((w) => ({ date: { $gte: w.start, $lte: w.end } }));
  const touchedMonths = [...new Set(windows.flatMap((w) => monthsBetween(w.start, w.end)))].sort();
  const touchedYears = [...new Set(touchedMonths.map((m) => m.slice(0, 4)))];
  for (const { family } of STORED_ROLLUPS.filter((r) => r.grain === 'day')) {
    const day = tx.collection<RollupDoc>(rollupCollection(family, 'day'));
    for (const keys of chunked(touchedMonths.map((m) => accountBucketKey(domainId, sa, m)))) {
      await day.deleteMany({ sk: { $in: keys }, data_source_id: ds, $or: dateRanges });
    }
    await day.insertMany(input.dayDocs[family] ?? []);
  }
  for (const { family } of STORED_ROLLUPS.filter((r) => r.grain === 'month')) {
    const month = tx.collection<RollupDoc>(rollupCollection(family, 'month'));
    for (const keys of chunked(touchedYears.map((y) => accountBucketKey(domainId, sa, y)))) {
      await month.deleteMany({ sk: { $in: keys }, data_source_id: ds, month: { $in: touchedMonths } });
    }
    await month.insertMany(input.monthDocs[family]);
    if (input.partialMonths.length === 0) continue;
    const rebuilt = isStored(family, 'day')
      ? await monthsFromDays(tx.collection<RollupDoc>(rollupCollection(family, 'day')), input, family, input.partialMonths)
      : await fineMonthsFromRows(tx, input, after);
    await month.insertMany(rebuilt);
  }

  await gens.updateOne(
    { _id: genId },
    { $set: { state: 'COMMITTED', committed_at: input.now, touched_at: input.now, rows: input.rows } },
  );
  await bumpEpoch(tx, domainId, { account: sa, buckets: [...touchedMonths, ...touchedYears] });
}

/**
 * Fine month documents of the partial months: the window days from the writer, the other days
 * from the rows the pair still shows on them (the old generations of the new segments).
 */
async function fineMonthsFromRows(tx: TxContext, input: CommitInput, after: readonly Segment[]): Promise<RollupDoc[]> {
  const builder = new RollupBuilder('fine', 'month');
  rollInto(input.partialFine, builder, (d) => d);
  const chunks = tx.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks);
  const limbs = new Float64Array(4);
  for (const month of input.partialMonths) {
    const first = firstDayOf(month);
    const last = lastDayOf(month);
    for (const s of after) {
      if (s.gen === input.gen || s.to < first || s.from > last) continue;
      const found = await chunks.find({ gen: s.gen, domain_id: input.domainId, date: { $gte: s.from > first ? s.from : first, $lte: s.to < last ? s.to : last } });
      for (const chunk of found) {
        for (const r of chunkRows(chunk)) {
          if (!parseLimbsInto(r[7], limbs, 0)) throw new Error(`ledger: unreadable stored amount in ${chunk._id}`);
          builder.add(month, r[8], [r[0], r[1], r[2], r[3]], limbs[0], limbs[1], limbs[2], limbs[3], 1);
        }
      }
    }
  }
  return builder.docs(input, `${input.gen}.month.fine.p`);
}

/** Month documents rebuilt from the day documents (the transaction's new ones included). */
async function monthsFromDays(day: Collection<RollupDoc>, input: CommitInput, family: FamilyName, months: string[]): Promise<RollupDoc[]> {
  const dims = FAMILY_DIMS[family];
  const sums = { a0: { op: 'sum', field: 'a0' }, a1: { op: 'sum', field: 'a1' }, a2: { op: 'sum', field: 'a2' }, a3: { op: 'sum', field: 'a3' }, rows: { op: 'sum', field: 'rows' } } as const;
  const builder = new RollupBuilder(family, 'month');
  for (const keys of chunked(months.map((m) => accountBucketKey(input.domainId, input.serviceAccountId, m)))) {
    const groups = await day.group(
      { sk: { $in: keys }, data_source_id: input.dataSourceId },
      { keys: ['month', 'currency', ...dims], accumulators: { ...sums } },
    );
    for (const g of groups) {
      const t = new LimbTotal().add(g.a0 as number, g.a1 as number, g.a2 as number, g.a3 as number);
      builder.add(g.month as string, g.currency as string, dims.map((d) => g[d] as string), t.a0, t.a1, t.a2, t.a3, g.rows as number);
    }
  }
  return builder.docs(input, `${input.gen}.month.${family}.p`);
}

