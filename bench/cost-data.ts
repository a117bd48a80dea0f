/**
 * Generated daily cost rows for the analyze and reassign benchmarks: deterministic, spread over
 * service accounts, projects, groups, products, regions and tags like a real estate of accounts.
 */
import type { CostRowInput } from '../services/billing/application/ports';

export const PRODUCTS = ['EC2', 'S3', 'RDS', 'Lambda', 'CloudFront', 'EBS', 'DynamoDB', 'EKS', 'SQS', 'SNS', 'Redshift', 'ElastiCache', 'VPC', 'Route53', 'KMS', 'CloudWatch'];
export const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1', 'ap-southeast-1'];
export const USAGE_TYPES = ['BoxUsage', 'Storage', 'Requests', 'DataTransfer', 'IO'];
export const TEAMS = ['web', 'data', 'ml', 'infra', 'mobile', 'search'];
export const ENVS = ['prod', 'staging', 'dev'];

export interface Estate {
  domainId: string;
  dataSourceId: string;
  /** Service account ids. */
  accounts: string[];
  projects: string[];
  groups: string[];
  /** account -> project (current; FOLLOW_ACCOUNT attributes all its costs there). */
  projectOf: Map<string, string>;
  /** project -> group */
  groupOf: Map<string, string>;
  /** Rows per account per day. */
  rowsPerDay: number;
  days: string[];
  rows: number;
}

export function daysOf(start: string, end: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** An estate of `accounts` accounts over `projects` projects whose rows add up to about `rows`. */
export function estate(rows: number, opts: { accounts?: number; projects?: number; start?: string; end?: string } = {}): Estate {
  const accountCount = opts.accounts ?? 200;
  const projectCount = opts.projects ?? 20;
  const days = daysOf(opts.start ?? '2024-01-01', opts.end ?? '2024-12-31');
  const rowsPerDay = Math.max(1, Math.round(rows / (accountCount * days.length)));
  const groups = Array.from({ length: 4 }, (_, i) => `pg-bench-${i}`);
  const projects = Array.from({ length: projectCount }, (_, i) => `project-bench-${String(i).padStart(3, '0')}`);
  const accounts = Array.from({ length: accountCount }, (_, i) => `sa-bench-${String(i).padStart(4, '0')}`);
  return {
    domainId: 'domain-bench',
    dataSourceId: 'ds-bench',
    accounts,
    projects,
    groups,
    projectOf: new Map(accounts.map((a, i) => [a, projects[(i * 7) % projectCount]])),
    groupOf: new Map(projects.map((p, i) => [p, groups[i % groups.length]])),
    rowsPerDay,
    days,
    rows: accountCount * days.length * rowsPerDay,
  };
}

/** A 32-bit mix (deterministic costs and tags). */
function mix(a: number, b: number, c: number): number {
  let h = (a * 0x9e3779b1) ^ (b * 0x85ebca77) ^ (c * 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  h = Math.imul(h, 0x297a2d39);
  h ^= h >>> 15;
  return h >>> 0;
}

const tagSets = TEAMS.flatMap((team) => ENVS.map((env) => ({ team, env })));

/** Cost in micro-dollars as text with 6 decimals (exact, canonical: no trailing zeros). */
function microText(micro: number): string {
  const whole = Math.floor(micro / 1_000_000);
  let frac = String(micro % 1_000_000).padStart(6, '0').replace(/0+$/, '');
  if (frac) frac = `.${frac}`;
  return `${whole}${frac}`;
}

/** One account's rows of one day, in a fixed order. */
export function dayRows(e: Estate, accountIndex: number, dayIndex: number): CostRowInput[] {
  const out: CostRowInput[] = [];
  const date = e.days[dayIndex];
  for (let k = 0; k < e.rowsPerDay; k++) {
    const h = mix(accountIndex + 1, dayIndex + 1, k + 1);
    const micro = (h % 50_000_000) + 1; // up to $50 a row
    out.push({
      billed_date: date,
      provider: 'aws',
      product: PRODUCTS[(accountIndex + k) % PRODUCTS.length],
      region: REGIONS[(k >>> 1) % REGIONS.length],
      usage_type: USAGE_TYPES[k % USAGE_TYPES.length],
      resource_id: `r-${accountIndex}-${k}`,
      usage_quantity: String((h >>> 8) % 1000),
      usage_unit: 'Hrs',
      cost: microText(micro),
      currency: 'USD',
      tags: tagSets[(h >>> 20) % tagSets.length],
      additional_info: {},
    });
  }
  return out;
}
