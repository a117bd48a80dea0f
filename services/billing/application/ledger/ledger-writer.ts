import { randomBytes } from 'node:crypto';
import { DomainError, failedPrecondition, invalidArgument } from '../../../../lib/errors/domain-error';
import type { Logger } from '../../../../lib/log/logger';
import type { Store } from '../../../../lib/store/port';
import type { CostRowInput, DateWindow, LedgerWriter, ReplaceTarget } from '../ports';
import { firstDayOf, isRealDate, lastDayOf, monthsBetween } from './calendar';
import { assertNotRemoved, commitTransaction, type CommitInput } from './commit-transaction';
import { LEDGER_COLLECTIONS, type ChunkDoc, type GenerationDoc, type StoredRow } from './ledger-collections';
import { RollupBuilder, SEP, type Group, type PairBase } from './rollup-builder';
import { FAMILIES, type FamilyName, type RollupDoc } from './rollup-families';
import { deriveRollups } from './rollup-derivation';
import { checkRows } from './row-checks';
import { mergeWindows } from './segments';

export interface LedgerSettings {
  store: Store;
  logger: Logger;
  now: () => Date;
  /** Rows per stored chunk. */
  chunkRows: number;
  /** How often a writer tells the store it is alive. */
  touchEveryMs: number;
}

const MAX_WINDOWS = 100;
/** Dates with buffered rows before all buffers are written out. */
const MAX_BUFFERED_CHUNKS = 16;
/** Characters of one chunk's JSON (UTF-16 units: at most 12 MB of UTF-8, under MongoDB's 16 MB). */
const MAX_CHUNK_CHARS = 4_000_000;

const isId = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 256;

function checkTarget(target: ReplaceTarget): DateWindow[] {
  if (!target || typeof target !== 'object') throw invalidArgument('LEDGER.INVALID_TARGET', 'target', 'target: required');
  for (const f of ['domainId', 'dataSourceId', 'serviceAccountId'] as const) {
    if (!isId(target[f])) throw invalidArgument('LEDGER.INVALID_TARGET', f, `${f}: required`);
  }
  if (typeof target.jobId !== 'string') throw invalidArgument('LEDGER.INVALID_TARGET', 'jobId', 'jobId: must be a string');
  const windows = target.windows;
  if (!Array.isArray(windows) || windows.length === 0)
    throw invalidArgument('LEDGER.INVALID_TARGET', 'windows', 'windows: at least one window of dates to replace is required');
  if (windows.length > MAX_WINDOWS) throw invalidArgument('LEDGER.INVALID_TARGET', 'windows', `windows: at most ${MAX_WINDOWS} are allowed`);
  windows.forEach((w, i) => {
    if (!isRealDate(w?.start)) throw invalidArgument('LEDGER.INVALID_TARGET', `windows[${i}].start`, `windows[${i}].start: not a date YYYY-MM-DD`);
    if (!isRealDate(w.end)) throw invalidArgument('LEDGER.INVALID_TARGET', `windows[${i}].end`, `windows[${i}].end: not a date YYYY-MM-DD`);
    if (w.end < w.start)
      throw invalidArgument('LEDGER.INVALID_TARGET', `windows[${i}].end`, `windows[${i}].end: ${w.end} is before the start ${w.start}`);
  });
  return mergeWindows(windows);
}

/** Starts a generation: stores its record (WRITING) and hands out its writer. */
export async function beginWrite(settings: LedgerSettings, target: ReplaceTarget): Promise<LedgerWriter> {
  const windows = checkTarget(target);
  await assertNotRemoved(settings.store, target.domainId, target.dataSourceId, target.serviceAccountId);
  const gen = `gen-${randomBytes(8).toString('hex')}`;
  const now = settings.now();
  await settings.store.collection<GenerationDoc>(LEDGER_COLLECTIONS.generations).insertOne({
    _id: gen,
    domain_id: target.domainId,
    data_source_id: target.dataSourceId,
    service_account_id: target.serviceAccountId,
    job_id: target.jobId,
    windows,
    state: 'WRITING',
    rows: 0,
    created_at: now,
    touched_at: now,
    committed_at: null,
    stopped_at: null,
    partial: false,
    partial_v: 0,
  });
  return new GenerationWriter(settings, { domainId: target.domainId, dataSourceId: target.dataSourceId, serviceAccountId: target.serviceAccountId }, gen, windows);
}

type WriterState = 'open' | 'committed' | 'aborted' | 'failed';

/** The fine and tag day groups of one (date, currency, provider), by their remaining key parts. */
interface BaseGroups {
  date: string;
  currency: string;
  provider: string;
  /** date SEP currency SEP provider */
  base: string;
  /** product -> region -> usage_type -> group */
  fine: Map<string, Map<string, Map<string, Group>>>;
  /** tag key -> tag value -> group */
  tags: Map<string, Map<string, Group>>;
}

function fineGroup(fine: RollupBuilder, bg: BaseGroups, product: string, region: string, usageType: string): Group {
  let byRegion = bg.fine.get(product);
  if (!byRegion) {
    byRegion = new Map();
    bg.fine.set(product, byRegion);
  }
  let byType = byRegion.get(region);
  if (!byType) {
    byType = new Map();
    byRegion.set(region, byType);
  }
  let g = byType.get(usageType);
  if (!g) {
    g = fine.groupOf(bg.base + SEP + product + SEP + region + SEP + usageType);
    byType.set(usageType, g);
  }
  return g;
}

/**
 * Writes one generation. Rows are checked, added into the day rollups in memory, and stored
 * in chunks nobody reads until commit; commit writes the rollups and flips visibility in one
 * transaction. Calls are run one after another.
 */
class GenerationWriter implements LedgerWriter {
  private state: WriterState = 'open';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly fine = new RollupBuilder('fine', 'day');
  private readonly tags = new RollupBuilder('tag', 'day');
  private readonly buffers = new Map<string, string[]>();
  private readonly bases = new Map<string, BaseGroups>();
  private lastBase: BaseGroups | null = null;
  private readonly dateCheck = new Map<string, boolean | 'not-a-date'>();
  private readonly windowsText: string;
  private chunkSeq = 0;
  private rows = 0;
  private lastTouch = Date.now();

  constructor(
    private readonly settings: LedgerSettings,
    private readonly base: PairBase,
    private readonly gen: string,
    private readonly windows: DateWindow[],
  ) {
    this.windowsText = windows.map((w) => `${w.start}..${w.end}`).join(', ');
  }

  write(rows: CostRowInput[]): Promise<void> {
    return this.serial(() => this.doWrite(rows));
  }

  commit(): Promise<{ rows: number }> {
    return this.serial(() => this.doCommit());
  }

  abort(): Promise<void> {
    return this.serial(() => this.doAbort());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw failedPrecondition('LEDGER.WRITER_CLOSED', `this write is ${this.state === 'failed' ? 'failed' : this.state}; begin a new one`);
  }

  private inWindows = (date: string): boolean | 'not-a-date' => {
    let ok = this.dateCheck.get(date);
    if (ok === undefined) {
      ok = !isRealDate(date) ? 'not-a-date' : this.windows.some((w) => date >= w.start && date <= w.end);
      this.dateCheck.set(date, ok);
    }
    return ok;
  };

  private async doWrite(rows: CostRowInput[]): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(rows)) throw invalidArgument('LEDGER.INVALID_ROW', 'rows', 'rows: must be a list of cost rows');
    const limbs = new Float64Array(4 * rows.length);
    checkRows(rows, this.inWindows, this.windowsText, limbs);
    try {
      await this.keep(rows, limbs);
    } catch (err) {
      // Part of the batch may be kept: this generation can no longer be committed.
      if (this.state === 'open') this.state = 'failed';
      throw err;
    }
  }

  /** The day groups of one (date, currency, provider), cached by their parts (no key building per row). */
  private baseGroups(date: string, currency: string, provider: string): BaseGroups {
    const last = this.lastBase;
    if (last && last.date === date && last.currency === currency && last.provider === provider) return last;
    const base = date + SEP + currency + SEP + provider;
    let found = this.bases.get(base);
    if (!found) {
      found = { date, currency, provider, base, fine: new Map(), tags: new Map() };
      this.bases.set(base, found);
    }
    this.lastBase = found;
    return found;
  }

  /** Adds checked rows into the day rollups and the chunk buffers. */
  private async keep(rows: readonly CostRowInput[], limbs: Float64Array): Promise<void> {
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const a0 = limbs[4 * i];
      const a1 = limbs[4 * i + 1];
      const a2 = limbs[4 * i + 2];
      const a3 = limbs[4 * i + 3];
      const date = r.billed_date;
      const bg = this.baseGroups(date, r.currency, r.provider);
      const g = fineGroup(this.fine, bg, r.product, r.region, r.usage_type);
      g.total.add(a0, a1, a2, a3);
      g.rows += 1;
      const tags: string[] = [];
      if (r.tags) {
        for (const k of Object.keys(r.tags)) {
          const v = r.tags[k];
          tags.push(k, v);
          let byValue = bg.tags.get(k);
          if (!byValue) {
            byValue = new Map();
            bg.tags.set(k, byValue);
          }
          let t = byValue.get(v);
          if (!t) {
            t = this.tags.groupOf(bg.base + SEP + k + SEP + v);
            byValue.set(v, t);
          }
          t.total.add(a0, a1, a2, a3);
          t.rows += 1;
        }
      }
      const info: string[] = [];
      if (r.additional_info) for (const k of Object.keys(r.additional_info)) info.push(k, r.additional_info[k]);
      let buffer = this.buffers.get(date);
      if (!buffer) {
        buffer = [];
        this.buffers.set(date, buffer);
      }
      // Kept as its JSON text: one string per row lives until the chunk is stored, not its parts.
      const stored: StoredRow = [r.provider, r.product, r.region, r.usage_type, r.resource_id, r.usage_quantity, r.usage_unit, r.cost, r.currency, tags, info];
      buffer.push(JSON.stringify(stored));
      if (buffer.length >= this.settings.chunkRows) await this.flush(date);
    }
    this.rows += rows.length;
    if (this.buffers.size > MAX_BUFFERED_CHUNKS) await this.flushAll();
    await this.touch();
  }

  private async flush(date: string): Promise<void> {
    const rows = this.buffers.get(date);
    if (!rows || rows.length === 0) return;
    this.buffers.delete(date);
    await this.storeChunk(date, rows);
  }

  /** Stores rows (their JSON texts) of one date as one chunk, or as several when its JSON would be too large. */
  private async storeChunk(date: string, rows: string[]): Promise<void> {
    const json = `[${rows.join(',')}]`;
    if (json.length > MAX_CHUNK_CHARS && rows.length > 1) {
      const half = rows.length >> 1;
      await this.storeChunk(date, rows.slice(0, half));
      await this.storeChunk(date, rows.slice(half));
      return;
    }
    const doc: ChunkDoc = {
      _id: `${this.gen}:${date}:${this.chunkSeq++}`,
      domain_id: this.base.domainId,
      data_source_id: this.base.dataSourceId,
      service_account_id: this.base.serviceAccountId,
      gen: this.gen,
      date,
      n: rows.length,
      rows: json,
    };
    await this.settings.store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks).insertOne(doc);
  }

  private async flushAll(): Promise<void> {
    for (const date of [...this.buffers.keys()]) await this.flush(date);
  }

  /** Tells the store the writer is alive; stops when the generation was stopped meanwhile. */
  private async touch(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.lastTouch < this.settings.touchEveryMs) return;
    this.lastTouch = now;
    const n = await this.settings.store
      .collection<GenerationDoc>(LEDGER_COLLECTIONS.generations)
      .updateOne({ _id: this.gen, state: 'WRITING' }, { $set: { touched_at: this.settings.now() } });
    if (n === 0) {
      this.state = 'failed';
      throw new DomainError('ABORTED', 'LEDGER.WRITER_STOPPED', 'this write was stopped (the account or data source was removed, or it was idle too long)');
    }
  }

  private async doCommit(): Promise<{ rows: number }> {
    this.assertOpen();
    const started = Date.now();
    try {
      await this.flushAll();
      const input = this.commitInput();
      await this.settings.store.transaction((tx) => commitTransaction(tx, input));
    } catch (err) {
      this.state = 'failed';
      throw err;
    }
    this.state = 'committed';
    this.settings.logger.debug(
      { gen: this.gen, data_source_id: this.base.dataSourceId, service_account_id: this.base.serviceAccountId, rows: this.rows, ms: Date.now() - started },
      'ledger write committed',
    );
    return { rows: this.rows };
  }

  private commitInput(): CommitInput {
    const months = [...new Set(this.windows.flatMap((w) => monthsBetween(w.start, w.end)))];
    const full = new Set(months.filter((m) => this.windows.some((w) => w.start <= firstDayOf(m) && w.end >= lastDayOf(m))));
    const derived = deriveRollups(this.fine, this.tags, (month) => full.has(month));
    const dayDocs: Partial<Record<FamilyName, RollupDoc[]>> = {};
    const monthDocs = {} as Record<FamilyName, RollupDoc[]>;
    for (const f of FAMILIES) {
      if (f !== 'fine') dayDocs[f] = derived.day[f].docs(this.base, `${this.gen}.day.${f}.`);
      monthDocs[f] = derived.month[f].docs(this.base, `${this.gen}.month.${f}.`);
    }
    return {
      ...this.base,
      gen: this.gen,
      windows: this.windows,
      rows: this.rows,
      dayDocs,
      monthDocs,
      partialMonths: months.filter((m) => !full.has(m)),
      partialFine: derived.partialFine,
      now: this.settings.now(),
    };
  }

  private async doAbort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.buffers.clear();
    await this.settings.store
      .collection<GenerationDoc>(LEDGER_COLLECTIONS.generations)
      .updateOne({ _id: this.gen, state: 'WRITING' }, { $set: { state: 'ABORTED', stopped_at: this.settings.now() } });
  }
}
