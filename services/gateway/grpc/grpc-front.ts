import { constants, createServer, type Http2Server, type Http2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { unauthenticated } from '../../../lib/errors/domain-error';
import { bearerOf } from '../../../lib/grpc/call-context';
import { codeLabel, methodLabels, type GrpcMetrics, type MethodLabels } from '../../../lib/grpc/metrics';
import { requestIdOf } from '../../../lib/grpc/request-id';
import { FIELD_KEY, REASON_KEY } from '../../../lib/grpc/status';
import type { Logger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import { encodeMessage, isOneMessage, parseTimeout } from '../upstream/grpc-wire';
import type { H2Target } from '../upstream/h2-target';
import { outboundDeadline, type CancelHook, type Upstream } from '../upstream/forward';
import { relayStream } from './relay-stream';

export interface GrpcFrontOptions {
  host: string;
  port: number;
  methods: PublicMethod[];
  auth: Authenticator;
  upstream: Upstream;
  /** The gateway's own gRPC services (health, reflection), served by a grpc-js server on loopback. */
  own: H2Target;
  logger: Logger;
  metrics: GrpcMetrics;
  maxMessageBytes: number;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
}

export interface GrpcFront {
  port: number;
  /** Stops taking calls; calls in flight get graceMs to finish, then are cut. */
  close(graceMs: number): Promise<void>;
}

/** Paths of the gateway's own services, relayed as streams to its grpc-js server. */
const isOwn = (path: string) => path.startsWith('/grpc.health.v1.Health/') || path.startsWith('/grpc.reflection.');

interface Route {
  method: PublicMethod;
  labels: MethodLabels;
  handled: Map<number, MethodLabels & { grpc_code: string }>;
}

/**
 * The gateway's gRPC port on node:http2 itself: every public unary method is proxied as bytes
 * (the client's length-prefixed message in, the backend's out, trailers passed back as they
 * came), after the caller's API key is resolved to a principal; the gateway's own health and
 * reflection are relayed to its grpc-js server; anything else is UNIMPLEMENTED, so internal
 * RPCs stay unreachable. A gRPC library on both sides of the proxy cost more than twice the CPU
 * of this path (see the `gateway` benchmark in the README).
 */
export async function startGrpcFront(o: GrpcFrontOptions): Promise<GrpcFront> {
  const routes = new Map<string, Route>(
    o.methods.map((m) => [m.grpcPath, { method: m, labels: methodLabels({ path: m.grpcPath, requestStream: false, responseStream: false }), handled: new Map() }]),
  );
  const limit = o.maxMessageBytes + 5;
  const sessions = new Set<Http2Session>();
  const server: Http2Server = createServer({ settings: { maxConcurrentStreams: 1000 } });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', () => undefined);
  });

  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    const path = headers[':path'] ?? '';
    const route = routes.get(path);
    if (!route) {
      if (isOwn(path)) return relayStream(stream, headers, o.own);
      return answer(stream, requestIdOf(headers['x-request-id']), status.UNIMPLEMENTED, `unknown method ${path.slice(0, 200)}`, 'UNIMPLEMENTED');
    }
    if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    const m = o.metrics;
    m.serverStarted.inc(route.labels);
    const stopTimer = m.serverHandlingSeconds.startTimer(route.labels);
    const requestId = requestIdOf(headers['x-request-id']);
    const done = (code: number) => {
      let l = route.handled.get(code);
      if (!l) route.handled.set(code, (l = { ...route.labels, grpc_code: codeLabel(code) }));
      m.serverHandled.inc(l);
      stopTimer();
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    stream.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        answer(stream, requestId, status.RESOURCE_EXHAUSTED, `the request message is larger than the limit of ${o.maxMessageBytes} bytes`, 'REQUEST_TOO_LARGE');
        stream.close(constants.NGHTTP2_NO_ERROR);
        done(status.RESOURCE_EXHAUSTED);
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (refused) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (!isOneMessage(body)) {
        answer(stream, requestId, status.INTERNAL, 'a unary call must send exactly one length-prefixed message', 'MALFORMED_REQUEST');
        return done(status.INTERNAL);
      }
      m.serverMsgReceived.inc(route.labels);
      proxy(route, stream, headers, body, requestId).then(done, (err: unknown) => {
        o.logger.error({ err, request_id: requestId, method: path }, 'gRPC proxy failed');
        answer(stream, requestId, status.INTERNAL, `internal error (request ${requestId})`, 'INTERNAL');
        done(status.INTERNAL);
      });
    });
  });

  async function proxy(route: Route, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, requestId: string): Promise<number> {
    const cancel: CancelHook = { cancelled: false, onCancel: undefined };
    const onClose = () => {
      cancel.cancelled = true;
      cancel.onCancel?.();
    };
    stream.once('close', onClose);
    const principal = await principalOf(headers.authorization);
    if (!principal) {
      const e = unauthenticated('missing or invalid API key');
      return answer(stream, requestId, status.UNAUTHENTICATED, e.message, e.reason);
    }
    const timeout = parseTimeout(headers['grpc-timeout']);
    const now = Date.now();
    const encoding = headers['grpc-encoding'];
    const accept = headers['grpc-accept-encoding'];
    const got = await o.upstream.forward({
      backend: route.method.backend,
      grpcPath: route.method.grpcPath,
      body,
      principal,
      requestId,
      deadline: outboundDeadline(timeout === undefined ? undefined : now + timeout, o.defaultDeadlineMs, o.maxDeadlineMs, now),
      encoding: { request: typeof encoding === 'string' ? encoding : undefined, accept: typeof accept === 'string' ? accept : undefined },
      cancel,
    });
    stream.off('close', onClose);
    if (o.logger.isLevelEnabled('debug')) o.logger.debug({ request_id: requestId, method: route.method.grpcPath, code: got.code, subject: principal.subject }, 'forwarded');
    if (stream.closed || stream.destroyed) return got.code;
    const trailers = got.trailers;
    if (trailers['x-request-id'] === undefined) trailers['x-request-id'] = requestId;
    if (!got.body) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
      return got.code;
    }
    o.metrics.serverMsgSent.inc(route.labels);
    const head: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
    if (got.encoding) head['grpc-encoding'] = got.encoding;
    stream.respond(head, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers(trailers));
    stream.end(got.body);
    return got.code;
  }

  async function principalOf(authorization: string | undefined) {
    const credential = bearerOf(authorization);
    return credential ? o.auth.verify(credential) : null;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port, services: [...new Set(o.methods.map((m) => m.service))] }, 'gRPC gateway listening');

  return {
    port,
    async close(graceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sessions) s.close();
      const timer = setTimeout(() => {
        for (const s of sessions) s.destroy();
      }, graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** A response without a body: status, message, the reason trailer and the request id, in one HEADERS frame. */
function answer(stream: ServerHttp2Stream, requestId: string, code: number, message: string, reason: string, field?: string): number {
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
