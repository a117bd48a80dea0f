/**
 * The rollups: pre-added costs kept beside the raw rows, replaced inside the commit that makes
 * their rows visible, so dashboards never scan daily rows.
 *
 * Every rollup document belongs to one (data source, service account) pair and carries its
 * currency, period and the dimensions of its family:
 *   fine      provider, product, region, usage_type
 *   product   provider, product
 *   provider  provider
 *   tag       provider, tag_key, tag_value   (one document per tag of the rows)
 * at two grains: day (period `date`, also `month`) and month (period `month`, also `year`);
 * fine is kept at the month grain only: at the day grain it would hold about one document per
 * row (plugins report per account, service, region and day), so raw rows answer it there.
 * Accounts, not projects, are kept, so moving an account rewrites nothing.
 */
import type { IndexSpec } from '../../../../lib/store/port';
import type { Limbs } from './amount-limbs';

export type FamilyName = 'fine' | 'product' | 'provider' | 'tag';
export type Grain = 'day' | 'month';

/** Row dimensions that rollups may keep. */
export type RowDim = 'provider' | 'product' | 'region' | 'usage_type';

export const FAMILY_DIMS: Readonly<Record<FamilyName, readonly string[]>> = {
  fine: ['provider', 'product', 'region', 'usage_type'],
  product: ['provider', 'product'],
  provider: ['provider'],
  tag: ['provider', 'tag_key', 'tag_value'],
};

export const FAMILIES: readonly FamilyName[] = ['fine', 'product', 'provider', 'tag'];
export const GRAINS: readonly Grain[] = ['day', 'month'];

export const rollupCollection = (family: FamilyName, grain: Grain): string => `cost_rollup_${grain}_${family}`;

/** The rollups kept: every family at the month grain, all but fine at the day grain. */
export const STORED_ROLLUPS: readonly { family: FamilyName; grain: Grain }[] = FAMILIES.flatMap((family) =>
  GRAINS.filter((grain) => family !== 'fine' || grain === 'month').map((grain) => ({ family, grain })),
);

export const isStored = (family: FamilyName, grain: Grain): boolean => family !== 'fine' || grain === 'month';

/** A stored rollup document. */
export interface RollupDoc extends Limbs {
  _id: string;
  domain_id: string;
  data_source_id: string;
  service_account_id: string;
  /** Day grain only. */
  date?: string;
  month: string;
  /** Month grain only. */
  year?: string;
  currency: string;
  provider: string;
  product?: string;
  region?: string;
  usage_type?: string;
  tag_key?: string;
  tag_value?: string;
  /** How many cost rows were added into this document. */
  rows: number;
  /** Domain bucket (index): domain|month (day grain) or domain|year (month grain); tags add the key. */
  dk: string;
  /** Account bucket (index): domain|account|month (day grain) or domain|account|year (month grain). */
  sk: string;
  [k: string]: unknown;
}

/** The bucket a period falls in: its month for the day grain, its year for the month grain. */
export const bucketOf = (grain: Grain, period: string): string => (grain === 'day' ? period.slice(0, 7) : period.slice(0, 4));

export function domainBucket(domainId: string, grain: Grain, period: string, tagKey?: string): string {
  const b = bucketOf(grain, period);
  return tagKey === undefined ? `${domainId}|${b}` : `${domainId}|${tagKey}|${b}`;
}

export const accountBucket = (domainId: string, serviceAccountId: string, grain: Grain, period: string): string =>
  `${domainId}|${serviceAccountId}|${bucketOf(grain, period)}`;

/** Bucket keys as passed to domainBucket/accountBucket for a bucket value (month or year). */
export const domainBucketKey = (domainId: string, bucket: string, tagKey?: string): string =>
  tagKey === undefined ? `${domainId}|${bucket}` : `${domainId}|${tagKey}|${bucket}`;
export const accountBucketKey = (domainId: string, serviceAccountId: string, bucket: string): string =>
  `${domainId}|${serviceAccountId}|${bucket}`;

/** The period field of a grain. */
export const periodField = (grain: Grain): 'date' | 'month' => (grain === 'day' ? 'date' : 'month');

export const ROLLUP_INDEXES: IndexSpec[] = [
  { name: 'dk', fields: ['dk'] },
  { name: 'sk', fields: ['sk'] },
];
