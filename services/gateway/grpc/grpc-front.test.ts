import type { AddressInfo } from 'node:net';
import { connect, constants, createServer, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import type { Principal } from '../../../lib/auth/principal';
import { PrincipalCache } from '../../../lib/auth/principal-cache';
import { DomainError } from '../../../lib/errors/domain-error';
import { GrpcMetrics } from '../../../lib/grpc/metrics';
import { createMemoryLogger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import { createUpstream, frame, type ForwardCall, type ForwardReceiver, type Upstream } from '../upstream/forward';
import { H2Target } from '../upstream/h2-target';
import { parseTimeout } from '../upstream/grpc-wire';
import { startGrpcFront, type GrpcFront } from './grpc-front';

/**
 * The gRPC front alone, with a scripted upstream and authenticator: what it forwards (bytes,
 * principal, deadline, request id, cancellation), what it answers (the backend's message and
 * trailers as sent), how it authenticates (the cache, a key dropped from it), what it counts.
 */
const GET = '/tally.identity.v1.ProjectService/Get';
const method = { service: 'tally.identity.v1.ProjectService', name: 'Get', grpcPath: GET, httpPath: '/identity/project/get', backend: 'identity' } as PublicMethod;
const KEY = 'key-of-acme';
const alice: Principal = { subject: 'key:alice', domainId: 'domain-acme', role: 'DOMAIN_ADMIN', projectIds: [] };

/** An authenticator over a cache the test controls: `accepted` keys are known to "identity". */
function fakeAuth() {
  const accepted = new Map<string, Principal>([[KEY, alice]]);
  const cache = new Map<string, Principal>();
  const counts = { digest: 0, verify: 0 };
  let down = false;
  const auth: Authenticator = {
    digest(credential) {
      counts.digest++;
      return PrincipalCache.digest(credential);
    },
    cached: (digest) => cache.get(digest),
    async verify(credential, digest = PrincipalCache.digest(credential)) {
      counts.verify++;
      if (down) throw new DomainError('UNAVAILABLE', 'GATEWAY.IDENTITY_UNAVAILABLE', 'identity is unavailable, try again');
      const p = accepted.get(credential) ?? null;
      if (p) cache.set(digest, p);
      return p;
    },
    close: () => undefined,
  };
  return { auth, accepted, cache, counts, setDown: (d: boolean) => (down = d) };
}

type Script = (call: ForwardCall, to: ForwardReceiver) => void;
const answerOk: Script = (call, to) =>
  to.forwarded({ code: status.OK, details: '', trailers: { 'grpc-status': '0', 'grpc-message': '', 'tally-note': 'from-backend' }, body: frame(Buffer.from(`echo:${call.body.subarray(5).toString()}`)) });

let front: GrpcFront;
let session: ClientHttp2Session;
let a: ReturnType<typeof fakeAuth>;
let metrics: GrpcMetrics;
const sent: { call: ForwardCall; to: ForwardReceiver }[] = [];
let script: Script = answerOk;

beforeEach(async () => {
  a = fakeAuth();
  metrics = new GrpcMetrics();
  sent.length = 0;
  script = answerOk;
  const upstream: Upstream = {
    send(call, to) {
      sent.push({ call, to });
      script(call, to);
    },
    forward: () => Promise.reject(new Error('not used')),
    close: () => undefined,
  };
  front = await startGrpcFront({
    host: '127.0.0.1',
    port: 0,
    methods: [method],
    auth: a.auth,
    upstream,
    own: new H2Target('127.0.0.1:1'),
    logger: createMemoryLogger().logger,
    metrics,
    maxMessageBytes: 1024,
    defaultDeadlineMs: 10_000,
    maxDeadlineMs: 60_000,
  });
  session = connect(`http://127.0.0.1:${front.port}`);
});

afterEach(async () => {
  session.close();
  await front.close(100);
});

interface Answer {
  head: IncomingHttpHeaders;
  trailers?: IncomingHttpHeaders;
  body: Buffer;
}

function rawCall(headers: OutgoingHttpHeaders, body: Buffer, s = session): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = s.request({ ':method': 'POST', ':path': GET, 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${KEY}`, ...headers });
    const chunks: Buffer[] = [];
    let head: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    req.on('response', (h) => (head = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('close', () => resolve({ head, trailers, body: Buffer.concat(chunks) }));
    req.end(body);
  });
}

const msg = (text: string) => frame(Buffer.from(text));

describe('gRPC front', () => {
  it('forwards the bytes with the principal, the request id and the client deadline, and passes the answer and trailers back as sent', async () => {
    const before = Date.now();
    const got = await rawCall({ 'grpc-timeout': '1500m', 'x-request-id': 'req-7' }, msg('hello'));
    expect(got.head[':status']).toBe(200);
    expect(got.body.subarray(5).toString()).toBe('echo:hello');
    expect(got.trailers).toMatchObject({ 'grpc-status': '0', 'tally-note': 'from-backend', 'x-request-id': 'req-7' });
    const { call } = sent[0];
    expect(call).toMatchObject({ backend: 'identity', grpcPath: GET, principal: alice, requestId: 'req-7' });
    expect(call.body.equals(msg('hello'))).toBe(true);
    expect(call.deadline).toBeGreaterThanOrEqual(before + 1500);
    expect(call.deadline).toBeLessThanOrEqual(Date.now() + 1500);
    // No grpc-timeout: the default deadline; a longer one than the maximum: capped.
    await rawCall({}, msg('a'));
    await rawCall({ 'grpc-timeout': '10H' }, msg('b'));
    expect(sent[1].call.deadline - Date.now()).toBeGreaterThan(9_000);
    expect(sent[1].call.deadline - Date.now()).toBeLessThanOrEqual(10_000);
    expect(sent[2].call.deadline - Date.now()).toBeLessThanOrEqual(60_000);
    expect(sent[2].call.deadline - Date.now()).toBeGreaterThan(59_000);
    expect(parseTimeout('10H')).toBe(36_000_000);
    // A request id is made up when the client sends none, and is the same upstream and back.
    expect(sent[1].call.requestId).toMatch(/^[\w.-]{1,64}$/);
  });

  it('answers a trailers-only error as the backend sent it, with the request id', async () => {
    script = (_call, to) => to.forwarded({ code: status.NOT_FOUND, details: 'no such project', trailers: { 'grpc-status': '5', 'grpc-message': 'no%20such%20project', 'tally-error-reason': 'PROJECT.NOT_FOUND' } });
    const got = await rawCall({ 'x-request-id': 'req-8' }, msg('x'));
    expect(got.head).toMatchObject({ 'grpc-status': '5', 'grpc-message': 'no%20such%20project', 'tally-error-reason': 'PROJECT.NOT_FOUND', 'x-request-id': 'req-8' });
    expect(got.trailers).toBeUndefined();
    expect(got.body.length).toBe(0);
  });

  it('answers with the gateway\'s own status when the backend gave none: unreachable, past the deadline, or a malformed answer', async () => {
    // The real upstream, to a port nothing listens on and to a backend that never answers.
    const silent = createServer();
    silent.on('stream', () => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const refused = createUpstream({ endpoints: { identity: '127.0.0.1:1', billing: '127.0.0.1:1' }, internalSecret: 's'.repeat(32), maxMessageBytes: 4 << 20 });
    const mute = createUpstream({ endpoints: { identity: `127.0.0.1:${(silent.address() as AddressInfo).port}`, billing: '127.0.0.1:1' }, internalSecret: 's'.repeat(32), maxMessageBytes: 4 << 20 });
    try {
      script = (call, to) => refused.send(call, to);
      const down = await rawCall({}, msg('x'));
      expect(down.head['grpc-status']).toBe(String(status.UNAVAILABLE));
      expect(decodeURIComponent(String(down.head['grpc-message']))).toMatch(/the identity service is unavailable/);

      script = (call, to) => mute.send(call, to);
      const late = await rawCall({ 'grpc-timeout': '200m' }, msg('x'));
      expect(late.head['grpc-status']).toBe(String(status.DEADLINE_EXCEEDED));
      expect(decodeURIComponent(String(late.head['grpc-message']))).toMatch(/did not answer before the deadline/);

      // A backend claiming OK without a proper message: INTERNAL, not the backend's OK.
      script = (_call, to) => to.forwarded({ code: status.INTERNAL, details: 'the identity service sent a malformed response', trailers: { 'grpc-status': '0', 'grpc-message': '' } });
      const bad = await rawCall({}, msg('x'));
      expect(bad.head['grpc-status']).toBe(String(status.INTERNAL));
      expect(decodeURIComponent(String(bad.head['grpc-message']))).toBe('the identity service sent a malformed response');
      expect(bad.head['x-request-id']).toBeDefined();
    } finally {
      refused.close();
      mute.close();
      await new Promise((r) => silent.close(r));
    }
  });

  it('hashes a connection\'s key once, asks identity on a cache miss, and refuses a key the cache dropped and identity no longer knows', async () => {
    for (let i = 0; i < 3; i++) expect((await rawCall({}, msg('x'))).trailers?.['grpc-status']).toBe('0');
    expect(a.counts).toEqual({ digest: 1, verify: 1 });
    // Another key on the same connection: hashed too, refused (identity does not know it).
    expect((await rawCall({ authorization: 'Bearer not-a-key' }, msg('x'))).head['grpc-status']).toBe(String(status.UNAUTHENTICATED));
    expect((await rawCall({}, msg('x'))).trailers?.['grpc-status']).toBe('0');
    expect(a.counts).toEqual({ digest: 3, verify: 2 });
    // The key is revoked: once the cache lets go of it (its TTL), the next call asks identity and is refused.
    a.accepted.delete(KEY);
    a.cache.clear();
    const refused = await rawCall({}, msg('x'));
    expect(refused.head).toMatchObject({ 'grpc-status': String(status.UNAUTHENTICATED), 'tally-error-reason': 'AUTH.UNAUTHENTICATED' });
    expect(sent.length).toBe(4);
    // No key, or not a bearer: refused without asking anyone.
    const verifies = a.counts.verify;
    expect((await rawCall({ authorization: undefined }, msg('x'))).head['grpc-status']).toBe(String(status.UNAUTHENTICATED));
    expect((await rawCall({ authorization: 'Basic abc' }, msg('x'))).head['grpc-status']).toBe(String(status.UNAUTHENTICATED));
    expect(a.counts.verify).toBe(verifies);
  });

  it('answers UNAVAILABLE when identity cannot be asked', async () => {
    a.setDown(true);
    const got = await rawCall({}, msg('x'));
    expect(got.head).toMatchObject({ 'grpc-status': String(status.UNAVAILABLE), 'tally-error-reason': 'GATEWAY.IDENTITY_UNAVAILABLE' });
    expect(sent.length).toBe(0);
  });

  it('cancels the backend call when the client goes away', async () => {
    let cancelled: (() => void) | undefined;
    const gone = new Promise<void>((r) => (cancelled = r));
    script = (call, to) => {
      call.cancel!.onCancel = () => {
        to.forwarded({ code: status.CANCELLED, details: 'the call was cancelled by the client', trailers: {} });
        cancelled!();
      };
    };
    const req = session.request({ ':method': 'POST', ':path': GET, 'content-type': 'application/grpc', authorization: `Bearer ${KEY}` });
    req.on('error', () => undefined);
    req.end(msg('slow'));
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.length).toBe(1);
    expect(sent[0].call.cancel!.cancelled).toBe(false);
    req.close(constants.NGHTTP2_CANCEL);
    await gone;
    expect(sent[0].call.cancel!.cancelled).toBe(true);
  });

  it('refuses a call without a valid key on its headers, without waiting for the rest of its request', async () => {
    /** Sends the headers and part of a message, never ending the request. */
    const unfinished = (authorization: string | undefined) =>
      new Promise<IncomingHttpHeaders>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': GET, 'content-type': 'application/grpc', te: 'trailers', authorization });
        req.on('response', resolve);
        req.on('error', reject);
        req.write(Buffer.concat([Buffer.from([0, 0, 0, 1, 0]), Buffer.alloc(200)]));
      });
    for (const authorization of [undefined, 'Basic abc', 'Bearer not-a-key']) {
      const head = await unfinished(authorization);
      expect(head).toMatchObject({ 'grpc-status': String(status.UNAUTHENTICATED), 'tally-error-reason': 'AUTH.UNAUTHENTICATED' });
    }
    // Identity unreachable: the same, with its code.
    a.setDown(true);
    expect((await unfinished('Bearer another-key'))['grpc-status']).toBe(String(status.UNAVAILABLE));
    expect(sent).toEqual([]);
  });

  it('counts a call whose client left while identity was being asked as cancelled, whatever identity then says', async () => {
    let settle: (p: Principal | null) => void = () => undefined;
    a.auth.verify = () => new Promise((resolve) => (settle = resolve));
    const req = session.request({ ':method': 'POST', ':path': GET, 'content-type': 'application/grpc', te: 'trailers', authorization: 'Bearer unknown-key' });
    req.on('error', () => undefined);
    const closed = new Promise((r) => req.on('close', r));
    req.end(msg('x'));
    await new Promise((r) => setTimeout(r, 50));
    req.close(constants.NGHTTP2_CANCEL);
    await closed;
    await new Promise((r) => setTimeout(r, 20));
    settle(null);
    const l = 'grpc_type="unary",grpc_service="tally.identity.v1.ProjectService",grpc_method="Get"';
    const counted = async () => (await metrics.registry.metrics()).includes(`grpc_server_handled_total{${l},grpc_code="Canceled"} 1`);
    for (let i = 0; i < 100 && !(await counted()); i++) await new Promise((r) => setTimeout(r, 10));
    const text = await metrics.registry.metrics();
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="Canceled"} 1`);
    expect(text).not.toContain('grpc_code="Unauthenticated"');
    expect(sent).toEqual([]);
  });

  it('counts every call in the server metrics, by code', async () => {
    await rawCall({}, msg('x'));
    await rawCall({}, msg('y'));
    await rawCall({ authorization: 'Bearer nope' }, msg('z'));
    await rawCall({}, Buffer.from([0, 0, 0]));
    const text = await metrics.registry.metrics();
    const l = 'grpc_type="unary",grpc_service="tally.identity.v1.ProjectService",grpc_method="Get"';
    expect(text).toContain(`grpc_server_started_total{${l}} 4`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="OK"} 2`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="Unauthenticated"} 1`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="Internal"} 1`);
    // The refused call's message is never read: a call is authenticated on its headers.
    expect(text).toContain(`grpc_server_msg_received_total{${l}} 2`);
    expect(text).toContain(`grpc_server_msg_sent_total{${l}} 2`);
    expect(text).toContain(`grpc_server_handling_seconds_count{${l}} 4`);

    // A client whose connection drops before its request ends: counted as cancelled (not as a malformed request).
    const dropped = connect(`http://127.0.0.1:${front.port}`);
    const req = dropped.request({ ':method': 'POST', ':path': GET, 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${KEY}` });
    req.on('error', () => undefined);
    req.write(Buffer.from([0, 0, 0]));
    await new Promise((r) => setTimeout(r, 50));
    dropped.destroy();
    const settled = async () => (await metrics.registry.metrics()).includes(`grpc_server_handled_total{${l},grpc_code="Canceled"} 1`);
    for (let i = 0; i < 100 && !(await settled()); i++) await new Promise((r) => setTimeout(r, 20));
    const after = await metrics.registry.metrics();
    expect(after).toContain(`grpc_server_started_total{${l}} 5`);
    expect(after).toContain(`grpc_server_handled_total{${l},grpc_code="Canceled"} 1`);
    expect(after).toContain(`grpc_server_handling_seconds_count{${l}} 5`);
    expect(sent.length).toBe(2);
  });

  it('refuses a message over the limit, and anything but a public method', async () => {
    const big = await rawCall({}, msg('x'.repeat(2000)));
    expect(big.head).toMatchObject({ 'grpc-status': String(status.RESOURCE_EXHAUSTED), 'tally-error-reason': 'REQUEST_TOO_LARGE' });
    const internal = await rawCall({ ':path': '/tally.identity.v1.SecretService/GetData' }, msg('x'));
    expect(internal.head['grpc-status']).toBe(String(status.UNIMPLEMENTED));
    expect(sent.length).toBe(0);
  });
});
