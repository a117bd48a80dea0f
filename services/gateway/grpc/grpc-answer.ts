import type { OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { FIELD_KEY, REASON_KEY } from '../../../lib/grpc/status';
import { encodeMessage } from '../upstream/grpc-wire';

/**
 * A gRPC answer without a body (trailers-only): status, message, the reason trailer and the
 * request id, in one HEADERS frame. Nothing is sent once the stream answered or closed.
 * Returns the code.
 */
export function answer(stream: ServerHttp2Stream, requestId: string, code: number, message: string, reason: string, field?: string): number {
  if (stream.headersSent || stream.closed || stream.destroyed) return code;
  const headers: OutgoingHttpHeaders = {
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-status': String(code),
    'grpc-message': encodeMessage(message),
    [REASON_KEY]: reason,
    'x-request-id': requestId,
  };
  if (field) headers[FIELD_KEY] = field;
  stream.respond(headers, { endStream: true });
  return code;
}
