import { isCurrencyCode } from '../../../lib/money';
import { MAX_PAGE_SIZE } from '../limits';
import type { PluginClient } from '../client';
import type { PluginMetadata } from '../types';
import { fail, pass, show, type Verdict } from './check-result';
import { describeError } from './grpc-error';
import type { Settings } from './options';

/** Identity's provider key rule (services/identity/domain/providers.ts PROVIDER_KEY_PATTERN). */
const PROVIDER_KEY = /^[a-z][a-z0-9_]{1,39}$/;

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The first thing wrong with Init's metadata, or undefined. */
export function metadataProblem(m: PluginMetadata | undefined): string | undefined {
  if (!m) return 'Init answered without metadata';
  if (!m.name) return 'metadata.name is empty';
  if (!m.providers.length) return 'metadata.providers is empty: name the provider keys the plugin serves';
  const badProvider = m.providers.find((p) => !PROVIDER_KEY.test(p));
  if (badProvider !== undefined) return `metadata.providers has ${show(badProvider)}: provider keys are 2-40 lowercase letters, digits and "_", starting with a letter`;
  if (!isCurrencyCode(m.currency)) return `metadata.currency ${show(m.currency)} is not an ISO 4217 code (e.g. USD)`;
  if (!Number.isInteger(m.pageSize) || m.pageSize < 1 || m.pageSize > MAX_PAGE_SIZE) return `metadata.page_size ${m.pageSize} is not in 1..${MAX_PAGE_SIZE}`;
  if (!isObject(m.credentialSchema)) return 'metadata.credential_schema is missing: a JSON Schema object is expected';
  if (!isObject(m.optionsSchema)) return 'metadata.options_schema is missing: a JSON Schema object is expected';
  return undefined;
}

export async function checkMetadata(client: PluginClient, s: Settings): Promise<{ verdict: Verdict; metadata?: PluginMetadata }> {
  let metadata: PluginMetadata | undefined;
  try {
    metadata = (await client.init({ options: s.options, domainId: s.domainId }, { deadlineMs: s.timeoutMs })).metadata;
  } catch (err) {
    return { verdict: fail(`Init failed: ${describeError(err)}`) };
  }
  const problem = metadataProblem(metadata);
  if (problem) return { verdict: fail('Init metadata is malformed', problem), metadata };
  const m = metadata!;
  return {
    verdict: pass(`${m.name} ${m.version || '(no version)'}: providers ${m.providers.join(', ')}, ${m.currency}, page_size ${m.pageSize}`),
    metadata: m,
  };
}
