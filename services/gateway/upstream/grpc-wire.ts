import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';

/**
 * The few pieces of the gRPC-over-HTTP/2 wire format the gateway handles itself, so that calls
 * pass through as bytes: timeouts, status trailers, message framing.
 */

/** Milliseconds per grpc-timeout unit (hours, minutes, seconds, milli-, micro-, nanoseconds). */
function unitMs(unit: number): number | undefined {
  switch (unit) {
    case 0x48: // H
      return 3_600_000;
    case 0x4d: // M
      return 60_000;
    case 0x53: // S
      return 1_000;
    case 0x6d: // m
      return 1;
    case 0x75: // u
      return 0.001;
    case 0x6e: // n
      return 0.000001;
    default:
      return undefined;
  }
}

/** The `grpc-timeout` header (1 to 8 digits and a unit: `4999m`, `30S`) in milliseconds; undefined when absent or malformed. */
export function parseTimeout(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (typeof v !== 'string' || v.length < 2 || v.length > 9) return undefined;
  const last = v.length - 1;
  const unit = unitMs(v.charCodeAt(last));
  if (unit === undefined) return undefined;
  let n = 0;
  for (let i = 0; i < last; i++) {
    const d = v.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n * unit;
}

/** A `grpc-timeout` value for ms milliseconds (at least 1 ms; at most 8 digits, as the spec allows). */
export const encodeTimeout = (ms: number): string => {
  const whole = Math.max(1, Math.ceil(ms));
  return whole < 100_000_000 ? `${whole}m` : `${Math.min(99_999_999, Math.ceil(whole / 1000))}S`;
};

/** grpc-message is percent-encoded UTF-8 on the wire. */
export function decodeMessage(raw: string | string[] | undefined): string {
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (!v) return '';
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Percent-encodes a message for grpc-message: printable ASCII but `%` stays as it is. */
export function encodeMessage(message: string): string {
  if (/^[\x20-\x24\x26-\x7e]*$/.test(message)) return message;
  let out = '';
  for (const b of Buffer.from(message, 'utf8')) out += b >= 0x20 && b <= 0x7e && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** The status a set of trailers (or trailers-only headers) carries; undefined without grpc-status. */
export function statusOf(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers['grpc-status'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  if (v === undefined) return undefined;
  const code = Number(v);
  return Number.isInteger(code) && code >= 0 && code <= 16 ? code : status.UNKNOWN;
}

/** Header names a response's trailers may not carry on to a client (HTTP/2 framing, not gRPC metadata). */
const NOT_METADATA = new Set(['content-type', 'content-length', 'date', 'grpc-encoding', 'grpc-accept-encoding', 'server', 'te', 'user-agent']);

/** The gRPC trailers of a backend's answer, to send on: pseudo and HTTP-level headers dropped. */
export function metadataOf(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in headers) if (k[0] !== ':' && !NOT_METADATA.has(k)) out[k] = headers[k];
  return out;
}

/**
 * Whether a unary request body is one length-prefixed message (flag byte 0 or 1, then a 4-byte
 * big-endian length that matches what follows).
 */
export const isOneMessage = (body: Buffer): boolean => body.length >= 5 && body[0] <= 1 && body.readUInt32BE(1) === body.length - 5;

/** What a reset of an HTTP/2 stream means for a gRPC call (the spec's mapping). */
export function statusOfReset(code: number): number {
  switch (code) {
    case constants.NGHTTP2_REFUSED_STREAM:
      return status.UNAVAILABLE;
    case constants.NGHTTP2_CANCEL:
      return status.CANCELLED;
    case constants.NGHTTP2_ENHANCE_YOUR_CALM:
      return status.RESOURCE_EXHAUSTED;
    case constants.NGHTTP2_INADEQUATE_SECURITY:
      return status.PERMISSION_DENIED;
    default:
      return status.INTERNAL;
  }
}
