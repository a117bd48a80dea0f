import { fromBinary, fromJson, toBinary, toJson, type JsonValue, type Registry } from '@bufbuild/protobuf';
import { invalidArgument } from '../../../lib/errors/domain-error';
import { redactSecrets, secretStrings } from '../../../lib/secrets/redact';
import type { PublicMethod } from '../contract/public-api';
import { findJsonFault, secretValuesOf } from './json-field-path';

/**
 * The request body (JSON, snake_case or lowerCamelCase names) as the request message's bytes.
 * Malformed JSON, a non-object body, wrong types and unknown fields are INVALID_ARGUMENT, with
 * details.field the full snake_case path at fault (`query.filter[0].k`), found only once
 * protobuf-es has refused the body (json-field-path.ts). Secret values never reach the message.
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
    const fault = findJsonFault(m.input, json as JsonValue, registry);
    const secrets = secretStrings(secretValuesOf(json));
    if (fault) throw invalidArgument('GATEWAY.INVALID_JSON_FIELD', fault.field, redactSecrets(fault.message, secrets));
    throw invalidArgument('GATEWAY.INVALID_JSON_FIELD', '', redactSecrets((e as Error).message, secrets));
  }
}

/** The response bytes as JSON with proto (snake_case) names, fields at their defaults included. */
export function encodeResponse(m: PublicMethod, bytes: Buffer, registry: Registry): JsonValue {
  return toJson(m.output, fromBinary(m.output, bytes), { useProtoFieldName: true, alwaysEmitImplicit: true, registry });
}
