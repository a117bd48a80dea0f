export { startFakeHyperBilling, type FakeHyperBilling, type FakeHyperBillingOptions, type RecordedRequest } from './fake-server';
export type { AccountSpec, FakeAccount } from './accounts';
export type { AddedClient, ClientSpec, IssuedCredentials } from './clients';
export type { CostAmounts, DailyCost } from './cost-model';
export { FaultInjector, type FaultKind, type FaultSpec } from './faults';
export { signJwt, verifyJwt, type JwtClaims } from './jwt';
export { PLATFORMS, type Platform } from './catalog';
export { SUMMARY_KINDS, type SummaryKind, type SummaryItemJson, type EntryJson, type CostRecordJson } from './summary';
