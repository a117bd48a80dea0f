import type { BucketData } from './daily-partial';
import type { PieceOutcome } from './file-pieces';
import type { ReadSettings } from './line-item-reader';

/** What a piece worker is started with. */
export interface WorkerSetup {
  settings: ReadSettings;
  /** Stop a piece at its first bad row (on_bad_rows = fail). */
  stopAtFirst: boolean;
}

/** Messages to a piece worker: a read starts, then its pieces (their bytes are transferred, and come back with the outcome). */
export type ToWorker =
  | { type: 'start'; setup: WorkerSetup }
  | { type: 'piece'; id: number; file: number; header: string[]; bytes: ArrayBuffer; offset: number; length: number; final: boolean }
  | { type: 'commit'; id: number }
  | { type: 'drop'; id: number }
  | { type: 'totals' };

/** Messages from a piece worker. */
export type FromWorker =
  | { type: 'piece'; id: number; outcome: PieceOutcome; bytes: ArrayBuffer; offset: number; length: number }
  | { type: 'totals'; buckets: BucketData[] }
  | { type: 'error'; message: string; stack?: string };
