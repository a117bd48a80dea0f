import { DailyPartial } from './daily-partial';
import { readPiece } from './file-pieces';
import { LineItemReader } from './line-item-reader';
import type { FromWorker, ToWorker, WorkerSetup } from './piece-messages';

/**
 * What a piece worker does with each message: reads a piece into a partial of its own, kept until
 * the main thread says whether the piece began at a record's start (commit) or not (drop);
 * committed partials add up, and `totals` answers them. Runs in a worker thread
 * (piece-worker.ts), or in this one for tests.
 */
export class PieceWork {
  private readonly reader: LineItemReader;
  private readonly total = new DailyPartial();
  private readonly pending = new Map<number, DailyPartial>();
  private file = -1;

  constructor(private readonly setup: WorkerSetup) {
    this.reader = new LineItemReader(setup.settings);
  }

  /** The answer to a message, if it has one, and the memory to hand back with it. */
  handle(m: Exclude<ToWorker, { type: 'start' }>): { answer: FromWorker; transfer: ArrayBuffer[] } | null {
    if (m.type === 'piece') {
      if (m.file !== this.file) {
        this.reader.startFile(m.header);
        this.file = m.file;
      }
      const { outcome, part } = readPiece(this.reader, new Uint8Array(m.bytes, m.offset, m.length), m.final, this.setup.stopAtFirst);
      this.pending.set(m.id, part);
      return { answer: { type: 'piece', id: m.id, outcome, bytes: m.bytes, offset: m.offset, length: m.length }, transfer: [m.bytes] };
    }
    if (m.type === 'commit') this.total.merge(this.pending.get(m.id)!);
    if (m.type === 'commit' || m.type === 'drop') {
      this.pending.delete(m.id);
      return null;
    }
    return { answer: { type: 'totals', buckets: this.total.data() }, transfer: [] };
  }
}
