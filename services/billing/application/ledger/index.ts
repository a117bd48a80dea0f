/** The cost ledger: stored costs, their atomic replacement, rollups and garbage collection. */
export { createLedger, type LedgerOptions } from './create-ledger';
export { ensureLedgerIndexes, LEDGER_COLLECTIONS, LEDGER_INDEXES, type VisibilityDoc, type Segment } from './ledger-collections';
export { readConsistently, readEpoch } from './ledger-epoch';
export { LimbTotal, limbsToDecimal, parseLimbs, type Limbs } from './amount-limbs';
export {
  accountBucketKey,
  domainBucketKey,
  FAMILY_DIMS,
  isStored,
  rollupCollection,
  STORED_ROLLUPS,
  type FamilyName,
  type Grain,
  type RollupDoc,
} from './rollup-families';
export { chunkRows, forEachVisibleChunk, readVisibility, unpackRow, type VisibleRow } from './visible-rows';
export * as calendar from './calendar';
