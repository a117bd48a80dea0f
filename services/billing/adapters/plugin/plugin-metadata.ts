import { DomainError } from '../../../../lib/errors/domain-error';
import { isCurrencyCode } from '../../../../lib/money';
import type { PluginMetadata } from '../../../../plugins/sdk';
import type { PluginInfo } from '../../application/sync/plugin-port';

const bad = (endpoint: string, why: string) =>
  new DomainError('FAILED_PRECONDITION', 'PLUGIN.BAD_METADATA', `the plugin at ${endpoint} answered Init with ${why}; fix the plugin`);

/** Checks Init's answer: at least one provider key, and a currency that is ISO 4217 or empty. */
export function toPluginInfo(metadata: PluginMetadata | undefined, endpoint: string): PluginInfo {
  if (!metadata) throw bad(endpoint, 'no metadata');
  const providers = metadata.providers.map((p) => p.trim()).filter((p) => p !== '');
  if (providers.length === 0) throw bad(endpoint, 'no provider (metadata.providers is empty)');
  const currency = metadata.currency.trim();
  if (currency !== '' && !isCurrencyCode(currency))
    throw bad(endpoint, `currency ${JSON.stringify(metadata.currency.trim().slice(0, 16))}, which is not an ISO 4217 code such as USD`);
  return { name: metadata.name, version: metadata.version, providers, currency };
}
