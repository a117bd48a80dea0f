import { readFile } from 'node:fs/promises';
import { UsageError } from './args';
import type { GatewayClient, Json } from './gateway-client';
import { promptHidden, readAll, type Io } from './io';

/** The fields a provider's credential schema asks for (required first); none if it needs none. */
export async function credentialFields(client: GatewayClient, provider: string): Promise<string[]> {
  const res = await client.call('/identity/provider/get', { provider });
  const schema = (res.provider?.credential_schema ?? {}) as { required?: string[]; properties?: Record<string, unknown> };
  const required = schema.required ?? [];
  return [...new Set([...required, ...Object.keys(schema.properties ?? {}).filter((k) => required.length === 0 || required.includes(k))])];
}

function parseObject(text: string, where: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  if (Array.isArray(value)) {
    throw new UsageError(`${where} holds a list of ${value.length} credentials; give one of them, e.g. --credentials <(jq '.[0]' file.json)`);
  }
  if (value === null || typeof value !== 'object') throw new UsageError(`${where} must hold a JSON object of credentials`);
  return value as Json;
}

/**
 * The credentials of a new service account: from a JSON file, from stdin (`-`: JSON when piped,
 * a prompt per field without echo on a terminal), or prompted when the provider needs some and
 * none were given. Never printed back.
 */
export async function readCredentials(io: Io, client: GatewayClient, provider: string, source: string | undefined): Promise<Json | undefined> {
  if (source !== undefined && source !== '-') {
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the credentials file ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return parseObject(text, `the credentials file ${source}`);
  }
  const fields = await credentialFields(client, provider);
  if (source === undefined && fields.length === 0) return undefined;
  if (!io.stdin.isTTY) {
    const text = (await readAll(io.stdin)).trim();
    if (!text) throw new UsageError(`provider ${provider} needs credentials (${fields.join(', ')}): give --credentials <file.json> or pipe the JSON into --credentials -`);
    return parseObject(text, 'the credentials on stdin');
  }
  try {
    return await promptHidden(io, fields);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
