import { DomainError } from '../../../../lib/errors/domain-error';
import { isCurrencyCode } from '../../../../lib/money';

/**
 * Calls a plugin's Init with a data source's options: the providers it serves and the currency
 * of its rows. The sync engine's plugin adapter provides it (PluginGateway.pluginInit); it
 * rejects with a DomainError (PLUGIN.UNAVAILABLE, …) a user can act on.
 */
export type PluginInit = (endpoint: string, options: Record<string, unknown>) => Promise<{ providers: string[]; currency: string }>;

const PROVIDER = /^[a-z][a-z0-9_-]{0,63}$/;

/** Init's answer checked: at least one provider key, and a currency that is empty or ISO 4217. */
export async function describePlugin(init: PluginInit, endpoint: string, options: Record<string, unknown>): Promise<{ providers: string[]; currency: string }> {
  const info = await init(endpoint, options);
  const wrong = (why: string) =>
    new DomainError('FAILED_PRECONDITION', 'DATA_SOURCE.PLUGIN_METADATA', `the plugin at ${endpoint} answered Init with ${why}`);
  const providers = [...new Set(Array.isArray(info?.providers) ? info.providers : [])];
  if (providers.length === 0) throw wrong('no providers');
  const odd = providers.find((p) => typeof p !== 'string' || !PROVIDER.test(p));
  if (odd !== undefined) throw wrong(`an invalid provider key ${JSON.stringify(String(odd).slice(0, 64))}`);
  const currency = info.currency ?? '';
  if (currency !== '' && !isCurrencyCode(currency)) throw wrong(`a currency that is not ISO 4217 (${JSON.stringify(String(currency).slice(0, 16))})`);
  return { providers: providers.sort(), currency };
}
