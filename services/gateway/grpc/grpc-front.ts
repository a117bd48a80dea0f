import { createServer, type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import type { GrpcMetrics } from '../../../lib/grpc/metrics';
import { requestIdOf } from '../../../lib/grpc/request-id';
import type { Logger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import type { H2Target } from '../upstream/h2-target';
import type { Upstream } from '../upstream/forward';
import { answer } from './grpc-answer';
import { relayStream } from './relay-stream';
import { proxyUnary, type SessionMemo, type UnaryRoute } from './unary-proxy';

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
const ignore = () => undefined;

/**
 * The gateway's gRPC port on node:http2 itself: every public unary method is proxied as bytes
 * (proxyUnary: the client's length-prefixed message in, the backend's out, trailers passed back
 * as they came), after the caller's API key is resolved to a principal; the gateway's own health
 * and reflection are relayed to its grpc-js server; anything else is UNIMPLEMENTED, so internal
 * RPCs stay unreachable. A gRPC library on both sides of the proxy cost more than twice the CPU
 * of this path (see the `gateway` benchmark in the README).
 */
export async function startGrpcFront(o: GrpcFrontOptions): Promise<GrpcFront> {
  const routes = new Map<string, UnaryRoute>(
    o.methods.map((m) => [m.grpcPath, { method: m, metrics: o.metrics.serverMethod({ path: m.grpcPath, requestStream: false, responseStream: false }) }]),
  );
  const sessions = new Set<Http2Session>();
  const server: Http2Server = createServer({ settings: { maxConcurrentStreams: 1000 } });
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
    s.on('error', ignore);
    const memo: SessionMemo = {};
    s.on('stream', (stream, headers) => onStream(stream, headers, memo));
  });

  function onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, memo: SessionMemo): void {
    stream.on('error', ignore);
    const path = headers[':path'] ?? '';
    const route = routes.get(path);
    if (!route) {
      if (isOwn(path)) return relayStream(stream, headers, o.own);
      answer(stream, requestIdOf(headers['x-request-id']), status.UNIMPLEMENTED, `unknown method ${path.slice(0, 200)}`, 'UNIMPLEMENTED');
      return;
    }
    if (headers[':method'] !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/grpc')) {
      stream.respond({ ':status': 415 }, { endStream: true });
      return;
    }
    proxyUnary(o, route, stream, headers, memo);
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
