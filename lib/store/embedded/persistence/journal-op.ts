import type { Doc, IndexSpec } from '../../port';

/** One committed change, as the journal and the snapshot record it. */
export type JournalOp =
  | { c: string; put: Doc }
  | { c: string; del: string }
  | { c: string; ix: IndexSpec };
