import { availableParallelism } from 'node:os';
import type { BucketData } from './daily-partial';
import type { PieceOutcome } from './file-pieces';
import type { FromWorker, ToWorker, WorkerSetup } from './piece-messages';
import { PieceThread } from './piece-threads';

/** Pieces a worker holds at once (one being read, two waiting), so that it does not wait while the main thread reads one. */
const DEPTH = 3;

/** Worker threads for a machine: one per core beside the main thread's (which reads pieces too), at most 3. */
export const defaultWorkers = (): number => Math.max(0, Math.min(3, availableParallelism() - 1));

/** Where a PieceWorker's messages go and come from: a worker thread, or (tests) this thread. */
export interface PieceChannel {
  post(m: ToWorker, transfer: ArrayBuffer[]): void;
  listen(onMessage: (m: FromWorker) => void, onFailure: (err: Error) => void): void;
  /** Ends the read: clean when every piece sent was committed or dropped and totals answered. */
  close(clean: boolean): Promise<void>;
}

/** A worker thread (see PieceThread), idle or new. */
export function threadChannel(setup: WorkerSetup): PieceChannel {
  const thread = PieceThread.take(setup);
  return {
    post: (m, transfer) => thread.post(m, transfer),
    listen: (onMessage, onFailure) => thread.listen(onMessage, onFailure),
    close: (clean) => thread.release(clean),
  };
}

/** One worker reading pieces (see piece-work.ts), through a channel. */
export class PieceWorker {
  inFlight = 0;
  private readonly pieces = new Map<number, { resolve: (r: { outcome: PieceOutcome; bytes: Buffer }) => void; reject: (e: Error) => void }>();
  private totalsWaiting: { resolve: (b: BucketData[]) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(private readonly channel: PieceChannel) {
    channel.listen(
      (m) => this.receive(m),
      (err) => this.fail(err),
    );
  }

  /**
   * Reads a piece; the memory it views is handed over, and comes back with the outcome. The piece
   * must alone use that memory (never a slice of Node's shared pool): PieceCutter and owned() make
   * such pieces.
   */
  read(id: number, file: number, header: string[], bytes: Buffer, final: boolean): Promise<{ outcome: PieceOutcome; bytes: Buffer }> {
    if (this.failure) return Promise.reject(this.failure);
    const buffer = bytes.buffer as ArrayBuffer;
    this.inFlight++;
    const done = new Promise<{ outcome: PieceOutcome; bytes: Buffer }>((resolve, reject) => this.pieces.set(id, { resolve, reject }));
    this.channel.post({ type: 'piece', id, file, header, bytes: buffer, offset: bytes.byteOffset, length: bytes.length, final }, [buffer]);
    return done;
  }

  commit(id: number): void {
    this.channel.post({ type: 'commit', id }, []);
  }

  drop(id: number): void {
    this.channel.post({ type: 'drop', id }, []);
  }

  /** The buckets of every committed piece. */
  totals(): Promise<BucketData[]> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<BucketData[]>((resolve, reject) => (this.totalsWaiting = { resolve, reject }));
    this.channel.post({ type: 'totals' }, []);
    return done;
  }

  /** Ends the read (clean: every piece confirmed and totals taken). */
  async stop(clean: boolean): Promise<void> {
    this.failure ??= new Error('focus: the piece worker was stopped');
    await this.channel.close(clean && this.inFlight === 0);
  }

  private receive(m: FromWorker): void {
    if (m.type === 'piece') {
      this.inFlight--;
      const waiting = this.pieces.get(m.id)!;
      this.pieces.delete(m.id);
      waiting.resolve({ outcome: m.outcome, bytes: Buffer.from(m.bytes, m.offset, m.length) });
    } else if (m.type === 'totals') {
      this.totalsWaiting?.resolve(m.buckets);
      this.totalsWaiting = null;
    } else {
      const err = new Error(`focus: a piece worker failed: ${m.message}`);
      err.stack = m.stack;
      this.fail(err);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const w of this.pieces.values()) w.reject(err);
    this.pieces.clear();
    this.totalsWaiting?.reject(err);
    this.totalsWaiting = null;
  }
}

/** Worker threads started as pieces need them, for the files of one read. */
export class PiecePool {
  readonly workers: PieceWorker[] = [];

  constructor(
    private readonly setup: WorkerSetup,
    private readonly size = defaultWorkers(),
    private readonly channel: (setup: WorkerSetup) => PieceChannel = threadChannel,
  ) {}

  /** A worker with room for another piece (started if need be); null when all are busy. */
  free(): PieceWorker | null {
    for (const w of this.workers) if (w.inFlight < DEPTH) return w;
    if (this.workers.length >= this.size) return null;
    const w = new PieceWorker(this.channel(this.setup));
    this.workers.push(w);
    return w;
  }

  /** Ends the read (clean: every piece confirmed and totals taken; the threads may serve another read). */
  async stop(clean: boolean): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop(clean)));
  }
}
