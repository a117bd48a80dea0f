/**
 * The services and regions the fake bills per platform, with a typical daily list price for
 * one service in one region, in micro-units (millionths) of the account's currency before the
 * account's currency factor. Platform keys are Hyper Billing's (`aws`, `google_cloud`, ...).
 */
export interface CatalogService {
  name: string;
  regions: readonly string[];
  /** Typical daily cost in micro-USD. */
  dailyMicros: bigint;
}

const AWS: readonly CatalogService[] = [
  { name: 'Amazon Elastic Compute Cloud', regions: ['us-east-1', 'ap-northeast-2', 'eu-west-1'], dailyMicros: 40_000000n },
  { name: 'Amazon Simple Storage Service', regions: ['us-east-1', 'ap-northeast-2'], dailyMicros: 5_000000n },
  { name: 'Amazon Relational Database Service', regions: ['ap-northeast-2'], dailyMicros: 25_000000n },
  { name: 'AWS Lambda', regions: ['us-east-1', 'ap-northeast-2', 'eu-west-1'], dailyMicros: 500000n },
  { name: 'Amazon CloudFront', regions: ['global'], dailyMicros: 3_000000n },
];

const GOOGLE_CLOUD: readonly CatalogService[] = [
  { name: 'Compute Engine', regions: ['asia-northeast3', 'us-central1'], dailyMicros: 30_000000n },
  { name: 'Cloud Storage', regions: ['asia-northeast3', 'us'], dailyMicros: 4_000000n },
  { name: 'BigQuery', regions: ['us'], dailyMicros: 12_000000n },
  { name: 'Cloud SQL', regions: ['asia-northeast3'], dailyMicros: 18_000000n },
];

const GENERIC: readonly CatalogService[] = [
  { name: 'Elastic Compute Service', regions: ['ap-southeast-1', 'cn-hangzhou'], dailyMicros: 20_000000n },
  { name: 'Object Storage Service', regions: ['ap-southeast-1'], dailyMicros: 3_000000n },
  { name: 'Content Delivery Network', regions: ['global'], dailyMicros: 2_000000n },
];

export const PLATFORMS = ['aws', 'google_cloud', 'alibaba_cloud', 'tencent_cloud', 'akamai'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const isPlatform = (p: unknown): p is Platform => typeof p === 'string' && (PLATFORMS as readonly string[]).includes(p);

export function catalogFor(platform: Platform): readonly CatalogService[] {
  if (platform === 'aws') return AWS;
  if (platform === 'google_cloud') return GOOGLE_CLOUD;
  return GENERIC;
}

/** Units of the account's currency per USD, and USD per unit, as exact decimal strings. */
export const USD_RATES: Readonly<Record<string, { perUsd: bigint; usdPerUnit: string }>> = {
  USD: { perUsd: 1n, usdPerUnit: '1' },
  KRW: { perUsd: 1300n, usdPerUnit: '0.00076923' },
  JPY: { perUsd: 150n, usdPerUnit: '0.00666667' },
  EUR: { perUsd: 1n, usdPerUnit: '1.08' },
};
