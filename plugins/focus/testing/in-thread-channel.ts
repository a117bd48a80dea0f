import { Readable } from 'node:stream';
import type { ExportSource } from '../export-sources';
import type { PieceChannel } from '../piece-pool';
import type { FromWorker, ToWorker, WorkerSetup } from '../piece-messages';
import { PieceWork } from '../piece-work';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Piece workers in this thread, for tests: messages are cloned and their memory transferred as
 * between threads, and answered in order, each piece after `turns(n)` more turns of the event
 * loop for the n-th piece sent, so that pieces are read out of turn and speculation happens as
 * with threads, the same way on every run (no timers). `stats` counts pieces sent and dropped.
 */
export function inThreadWorkers(turns: (piece: number) => number = () => 0): { channel: (setup: WorkerSetup) => PieceChannel; stats: { pieces: number; drops: number } } {
  const stats = { pieces: 0, drops: 0 };
  const channel = (setup: WorkerSetup): PieceChannel => {
    const work = new PieceWork(setup);
    const inbox: ToWorker[] = [];
    let onMessage: (m: FromWorker) => void = () => {};
    let closed = false;
    let busy = false;
    const pump = async () => {
      busy = true;
      while (inbox.length > 0 && !closed) {
        const m = inbox.shift()!;
        const wait = m.type === 'piece' ? turns(stats.pieces++) : 0;
        for (let i = 0; i <= wait; i++) await turn();
        if (closed || m.type === 'start') continue;
        if (m.type === 'drop') stats.drops++;
        const r = work.handle(m);
        if (r) onMessage(structuredClone(r.answer, { transfer: r.transfer }));
      }
      busy = false;
    };
    return {
      post(m: ToWorker, transfer: ArrayBuffer[]) {
        inbox.push(structuredClone(m, { transfer }));
        if (!busy) void pump();
      },
      listen(message) {
        onMessage = message;
      },
      close: async () => {
        closed = true;
      },
    };
  };
  return { channel, stats };
}

/** A file as an export source whose bytes come in chunks of `size`, a turn of the event loop apart. */
export function chunkedSource(name: string, bytes: Uint8Array, size: number): ExportSource {
  return {
    name,
    open: async () =>
      Readable.from(
        (async function* () {
          for (let at = 0; at < bytes.length; at += size) {
            await turn();
            yield Buffer.from(bytes.subarray(at, at + size));
          }
        })(),
        { objectMode: false },
      ),
  };
}
