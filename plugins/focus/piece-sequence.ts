import type { DailyAggregator } from './daily-aggregator';
import type { DailyPartial } from './daily-partial';
import { giveBack } from './file-blocks';
import { owned, PIECE_BYTES, readPiece, type PieceOutcome } from './file-pieces';
import type { PiecePool, PieceWorker } from './piece-pool';

/** Pieces read and not yet confirmed, at most (bounds the memory held: each keeps its bytes). */
const MAX_PENDING = 8;

interface Pending {
  id: number;
  bytes: Buffer;
  final: boolean;
  /** Read before the pieces ahead of it were confirmed: as if it began a record, which it may not. */
  speculative: boolean;
  worker: PieceWorker | null;
  outcome: PieceOutcome | null;
  /** Its buckets, when this thread read it (a worker keeps its own until commit or drop). */
  part: DailyPartial | null;
  error: unknown;
  settled: Promise<void>;
}

let nextId = 0;

/**
 * The data pieces of one file, read in this thread or by workers, and confirmed in file order:
 * a piece's bad rows get their real line numbers, its counts and buckets are kept, and the
 * unfinished record it may end with (a cut that fell inside a quoted field) starts the next
 * piece, which is then read again when it had been read without it. So the result, errors and
 * line numbers included, is the one a single sequential read gives.
 */
export class PieceSequence {
  private readonly queue: Pending[] = [];
  /** The unfinished record the last confirmed piece ended with. */
  private carry: Buffer | null = null;

  constructor(
    private readonly aggregator: DailyAggregator,
    private readonly pool: PiecePool | null,
    /** Physical line of the first data byte. */
    private line: number,
    /** Bytes of the blocks a local file is read in (their memory is given back for the next ones). */
    private readonly blockBytes = PIECE_BYTES,
  ) {}

  /** Reads the next piece (the file's last when final); waits only when too many are pending. */
  async add(bytes: Buffer, final: boolean): Promise<void> {
    this.confirm();
    const speculative = this.queue.length > 0;
    if (!speculative && this.carry) {
      bytes = owned([this.carry, bytes], this.carry.length + bytes.length);
      this.carry = null;
    }
    const worker = final && !speculative ? null : (this.pool?.free() ?? null);
    const p: Pending = { id: nextId++, bytes, final, speculative, worker, outcome: null, part: null, error: null, settled: Promise.resolve() };
    this.queue.push(p);
    if (worker) {
      const a = this.aggregator;
      p.settled = worker.read(p.id, a.fileNumber, a.header, bytes, final).then(
        (r) => {
          p.outcome = r.outcome;
          p.bytes = r.bytes;
        },
        (err: unknown) => {
          p.error = err;
        },
      );
    } else {
      const r = readPiece(this.aggregator.reader, bytes, final, this.aggregator.stopAtFirst);
      p.outcome = r.outcome;
      p.part = r.part;
    }
    this.confirm();
    while (this.queue.length >= MAX_PENDING) await this.next();
  }

  /** Waits for every piece and confirms it. */
  async end(): Promise<void> {
    while (this.queue.length > 0) await this.next();
    if (this.carry) throw new Error('focus: the last piece of a file ended inside a record');
  }

  private async next(): Promise<void> {
    await this.queue[0].settled;
    this.confirm();
  }

  /** Confirms the pieces at the head of the queue that have been read, in order. */
  private confirm(): void {
    while (this.queue.length > 0) {
      const p = this.queue[0];
      if (p.error) throw p.error;
      if (!p.outcome) return;
      this.queue.shift();
      if (p.speculative && this.carry) {
        // The piece before ended inside a record: this one did not begin one. Read it again after that record's start.
        if (p.worker) p.worker.drop(p.id);
        const bytes = owned([this.carry, p.bytes], this.carry.length + p.bytes.length);
        this.carry = null;
        const r = readPiece(this.aggregator.reader, bytes, p.final, this.aggregator.stopAtFirst);
        this.apply({ ...p, bytes, worker: null, outcome: r.outcome, part: r.part });
      } else this.apply(p);
    }
  }

  private apply(p: Pending): void {
    const o = p.outcome!;
    this.aggregator.addPiece(o, this.line);
    if (p.worker) p.worker.commit(p.id);
    else this.aggregator.commit(p.part!);
    this.line += o.lines;
    if (o.used < p.bytes.length) this.carry = Buffer.from(p.bytes.subarray(o.used));
    giveBack(p.bytes, this.blockBytes);
  }
}
