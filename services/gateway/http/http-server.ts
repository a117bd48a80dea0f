import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '@bufbuild/protobuf';
import { DomainError, unauthenticated } from '../../../lib/errors/domain-error';
import type { Logger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import { requestIdOf } from '../../../lib/grpc/request-id';
import { bearerOf } from '../../../lib/grpc/call-context';
import { frame, unframe, type Upstream } from '../upstream/forward';
import { BodyTooLarge, readBody } from './body';
import { applyCors } from './cors';
import { fromError, fromGrpcStatus, type HttpFailure } from './errors';
import type { HttpMetrics } from './http-metrics';
import { decodeRequest, encodeResponse } from './json-codec';
import { createStaticHandler, isConsoleRequest } from './static-files';

export interface GatewayHttpOptions {
  host: string;
  port: number;
  methods: PublicMethod[];
  registry: Registry;
  auth: Authenticator;
  upstream: Upstream;
  logger: Logger;
  maxBodyBytes: number;
  corsOrigins: string[];
  deadlineMs: number;
  metrics: HttpMetrics;
  /** False while a backend is down or during shutdown: /healthz answers 503. */
  serving(): boolean;
}

export interface RunningHttp {
  port: number;
  close(): Promise<void>;
}

function send(res: ServerResponse, httpStatus: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(httpStatus, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The HTTP/JSON face of the gateway, SpaceONE style: `POST /<area>/<resource>/<verb>` with the
 * request message as JSON, routes generated from the descriptor set; the call is authenticated,
 * turned into the request's bytes and forwarded like a gRPC call; the answer comes back as
 * snake_case JSON, or as `{code, message, details}` with the HTTP status of the gRPC code.
 */
export async function startGatewayHttp(o: GatewayHttpOptions): Promise<RunningHttp> {
  const routes = new Map(o.methods.map((m) => [m.httpPath, m]));
  const serveConsole = createStaticHandler();

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string, route: PublicMethod): Promise<void> {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const credential = bearerOf(req.headers.authorization);
    const principal = credential ? await o.auth.verify(credential) : null;
    if (!principal) throw unauthenticated('missing or invalid API key (send Authorization: Bearer <api key>)');
    const request = decodeRequest(route, await readBody(req, o.maxBodyBytes), o.registry);
    const answer = await o.upstream.forward({
      backend: route.backend,
      grpcPath: route.grpcPath,
      body: frame(request),
      principal,
      requestId,
      deadline: Date.now() + o.deadlineMs,
      signal: abort.signal,
    });
    if (!answer.body) {
      const failure = fromGrpcStatus(answer.code, answer.details, answer.trailers, requestId);
      send(res, failure.httpStatus, failure.body);
      return;
    }
    send(res, 200, encodeResponse(route, unframe(answer.body), o.registry));
  }

  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdOf(req.headers['x-request-id']);
    const path = (req.url ?? '/').split('?')[0];
    const route = routes.get(path);
    const label = route?.httpPath ?? (path === '/healthz' ? path : 'unmatched');
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => o.metrics.record(label, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    const fail = (f: HttpFailure) => send(res, f.httpStatus, f.body);

    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      send(res, o.serving() ? 200 : 503, { status: o.serving() ? 'SERVING' : 'NOT_SERVING' });
      return;
    }
    if (!route && isConsoleRequest(req.method, path)) {
      serveConsole(req, res, path);
      return;
    }
    applyCors(o.corsOrigins, req, res);
    if (!route) {
      fail(fromError(new DomainError('NOT_FOUND', 'GATEWAY.NO_ROUTE', `no API at ${req.method} ${path}`), requestId));
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { allow: 'POST, OPTIONS' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      fail({ httpStatus: 405, body: { code: 'UNIMPLEMENTED', message: `${path} takes POST`, details: { reason: 'GATEWAY.METHOD_NOT_ALLOWED', request_id: requestId } } });
      return;
    }
    const log = o.logger.child({ request_id: requestId, route: path });
    handle(req, res, requestId, route).catch((err: unknown) => {
      if (!(err instanceof DomainError)) log.error({ err }, 'unhandled error');
      if (err instanceof BodyTooLarge) res.setHeader('connection', 'close');
      fail(fromError(err, requestId, err instanceof BodyTooLarge ? 413 : undefined));
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port, routes: routes.size }, 'gateway HTTP/JSON listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
