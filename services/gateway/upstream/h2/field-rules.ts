import type { DecodedHeaders } from './hpack-decoder';

/**
 * The rules RFC 9113 section 8.2 and 8.3 set for the fields of a response, which HPACK itself
 * does not judge: a broken answer is a malformed stream, and its fields must not travel on to a
 * client (the gateway passes a backend's trailers through).
 */

/** Lowercase token characters (RFC 9110 section 5.6.2, uppercase excluded by RFC 9113). */
const NAME = /^[a-z0-9!#$%&'*+\-.^_`|~]+$/;
/** NUL, CR and LF are never allowed in a value (RFC 9113 section 8.2.1). */
const BAD_VALUE = /[\0\r\n]/;
/** Fields of HTTP/1.1 connection management, malformed in HTTP/2 (RFC 9113 section 8.2.2). */
const CONNECTION_FIELDS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Names seen valid already: a backend repeats the same few names call after call. */
const knownGood = new Set<string>(['content-type', 'date', 'grpc-status', 'grpc-message', 'grpc-encoding', 'grpc-accept-encoding']);
const KNOWN_GOOD_LIMIT = 1024;

/**
 * Why a block of response fields is malformed, or undefined when it is not. `trailers`: the
 * block ends the stream after the response headers (no pseudo-headers at all); otherwise the
 * only pseudo-header is :status.
 */
export function malformedField(fields: DecodedHeaders, trailers: boolean): string | undefined {
  for (const name in fields) {
    if (name[0] === ':') {
      if (trailers || name !== ':status') return `the pseudo-header ${name.slice(0, 40)} in a response's ${trailers ? 'trailers' : 'headers'}`;
    } else if (!knownGood.has(name)) {
      if (!NAME.test(name)) return `a field name that is not a lowercase token: ${JSON.stringify(name.slice(0, 40))}`;
      if (CONNECTION_FIELDS.has(name)) return `the connection-specific field ${name}`;
      if (knownGood.size < KNOWN_GOOD_LIMIT) knownGood.add(name);
    }
    const value = fields[name];
    if (typeof value === 'string' ? BAD_VALUE.test(value) : value.some((v) => BAD_VALUE.test(v))) return `a NUL, CR or LF in the value of ${name}`;
  }
  return undefined;
}
