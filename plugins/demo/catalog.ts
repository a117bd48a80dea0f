/**
 * What the demo cloud sells. Prices are micro-USD per unit and daily quantities milli-units,
 * both integers, so amounts are computed exactly.
 */
export interface UsageKind {
  product: string;
  usageType: string;
  unit: string;
  priceMicroUsd: number;
  dailyMilli: number;
  additionalInfo: Readonly<Record<string, string>>;
}

const kind = (product: string, usageType: string, unit: string, priceMicroUsd: number, dailyMilli: number, pricing = 'on-demand'): UsageKind =>
  Object.freeze({ product, usageType, unit, priceMicroUsd, dailyMilli, additionalInfo: Object.freeze({ pricing }) });

export const USAGE_KINDS: readonly UsageKind[] = Object.freeze([
  kind('Compute', 'vm.standard-2', 'Hrs', 96_000, 24_000),
  kind('Compute', 'vm.highmem-8', 'Hrs', 145_000, 24_000, 'reserved'),
  kind('Compute', 'vm.gpu-1', 'Hrs', 190_000, 12_000),
  kind('Object Storage', 'storage.standard', 'GB-Mo', 760, 9_000_000),
  kind('Object Storage', 'requests.put', '1K-Requests', 5_000, 3_500_000),
  kind('Block Storage', 'volume.ssd', 'GB-Mo', 3_300, 4_000_000),
  kind('Database', 'db.postgres-4', 'Hrs', 120_000, 24_000),
  kind('Database', 'db.storage', 'GB-Mo', 3_800, 2_000_000),
  kind('Data Transfer', 'egress.internet', 'GB', 90_000, 350_000),
  kind('Data Transfer', 'egress.inter-region', 'GB', 20_000, 800_000),
  kind('Kubernetes', 'cluster.control-plane', 'Hrs', 100_000, 24_000),
  kind('Load Balancer', 'lb.application', 'LCU-Hrs', 8_000, 120_000),
  kind('CDN', 'cdn.egress', 'GB', 60_000, 500_000),
  kind('Monitoring', 'metrics.ingested', 'GB', 120_000, 30_000),
  kind('Serverless', 'functions.invocations', '1M-Requests', 200_000, 15_000, 'free-tier-applied'),
  kind('Serverless', 'functions.duration', 'GB-Seconds', 17, 40_000_000),
]);

export const REGIONS: readonly string[] = Object.freeze([
  'us-east-1',
  'us-west-2',
  'eu-west-1',
  'eu-central-1',
  'ap-northeast-2',
  'ap-northeast-1',
  'ap-southeast-1',
  'sa-east-1',
]);

/** Each account bills in one of these; rate is units of the currency per USD, over 100. */
export const CURRENCIES: readonly { code: string; per100Usd: number }[] = Object.freeze([
  { code: 'USD', per100Usd: 100 },
  { code: 'EUR', per100Usd: 92 },
  { code: 'KRW', per100Usd: 135_000 },
  { code: 'JPY', per100Usd: 15_000 },
  { code: 'GBP', per100Usd: 79 },
]);

/** Shared, frozen tag maps: rows reference them instead of each carrying its own. */
export const TAG_SETS: readonly Readonly<Record<string, string>>[] = Object.freeze(
  ['prod', 'staging', 'dev'].flatMap((env) =>
    ['platform', 'data', 'web', 'ml'].map((team) => Object.freeze({ env, team, 'cost-center': `cc-${team}` })),
  ),
);
