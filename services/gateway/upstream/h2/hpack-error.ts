/**
 * A header block that cannot be decoded (RFC 7541 malformed input). The HPACK state of the
 * connection is then unknown, so the caller must end the connection with COMPRESSION_ERROR
 * (RFC 9113 4.3); a stream-level reset is never enough.
 */
export class HpackError extends Error {
  override readonly name = 'HpackError';
}
