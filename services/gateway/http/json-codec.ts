import { fromBinary, fromJson, toBinary, toJson, type JsonValue, type Registry } from '@bufbuild/protobuf';
import { invalidArgument } from '../../../lib/errors/domain-error';
import type { PublicMethod } from '../contract/public-api';

/** protobuf-es names the field at fault in its messages; we hand it back as details.field. */
function fieldOf(message: string): string {
  return /cannot decode field [\w.]+\.(\w+) from JSON/.exec(message)?.[1] ?? /key "([^"]+)" is unknown/.exec(message)?.[1] ?? '';
}

/**
 * The request body (JSON, snake_case or lowerCamelCase names) as the request message's bytes.
 * Malformed JSON, a non-object body, wrong types and unknown fields are INVALID_ARGUMENT.
 */
export function decodeRequest(m: PublicMethod, body: Buffer, registry: Registry): Buffer {
  const text = body.toString('utf8').trim();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw invalidArgument('GATEWAY.MALFORMED_JSON', '', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalidArgument('GATEWAY.MALFORMED_JSON', '', `the request body must be a JSON object (${m.input.typeName})`);
  }
  try {
    return Buffer.from(toBinary(m.input, fromJson(m.input, json as JsonValue, { registry })));
  } catch (e) {
    const message = (e as Error).message;
    const field = fieldOf(message);
    throw invalidArgument('GATEWAY.INVALID_JSON_FIELD', field, message);
  }
}

/** The response bytes as JSON with proto (snake_case) names, fields at their defaults included. */
export function encodeResponse(m: PublicMethod, bytes: Buffer, registry: Registry): JsonValue {
  return toJson(m.output, fromBinary(m.output, bytes), { useProtoFieldName: true, alwaysEmitImplicit: true, registry });
}
