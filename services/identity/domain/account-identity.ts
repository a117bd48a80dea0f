import { createHash } from 'node:crypto';
import type { ProviderRecord } from './records';

/**
 * What identifies the billing account behind a service account: the values its provider's
 * account schema requires (account_id for AWS and Hyper Billing, project_id for Google Cloud,
 * subscription_id for Azure; a custom provider's own `required`). Two live service accounts of
 * a domain may not share one, or billing would sync the account twice and count its costs
 * twice. Accounts of non-billing providers (they bring no costs) and of providers whose schema
 * requires nothing (nothing tells two of their accounts apart) have no identity.
 */
export interface AccountIdentity {
  /** The identifying fields, in the schema's order. */
  fields: string[];
  /** Stored as service_accounts.account_key, unique per domain: the provider and a hash of the values. */
  key: string;
}

/** The fields the provider's account schema requires, in its order (none for a non-billing provider). */
export function identifyingFields(provider: ProviderRecord): string[] {
  if (!provider.is_billing) return [];
  const required = provider.account_schema?.required;
  if (!Array.isArray(required)) return [];
  return [...new Set(required.filter((k): k is string => typeof k === 'string' && k !== ''))];
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The identity of validated account data, or null when the provider gives its accounts none
 * (or, for data stored before a schema change, when a required value is missing).
 */
export function accountIdentity(provider: ProviderRecord, data: Record<string, unknown>): AccountIdentity | null {
  const fields = identifyingFields(provider);
  if (fields.length === 0 || fields.some((f) => !Object.hasOwn(data, f) || data[f] === undefined)) return null;
  const values = [...fields].sort().map((f) => [f, data[f]]);
  const hash = createHash('sha256').update(canonical(values)).digest('hex');
  return { fields, key: `${provider.provider}:${hash}` };
}
