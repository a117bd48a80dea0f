import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { verifyInternalToken } from '../../../lib/auth/internal-token';
import type { Principal } from '../../../lib/auth/principal';
import { GrpcMetrics } from '../../../lib/grpc/metrics';
import { createUpstream, frame, unframe, type CancelHook, type Forwarded, type Upstream } from './forward';
import { decodeMessage, encodeMessage, encodeTimeout, isOneMessage, parseTimeout } from './grpc-wire';

const SECRET = 'forward-test-secret-0123456789abcdef';
const principal: Principal = { subject: 'key-1', domainId: 'domain-a', role: 'DOMAIN_ADMIN', projectIds: [] };

type Behaviour = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void;

/** A backend on node:http2 whose answer each test scripts; it records what it was sent and when a call closed. */
async function fakeBackend(behave: Behaviour): Promise<{ address: string; seen: { headers: IncomingHttpHeaders; body: Buffer }[]; closed: number[]; server: Http2Server }> {
  const seen: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const closed: number[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => undefined);
    stream.on('close', () => closed.push(stream.rstCode));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers, body });
      behave(stream, headers, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen, closed, server };
}

/** An OK answer with this body (as framed on the wire) and these trailers besides grpc-status. */
function answer(stream: ServerHttp2Stream, body: Buffer, trailers: Record<string, string> = {}): void {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', ...trailers }));
  stream.end(body);
}

const ok: Behaviour = (stream, _h, body) => answer(stream, frame(Buffer.from(`echo:${unframe(body).toString()}`)), { 'x-request-id': 'from-backend' });

let backend: Awaited<ReturnType<typeof fakeBackend>> | undefined;
let upstream: Upstream | undefined;
afterEach(async () => {
  upstream?.close();
  if (backend) await new Promise((r) => backend!.server.close(r));
  backend = undefined;
});

/** Closes the last call's upstream and backend, for a test that makes several calls. */
async function next(): Promise<void> {
  upstream!.close();
  await new Promise((r) => backend!.server.close(r));
}

async function call(behave: Behaviour, extra: { deadlineMs?: number; cancel?: CancelHook; address?: string; metrics?: GrpcMetrics } = {}): Promise<Forwarded> {
  backend = await fakeBackend(behave);
  upstream = createUpstream({
    endpoints: { identity: extra.address ?? backend.address, billing: extra.address ?? backend.address },
    internalSecret: SECRET,
    maxMessageBytes: 4 << 20,
    metrics: extra.metrics,
  });
  return upstream.forward({
    backend: 'identity',
    grpcPath: '/tally.identity.v1.ProjectService/Get',
    body: frame(Buffer.from('hello')),
    principal,
    requestId: 'req-1',
    deadline: Date.now() + (extra.deadlineMs ?? 5_000),
    cancel: extra.cancel,
  });
}

describe('grpc-wire', () => {
  it('reads and writes grpc-timeout in every unit, refusing malformed values', () => {
    expect([parseTimeout('250m'), parseTimeout('2S'), parseTimeout('1M'), parseTimeout('1H'), parseTimeout('1500u'), parseTimeout('2000000n')]).toEqual([
      250, 2000, 60_000, 3_600_000, 1.5, 2,
    ]);
    expect([parseTimeout(undefined), parseTimeout('10'), parseTimeout('-5m'), parseTimeout('123456789m'), parseTimeout('5x')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([encodeTimeout(0), encodeTimeout(1.2), encodeTimeout(4_999), encodeTimeout(200_000_000)]).toEqual(['1m', '2m', '4999m', '200000S']);
  });

  it('percent-encodes grpc-message and decodes it back', () => {
    for (const m of ['plain words', '100% sure', 'line\nbreak', 'déjà vu — ✓', '']) expect(decodeMessage(encodeMessage(m))).toBe(m);
    expect(encodeMessage('100% sure')).toBe('100%25 sure');
    expect(decodeMessage('bad %zz escape')).toBe('bad %zz escape');
  });

  it('knows one length-prefixed message from anything else', () => {
    expect(isOneMessage(frame(Buffer.from('abc')))).toBe(true);
    expect(isOneMessage(frame(Buffer.alloc(0)))).toBe(true);
    expect(isOneMessage(Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('b'))]))).toBe(false);
    expect(isOneMessage(Buffer.from([0, 0, 0]))).toBe(false);
    expect(isOneMessage(Buffer.from([7, 0, 0, 0, 0]))).toBe(false);
  });
});

describe('upstream to a node:http2 backend', () => {
  it('forwards the bytes with a deadline, a request id and an internal token carrying the principal', async () => {
    const got = await call(ok, { deadlineMs: 3_000 });
    expect(got.code).toBe(status.OK);
    expect(unframe(got.body!).toString()).toBe('echo:hello');
    expect(got.trailers['x-request-id']).toBe('from-backend');
    const { headers } = backend!.seen[0];
    expect(headers[':path']).toBe('/tally.identity.v1.ProjectService/Get');
    expect(headers['x-request-id']).toBe('req-1');
    expect(parseTimeout(headers['grpc-timeout'])).toBeGreaterThan(2_000);
    expect(parseTimeout(headers['grpc-timeout'])).toBeLessThanOrEqual(3_000);
    const token = String(headers.authorization).replace(/^Bearer /, '');
    expect(verifyInternalToken(SECRET, token)).toEqual(principal);
  });

  it('passes a trailers-only error back with its decoded message and its trailers', async () => {
    const got = await call((stream) =>
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status.NOT_FOUND), 'grpc-message': encodeMessage('project "p-1" not found ✓'), 'tally-error-reason': 'PROJECT.NOT_FOUND' },
        { endStream: true },
      ),
    );
    expect(got).toMatchObject({ code: status.NOT_FOUND, details: 'project "p-1" not found ✓', trailers: { 'tally-error-reason': 'PROJECT.NOT_FOUND' } });
    expect(got.body).toBeUndefined();
  });

  it('a backend that does not answer in time: DEADLINE_EXCEEDED, and the backend sees the call cancelled', async () => {
    const got = await call(() => undefined, { deadlineMs: 150 });
    expect(got.code).toBe(status.DEADLINE_EXCEEDED);
    await new Promise((r) => setTimeout(r, 100));
    expect(backend!.closed).toEqual([constants.NGHTTP2_CANCEL]);
  });

  it('a client that goes away cancels the backend call', async () => {
    const hook: CancelHook = { cancelled: false };
    const pending = call(() => undefined, { cancel: hook });
    await new Promise((r) => setTimeout(r, 100));
    hook.cancelled = true;
    hook.onCancel?.();
    expect((await pending).code).toBe(status.CANCELLED);
    await new Promise((r) => setTimeout(r, 100));
    expect(backend!.closed).toEqual([constants.NGHTTP2_CANCEL]);
  });

  it('a call whose client already left is not sent at all', async () => {
    const metrics = new GrpcMetrics();
    const got = await call(ok, { cancel: { cancelled: true }, metrics });
    expect(got.code).toBe(status.CANCELLED);
    // Nothing counted as a client call to the backend: none was made.
    expect(await metrics.registry.metrics()).not.toMatch(/grpc_client_(started|msg_sent)_total\{[^}]*\} [1-9]/);
    await new Promise((r) => setTimeout(r, 50));
    expect(backend!.seen).toEqual([]);
    expect(backend!.closed).toEqual([]);
  });

  it('a backend that is down is UNAVAILABLE; a reset stream and a malformed answer are mapped, not trusted', async () => {
    expect((await call(ok, { address: '127.0.0.1:1' })).code).toBe(status.UNAVAILABLE);
    await next();
    expect((await call((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM))).code).toBe(status.UNAVAILABLE);
    await next();
    const twice = await call((stream) => answer(stream, Buffer.concat([frame(Buffer.from('a')), frame(Buffer.from('b'))])));
    expect(twice).toMatchObject({ code: status.INTERNAL, details: 'the identity service sent a malformed response' });
  });

  it("maps what the backend's HTTP/2 stream did to the call's status, as gRPC does", async () => {
    // A reset, before any answer: the code of RST_STREAM decides (gRPC's mapping), not "unavailable".
    expect((await call((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR))).code).toBe(status.INTERNAL);
    await next();
    expect((await call((stream) => stream.close(constants.NGHTTP2_ENHANCE_YOUR_CALM))).code).toBe(status.RESOURCE_EXHAUSTED);
    await next();
    // An answer larger than the gateway accepts (TALLY_MAX_MESSAGE_BYTES): RESOURCE_EXHAUSTED, as a gRPC client would say.
    const huge = await call((stream) => answer(stream, frame(Buffer.alloc((4 << 20) + 1))));
    expect(huge.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(huge.details).toMatch(/larger than/);
    await next();
    // Response fields HTTP/2 forbids (a CR LF in a value): INTERNAL, and nothing of them is passed on.
    const bad = await call((stream) => stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '0', 'x-note': 'a\r\nset-cookie: b' }, { endStream: true }));
    expect(bad.code).toBe(status.INTERNAL);
    expect(bad.trailers).toEqual({});
    await next();
    // The connection drops after the headers: UNAVAILABLE.
    const dropped = await call((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.write(Buffer.from([0, 0, 0, 0]));
      setTimeout(() => stream.session?.destroy(), 20);
    });
    expect(dropped.code).toBe(status.UNAVAILABLE);
  });
});
