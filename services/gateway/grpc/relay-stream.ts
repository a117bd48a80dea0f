import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { encodeMessage, metadataOf } from '../upstream/grpc-wire';
import type { H2Target } from '../upstream/h2-target';

/** Request headers passed on to the gateway's own grpc-js server. */
const PASSED = ['content-type', 'te', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'x-request-id', 'user-agent'];

/**
 * Relays one call of any shape (unary, server or bidi streaming: health Watch, reflection) to
 * `target` as an HTTP/2 stream: headers, messages both ways with backpressure, trailers back;
 * either side closing early cancels the other.
 */
export function relayStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, target: H2Target): void {
  const out: OutgoingHttpHeaders = { ':method': 'POST', ':path': headers[':path'] };
  for (const k of PASSED) if (headers[k] !== undefined) out[k] = headers[k];
  let upstream: ReturnType<H2Target['request']>;
  try {
    upstream = target.request(out);
  } catch {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status.UNAVAILABLE), 'grpc-message': encodeMessage('the gateway is shutting down') }, { endStream: true });
    return;
  }
  let trailers: OutgoingHttpHeaders | undefined;
  upstream.on('error', () => undefined);
  upstream.on('response', (h) => {
    if (h['grpc-status'] !== undefined) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...metadataOf(h) }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, 'content-type': String(h['content-type'] ?? 'application/grpc') }, { waitForTrailers: true });
    upstream.pipe(stream);
  });
  upstream.on('trailers', (t) => (trailers = metadataOf(t)));
  stream.on('wantTrailers', () => stream.sendTrailers(trailers ?? { 'grpc-status': String(status.INTERNAL), 'grpc-message': 'the call ended without a status' }));
  stream.pipe(upstream);
  stream.on('close', () => {
    if (!upstream.closed) upstream.close(constants.NGHTTP2_CANCEL);
  });
  upstream.on('close', () => {
    if (stream.closed) return;
    if (!stream.headersSent) {
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status.UNAVAILABLE), 'grpc-message': encodeMessage('the gateway could not reach its own gRPC server') },
        { endStream: true },
      );
    } else if (upstream.rstCode && upstream.rstCode !== constants.NGHTTP2_NO_ERROR) stream.close(upstream.rstCode);
  });
}
