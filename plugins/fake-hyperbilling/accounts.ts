import { isCurrencyCode } from '../../lib/money';
import { USD_RATES, isPlatform, type Platform } from './catalog';

/** A billing account at the fake provider (Hyper Billing calls them projects in its answers). */
export interface FakeAccount {
  account_id: string;
  name: string;
  platform: Platform;
  /** The one currency the account is billed in. */
  currency: string;
  /** 'monthly': the provider has no daily breakdown for this account (daily_cost answers per month). */
  grain: 'daily' | 'monthly';
}

export interface AccountSpec {
  account_id: string;
  name?: string;
  platform?: Platform;
  currency?: string;
  grain?: 'daily' | 'monthly';
}

export function makeAccount(spec: AccountSpec | string): FakeAccount {
  const s: AccountSpec = typeof spec === 'string' ? { account_id: spec } : spec;
  if (!s.account_id || !/^[\w.-]{1,64}$/.test(s.account_id)) throw new RangeError(`bad account_id ${JSON.stringify(s.account_id)}`);
  const platform = s.platform ?? 'aws';
  if (!isPlatform(platform)) throw new RangeError(`unknown platform ${String(platform)}`);
  const currency = s.currency ?? 'USD';
  if (!isCurrencyCode(currency) || !USD_RATES[currency])
    throw new RangeError(`the fake bills in ${Object.keys(USD_RATES).join(', ')}; got ${currency}`);
  return { account_id: s.account_id, name: s.name ?? `Account ${s.account_id}`, platform, currency, grain: s.grain ?? 'daily' };
}
