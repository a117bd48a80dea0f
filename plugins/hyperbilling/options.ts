import { invalidArgument } from '../../lib/errors/domain-error';

/** Options of a Hyper Billing data source. */
export interface HyperBillingOptions {
  /** The API's base URL (the summary is at `${endpoint}/summary`). */
  endpoint: URL;
  /** Hyper Billing's platform key (aws, google_cloud, ...); sent only when set. */
  platform?: string;
}

export const OPTIONS_SCHEMA = {
  type: 'object',
  properties: {
    endpoint: { type: 'string', format: 'uri', title: 'API endpoint', description: "Hyper Billing API base URL; the plugin's TALLY_HYPERBILLING_ENDPOINT when unset" },
    platform: { type: 'string', title: 'Platform', description: "aws, google_cloud, alibaba_cloud, tencent_cloud, akamai; the account's platform when unset" },
  },
} as const;

const PLATFORM = /^[a-z][a-z0-9_]{1,31}$/;
/** Short names (identity's account data, billing-v1's credentials) and Hyper Billing's keys. */
const PLATFORM_ALIASES: Readonly<Record<string, string>> = { gcp: 'google_cloud', alibaba: 'alibaba_cloud', tencent: 'tencent_cloud' };

/** The API's base URL, checked: http(s), no user info, no query or fragment. */
export function parseEndpoint(text: string, field = 'options.endpoint'): URL {
  const bad = (why: string) => invalidArgument('HYPERBILLING.ENDPOINT_INVALID', field, `${field} ${why}`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('must be a URL such as https://api.example.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad('must be an http or https URL');
  if (url.username || url.password) throw bad('must not carry a user name or password');
  if (url.search || url.hash) throw bad('must not have a query or fragment');
  return url;
}

/**
 * Reads a data source's options over the plugin's defaults. The platform comes from the options,
 * else the account's data (identity's `platform`), else the credentials (as in billing-v1).
 */
export function parseOptions(options: Record<string, unknown> | undefined, defaultEndpoint: string, fallbackPlatform?: unknown): HyperBillingOptions {
  const o = options ?? {};
  const rawEndpoint = o.endpoint;
  if (rawEndpoint !== undefined && rawEndpoint !== null && rawEndpoint !== '' && typeof rawEndpoint !== 'string')
    throw invalidArgument('HYPERBILLING.ENDPOINT_INVALID', 'options.endpoint', 'options.endpoint must be a string');
  const endpoint = parseEndpoint(typeof rawEndpoint === 'string' && rawEndpoint ? rawEndpoint : defaultEndpoint);
  const rawPlatform = o.platform || fallbackPlatform;
  if (rawPlatform === undefined || rawPlatform === null || rawPlatform === '') return { endpoint };
  if (typeof rawPlatform !== 'string' || !PLATFORM.test(rawPlatform))
    throw invalidArgument('HYPERBILLING.PLATFORM_INVALID', 'options.platform', 'options.platform must be a platform key such as aws or google_cloud');
  return { endpoint, platform: PLATFORM_ALIASES[rawPlatform] ?? rawPlatform };
}
