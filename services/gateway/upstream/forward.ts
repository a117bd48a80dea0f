import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { signInternalToken } from '../../../lib/auth/internal-token';
import type { Principal } from '../../../lib/auth/principal';
import { codeLabel, methodLabels, type GrpcMetrics, type MethodLabels } from '../../../lib/grpc/metrics';
import type { Backend } from '../contract/exposure';
import { decodeMessage, encodeTimeout, isOneMessage, metadataOf, statusOf, statusOfReset } from './grpc-wire';
import { H2Target } from './h2-target';

/** What came back from a backend: always a status with its trailers, and the response on OK. */
export interface Forwarded {
  code: status;
  /** The status message, decoded. */
  details: string;
  /** The backend's trailers as gRPC metadata (grpc-status, grpc-message as sent, tally-error-*, x-request-id...). */
  trailers: OutgoingHttpHeaders;
  /** On OK: the response as framed on the wire (one length-prefixed message). */
  body?: Buffer;
  /** The response's grpc-encoding when the backend compressed it. */
  encoding?: string;
}

/**
 * A cheaper alternative to an AbortSignal for callers that cancel often (the gRPC proxy sees a
 * close on every call): set `cancelled` and call `onCancel` when the client went away.
 */
export interface CancelHook {
  cancelled: boolean;
  /** Set by forward() while the outbound call is in flight. */
  onCancel?: () => void;
}

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

/** Per method: its metric labels, computed once. */
interface MethodInfo {
  labels: MethodLabels;
  handled: Map<number, MethodLabels & { grpc_code: string }>;
}

/**
 * Unary calls to identity and billing with bytes passed through untouched, over one HTTP/2
 * connection per backend (node:http2, no gRPC library in the path): every call carries a
 * deadline (grpc-timeout, and a timer of its own) and a short-lived internal token with the
 * principal (backends trust nothing else the gateway could pass). The client metrics
 * (go-grpc-prometheus' grpc_client_* families) are recorded here when `metrics` is given.
 */
export function createUpstream(o: { endpoints: Record<Backend, string>; internalSecret: string; metrics?: GrpcMetrics }): Upstream {
  const targets: Record<Backend, H2Target> = { identity: new H2Target(o.endpoints.identity), billing: new H2Target(o.endpoints.billing) };
  const metrics = o.metrics;

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

  const methods = new Map<string, MethodInfo>();
  function methodInfo(path: string): MethodInfo {
    let info = methods.get(path);
    if (!info) methods.set(path, (info = { labels: methodLabels({ path, requestStream: false, responseStream: false }), handled: new Map() }));
    return info;
  }
  function handledLabels(info: MethodInfo, code: number): MethodLabels & { grpc_code: string } {
    let l = info.handled.get(code);
    if (!l) info.handled.set(code, (l = { ...info.labels, grpc_code: codeLabel(code) }));
    return l;
  }

  return {
    forward(c) {
      const now = Date.now();
      const headers: OutgoingHttpHeaders = {
        ':method': 'POST',
        ':path': c.grpcPath,
        'content-type': 'application/grpc',
        te: 'trailers',
        'grpc-timeout': encodeTimeout(c.deadline - now),
        authorization: authorization(c.principal, c.deadline, now),
        'x-request-id': c.requestId,
      };
      if (c.encoding?.request) headers['grpc-encoding'] = c.encoding.request;
      if (c.encoding?.accept) headers['grpc-accept-encoding'] = c.encoding.accept;
      const info = methodInfo(c.grpcPath);
      const target = targets[c.backend];
      let stopTimer: (() => number) | undefined;
      if (metrics) {
        metrics.clientStarted.inc(info.labels);
        metrics.clientMsgSent.inc(info.labels);
        stopTimer = metrics.clientHandlingSeconds.startTimer(info.labels);
      }
      return new Promise<Forwarded>((resolve) => {
        let settled = false;
        // eslint-disable-next-line prefer-const
        let timer: NodeJS.Timeout | undefined;
        const hook = c.cancel;
        const settle = (f: Forwarded) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (hook) hook.onCancel = undefined;
          if (metrics) {
            if (f.body) metrics.clientMsgReceived.inc(info.labels);
            metrics.clientHandled.inc(handledLabels(info, f.code));
            stopTimer?.();
          }
          resolve(f);
        };
        const fail = (code: status, details: string) => settle({ code, details, trailers: {} });
        let stream: ReturnType<H2Target['request']>;
        try {
          stream = target.request(headers);
        } catch (err) {
          fail(status.UNAVAILABLE, `the ${c.backend} service is unavailable: ${(err as Error).message}`);
          return;
        }
        const chunks: Buffer[] = [];
        let head: IncomingHttpHeaders | undefined;
        let tail: IncomingHttpHeaders | undefined;
        let error: Error | undefined;
        stream.on('response', (h) => (head = h));
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('trailers', (t) => (tail = t));
        stream.on('error', (err) => (error = err));
        stream.on('close', () => {
          const end = tail ?? (head && statusOf(head) !== undefined ? head : undefined);
          if (!end) {
            // No answer at all: the connection failed or was refused.
            if (!head) return fail(status.UNAVAILABLE, `the ${c.backend} service is unavailable${error ? `: ${error.message}` : ''}`);
            if (Number(head[':status']) !== 200) return fail(status.UNAVAILABLE, `the ${c.backend} service answered HTTP ${String(head[':status'])}`);
            if (stream.rstCode && stream.rstCode !== constants.NGHTTP2_NO_ERROR) return fail(statusOfReset(stream.rstCode), `the ${c.backend} service reset the call`);
            return fail(status.INTERNAL, `the ${c.backend} service ended the call without a status`);
          }
          const code = statusOf(end)!;
          const trailers = metadataOf(end);
          const details = decodeMessage(end['grpc-message']);
          if (code !== status.OK) return settle({ code, details, trailers });
          const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
          if (!isOneMessage(body)) return settle({ code: status.INTERNAL, details: `the ${c.backend} service sent a malformed response`, trailers });
          const encoding = head?.['grpc-encoding'];
          settle({ code, details, trailers, body, ...(typeof encoding === 'string' && encoding !== 'identity' ? { encoding } : {}) });
        });
        const cancel = () => {
          stream.close(constants.NGHTTP2_CANCEL);
          fail(status.CANCELLED, 'the call was cancelled by the client');
        };
        timer = setTimeout(() => {
          stream.close(constants.NGHTTP2_CANCEL);
          fail(status.DEADLINE_EXCEEDED, `the ${c.backend} service did not answer before the deadline`);
        }, Math.max(0, c.deadline - now));
        if (hook) {
          if (hook.cancelled) return cancel();
          hook.onCancel = cancel;
        }
        c.signal?.addEventListener('abort', cancel, { once: true });
        stream.end(c.body);
      });
    },
    close() {
      for (const t of Object.values(targets)) t.close();
    },
  };
}

/** The deadline (epoch ms) of an outbound call: the client's, capped at maxMs, or defaultMs from now. */
export function outboundDeadline(clientDeadline: number | undefined, defaultMs: number, maxMs: number, now = Date.now()): number {
  if (clientDeadline === undefined || !Number.isFinite(clientDeadline)) return now + Math.min(defaultMs, maxMs);
  return Math.min(clientDeadline, now + maxMs);
}
