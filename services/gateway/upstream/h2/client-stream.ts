import type { DecodedHeaders } from './hpack-decoder';

/**
 * Where a request's answer goes, in this order: onHeaders once (end: the block also ended the
 * stream, a trailers-only answer), onData any number of times, onTrailers at most once, then
 * onClose exactly once. None of them runs after the caller cancelled the stream.
 */
export interface StreamReceiver {
  onHeaders(headers: DecodedHeaders, end: boolean): void;
  onData(chunk: Buffer): void;
  onTrailers(trailers: DecodedHeaders): void;
  /**
   * The stream is over: code 0 when it ended normally, else the RST_STREAM code (the peer's, or
   * this side's); `failure` says why when this side ended the stream or the connection failed.
   */
  onClose(code: number, failure?: StreamFailure): void;
}

/** Why this side ended a stream. */
export type FailureKind =
  /** The connection failed, closed or could not be opened; the backend may or may not have seen the request. */
  | 'connection'
  /** The backend refused the stream (GOAWAY before it, REFUSED_STREAM): it did not process the request. */
  | 'refused'
  /** The answer broke HTTP/2's rules for a response (DATA before HEADERS, a second HEADERS without END_STREAM...). */
  | 'malformed'
  /** The answer's message or headers were larger than this side accepts. */
  | 'too-large';

export class StreamFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** The caller's handle on a request: cancel() resets the stream, and its receiver hears nothing more. */
export interface StreamHandle {
  cancel(): void;
}
