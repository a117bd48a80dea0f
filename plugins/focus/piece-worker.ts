/** Entry of a piece worker thread (see PieceThread): answers each read's messages with a PieceWork of its own. */
import { parentPort, workerData } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './piece-messages';
import { PieceWork } from './piece-work';

function serve(): void {
  const port = parentPort!;
  let work: PieceWork | null = null;
  port.on('message', (m: ToWorker) => {
    try {
      if (m.type === 'start') {
        work = new PieceWork(m.setup);
        return;
      }
      const r = work!.handle(m);
      if (r) port.postMessage(r.answer, r.transfer);
    } catch (err) {
      port.postMessage({ type: 'error', message: (err as Error).message, stack: (err as Error).stack } satisfies FromWorker);
    }
  });
}

if (parentPort && (workerData as { focusPieces?: boolean } | null)?.focusPieces) serve();
