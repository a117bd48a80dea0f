import { status } from '@grpc/grpc-js';
import { signInternalToken } from '../../../lib/auth/internal-token';
import type { Principal } from '../../../lib/auth/principal';
import type { GrpcMetrics, MethodSeries } from '../../../lib/grpc/metrics';
import type { Backend } from '../contract/exposure';
import { DeadlineQueue } from './deadline-queue';
import { encodeTimeout } from './grpc-wire';
import { H2Client } from './h2/client';
import type { StreamHandle } from './h2/client-stream';
import { Indexing, type HeaderField } from './h2/hpack-encoder';
import { UpstreamCall, type CancelHook, type Forwarded, type ForwardReceiver } from './upstream-call';

export type { CancelHook, Forwarded, ForwardReceiver } from './upstream-call';

export interface ForwardCall {
  backend: Backend;
  grpcPath: string;
  /** The request as framed on the wire (one length-prefixed message); see frame(). */
  body: Buffer;
  principal: Principal;
  requestId: string;
  /** Epoch ms. */
  deadline: number;
  /** The client's grpc-encoding and grpc-accept-encoding, passed on with the bytes. */
  encoding?: { request?: string; accept?: string };
  /** Aborting cancels the outbound call (the client went away). */
  signal?: AbortSignal;
  /** Same as signal, without the cost of an AbortController per call. */
  cancel?: CancelHook;
}

export interface Upstream {
  forward(call: ForwardCall): Promise<Forwarded>;
  /** forward() without a promise: `to.forwarded()` runs once, with what came back. */
  send(call: ForwardCall, to: ForwardReceiver): void;
  close(): void;
}

/** A message as gRPC frames it: flag 0 (not compressed), 4-byte big-endian length, the bytes. */
export function frame(message: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** The message of an uncompressed frame (the HTTP side asks for no compression). */
export const unframe = (body: Buffer): Buffer => body.subarray(5);

/** Signed tokens outlive the call's deadline by this much, no more. */
const TOKEN_SLACK_MS = 5_000;
/** A signed token is reused for a later call while it outlives that call's deadline by at least this much. */
const TOKEN_MIN_SLACK_MS = TOKEN_SLACK_MS / 2;

interface SignedToken {
  /** `Bearer <token>` */
  header: string;
  exp: number;
}

/**
 * Unary calls to identity and billing with bytes passed through untouched, over one HTTP/2
 * connection per backend (the gateway's own HTTP/2 client, h2/; no gRPC library in the path):
 * every call carries a deadline (grpc-timeout, and enforced here by a DeadlineQueue) and a
 * short-lived internal token with the principal (backends trust nothing else the gateway could
 * pass). The client metrics (go-grpc-prometheus' grpc_client_* families) are recorded when
 * `metrics` is given. Each call is an UpstreamCall.
 */
export function createUpstream(o: {
  endpoints: Record<Backend, string>;
  internalSecret: string;
  /** The largest message a backend may answer with (bytes, as TALLY_MAX_MESSAGE_BYTES). */
  maxMessageBytes: number;
  metrics?: GrpcMetrics;
}): Upstream {
  const client = { maxResponseBytes: o.maxMessageBytes + 5 };
  const targets: Record<Backend, H2Client> = { identity: new H2Client(o.endpoints.identity, client), billing: new H2Client(o.endpoints.billing, client) };
  const metrics = o.metrics;
  const deadlines = new DeadlineQueue();

  // Tokens per principal object (the authenticator hands out the same object while it caches
  // the answer): a token signed for deadline D expires at D + TOKEN_SLACK_MS and serves a later
  // call with deadline D' while D' + TOKEN_MIN_SLACK_MS <= exp <= D' + TOKEN_SLACK_MS, so every
  // token still outlives its call's deadline by TOKEN_MIN_SLACK_MS..TOKEN_SLACK_MS.
  const tokens = new WeakMap<Principal, SignedToken>();
  function authorization(principal: Principal, deadline: number, now: number): string {
    const hit = tokens.get(principal);
    if (hit && hit.exp >= deadline + TOKEN_MIN_SLACK_MS && hit.exp <= deadline + TOKEN_SLACK_MS) return hit.header;
    const ttl = Math.max(0, deadline - now) + TOKEN_SLACK_MS;
    const token: SignedToken = { header: `Bearer ${signInternalToken(o.internalSecret, principal, ttl, now)}`, exp: now + ttl };
    tokens.set(principal, token);
    return token.header;
  }

  const methods = new Map<string, MethodSeries>();
  function methodSeries(path: string): MethodSeries {
    let m = methods.get(path);
    if (!m) methods.set(path, (m = metrics!.clientMethod({ path, requestStream: false, responseStream: false })));
    return m;
  }

  function send(c: ForwardCall, to: ForwardReceiver): void {
    // The client left before the call went out: nothing is sent, counted or signed.
    if (c.cancel?.cancelled) return to.forwarded({ code: status.CANCELLED, details: 'the call was cancelled by the client', trailers: {} });
    const now = Date.now();
    const target = targets[c.backend];
    const fields: HeaderField[] = [
      [':method', 'POST'],
      [':scheme', 'http'],
      [':path', c.grpcPath],
      [':authority', target.address],
      ['content-type', 'application/grpc'],
      ['te', 'trailers'],
      // Values that change with every call are not worth a place in the backend's HPACK table.
      ['grpc-timeout', encodeTimeout(c.deadline - now), Indexing.Without],
      ['authorization', authorization(c.principal, c.deadline, now)],
      ['x-request-id', c.requestId, Indexing.Without],
    ];
    if (c.encoding?.request) fields.push(['grpc-encoding', c.encoding.request]);
    if (c.encoding?.accept) fields.push(['grpc-accept-encoding', c.encoding.accept]);
    const hook = c.cancel;
    // The deadline on the queue's monotonic clock.
    const call = new UpstreamCall(c.backend, performance.now() + (c.deadline - now), deadlines, to, metrics && methodSeries(c.grpcPath), hook);
    let handle: StreamHandle;
    try {
      handle = target.request(fields, c.body, call);
    } catch (err) {
      return call.fail(status.UNAVAILABLE, `the ${c.backend} service is unavailable: ${(err as Error).message}`);
    }
    call.start(handle);
    if (hook) hook.onCancel = () => call.cancel();
    c.signal?.addEventListener('abort', () => call.cancel(), { once: true });
  }

  return {
    send,
    forward: (c) => new Promise<Forwarded>((resolve) => send(c, { forwarded: resolve })),
    close() {
      deadlines.close();
      for (const t of Object.values(targets)) t.close();
    },
  };
}

/** The deadline (epoch ms) of an outbound call: the client's, capped at maxMs, or defaultMs from now. */
export function outboundDeadline(clientDeadline: number | undefined, defaultMs: number, maxMs: number, now = Date.now()): number {
  if (clientDeadline === undefined || !Number.isFinite(clientDeadline)) return now + Math.min(defaultMs, maxMs);
  return Math.min(clientDeadline, now + maxMs);
}
