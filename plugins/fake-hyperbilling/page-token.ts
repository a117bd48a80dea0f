import { createHash } from 'node:crypto';

/**
 * Opaque page tokens: the offset of the next entry and a fingerprint of the query, so a token
 * used with another query is refused rather than silently mixing answers.
 */
export const queryFingerprint = (parts: readonly string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);

export function encodePageToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString('base64url');
}

/** The offset the token points at, or undefined when it is not a token for this query. */
export function decodePageToken(token: string, fingerprint: string): number | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; f?: unknown };
    return v.f === fingerprint && Number.isSafeInteger(v.o) && (v.o as number) > 0 ? (v.o as number) : undefined;
  } catch {
    return undefined;
  }
}
