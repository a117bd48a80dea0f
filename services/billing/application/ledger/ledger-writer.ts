import { randomBytes } from 'node:crypto';
import { DomainError, failedPrecondition, invalidArgument } from '../../../../lib/errors/domain-error';
import type { Logger } from '../../../../lib/log/logger';
import type { Store } from '../../../../lib/store/port';
import type { CostRowInput, DateWindow, LedgerWriter, ReplaceTarget } from '../ports';
import { firstDayOf, isRealDate, lastDayOf, monthsBetween } from './calendar';
import { assertNotRemoved, commitTransaction, type CommitInput } from './commit-transaction';
import { LEDGER_COLLECTIONS, type ChunkDoc, type GenerationDoc } from './ledger-collections';
import { ChunkBuffers, type ChunkText } from './chunk-buffers';
import { COMPACT_LAYOUT, rowChars } from './chunk-layout';
import { DayGroups } from './day-groups';
import type { PairBase } from './rollup-builder';
import { FAMILIES, type FamilyName, type RollupDoc } from './rollup-families';
import { deriveRollups } from './rollup-derivation';
import { checkRows, type CheckedRows } from './row-checks';
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
/** Dates with buffered rows before all buffers are written out (each holds at most chunkRows rows). */
const MAX_BUFFERED_DATES = 16;

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

/**
 * Writes one generation. Rows are checked, added into the day rollups in memory, and stored
 * in chunks nobody reads until commit; commit writes the rollups and flips visibility in one
 * transaction. Calls are run one after another.
 */
class GenerationWriter implements LedgerWriter {
  private state: WriterState = 'open';
  private queue: Promise<unknown> = Promise.resolve();
  private readonly days = new DayGroups();
  private readonly buffers: ChunkBuffers;
  private writes = 0;
  private readonly dateCheck = new Map<string, boolean | 'not-a-date'>();
  private lastDate = '';
  private lastDateOk: boolean | 'not-a-date' = 'not-a-date';
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
    this.buffers = new ChunkBuffers(settings.chunkRows);
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
    if (date === this.lastDate) return this.lastDateOk;
    let ok = this.dateCheck.get(date);
    if (ok === undefined) {
      ok = !isRealDate(date) ? 'not-a-date' : this.windows.some((w) => date >= w.start && date <= w.end);
      this.dateCheck.set(date, ok);
    }
    this.lastDate = date;
    this.lastDateOk = ok;
    return ok;
  };

  private async doWrite(rows: CostRowInput[]): Promise<void> {
    this.assertOpen();
    if (!Array.isArray(rows)) throw invalidArgument('LEDGER.INVALID_ROW', 'rows', 'rows: must be a list of cost rows');
    const checked = checkRows(rows, this.inWindows, this.windowsText);
    try {
      await this.keep(rows, checked);
    } catch (err) {
      // Part of the batch may be kept: this generation can no longer be committed.
      if (this.state === 'open') this.state = 'failed';
      throw err;
    }
  }

  /**
   * Adds checked rows into the day groups and the chunk buffers. A date's rows are stored once
   * they are chunkRows, or once a write adds none to them (streams come mostly in date order:
   * the date is then complete, and its rows leave memory early), or when more than
   * MAX_BUFFERED_DATES dates are buffered.
   */
  private async keep(rows: readonly CostRowInput[], { limbs, tags: tagLists, info: infoLists }: CheckedRows): Promise<void> {
    const days = this.days;
    const buffers = this.buffers;
    const write = ++this.writes;
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const a0 = limbs[4 * i];
      const a1 = limbs[4 * i + 1];
      const a2 = limbs[4 * i + 2];
      const a3 = limbs[4 * i + 3];
      const tags = tagLists[i];
      const info = infoLists[i];
      const bg = days.of(r.billed_date, r.currency, r.provider);
      const g = days.fine(bg, r.product, r.region, r.usage_type);
      g.total.add(a0, a1, a2, a3);
      g.rows += 1;
      const segment = buffers.segment(r.billed_date, write, rowChars(r, tags, info));
      const dim = segment.dim(g, r.provider, r.product, r.region, r.usage_type, r.currency);
      segment.startRow(dim, r.resource_id, r.usage_quantity, r.usage_unit, r.cost, tags.length >> 1);
      for (let j = 0; j < tags.length; j += 2) {
        const t = days.tag(bg, tags[j], tags[j + 1]);
        t.total.add(a0, a1, a2, a3);
        t.rows += 1;
        segment.rowTag(t, tags[j], tags[j + 1]);
      }
      segment.endRow(info);
      if (buffers.added()) await this.store([r.billed_date]);
    }
    this.rows += rows.length;
    buffers.seal();
    await this.store(buffers.size > MAX_BUFFERED_DATES ? buffers.dates() : buffers.datesBefore(write));
    await this.touch();
  }

  /** Stores the buffered rows of these dates, in one insert. */
  private async store(dates: readonly string[]): Promise<void> {
    const docs: ChunkDoc[] = [];
    for (const date of dates) for (const chunk of this.buffers.take(date)) docs.push(this.chunkDoc(date, chunk));
    if (docs.length > 0) await this.settings.store.collection<ChunkDoc>(LEDGER_COLLECTIONS.chunks).insertMany(docs);
  }

  private chunkDoc(date: string, chunk: ChunkText): ChunkDoc {
    return {
      _id: `${this.gen}:${date}:${this.chunkSeq++}`,
      domain_id: this.base.domainId,
      data_source_id: this.base.dataSourceId,
      service_account_id: this.base.serviceAccountId,
      gen: this.gen,
      date,
      n: chunk.n,
      layout: COMPACT_LAYOUT,
      rows: chunk.json,
    };
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
      await this.store(this.buffers.dates());
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
    const derived = deriveRollups(this.days, (month) => full.has(month));
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
