import { Client, Metadata, status, type Interceptor, type StatusObject } from '@grpc/grpc-js';
import { signInternalToken } from '../../../lib/auth/internal-token';
import type { Principal } from '../../../lib/auth/principal';
import { CLIENT_OPTIONS, insecure } from '../../../lib/grpc/client';
import { codeLabel, methodLabels, type GrpcMetrics, type MethodLabels } from '../../../lib/grpc/metrics';
import type { Backend } from '../contract/exposure';

/** What came back from a backend: the response bytes on OK, and always the status with trailers. */
export interface Forwarded {
  status: StatusObject;
  response?: Buffer;
}

/**
 * A cheaper alternative to an AbortSignal for callers that cancel often (the gRPC proxy sees a
 * `cancelled` event on every call): set `cancelled` and call `onCancel` when the client went away.
 */
export interface CancelHook {
  cancelled: boolean;
  /** Set by forward() while the outbound call is in flight. */
  onCancel?: () => void;
}

export interface ForwardCall {
  backend: Backend;
  grpcPath: string;
  request: Buffer;
  principal: Principal;
  requestId: string;
  deadline: Date;
  /** Aborting cancels the outbound call (the client went away). */
  signal?: AbortSignal;
  /** Same as signal, without the cost of an AbortController per call. */
  cancel?: CancelHook;
}

export interface Upstream {
  forward(call: ForwardCall): Promise<Forwarded>;
  close(): void;
}

/** Signed tokens outlive the call's deadline by this much, no more. */
const TOKEN_SLACK_MS = 5_000;
/** A signed token is reused for a later call while it outlives that call's deadline by at least this much. */
const TOKEN_MIN_SLACK_MS = TOKEN_SLACK_MS / 2;

interface SignedToken {
  /** `Bearer <token>` */
  header: string;
  exp: number;
}

/** Per method: its metric labels (computed once) and the byte pass-throughs that count messages. */
interface MethodInfo {
  labels: MethodLabels;
  handled: Map<number, MethodLabels & { grpc_code: string }>;
  serialize: (b: Buffer) => Buffer;
  deserialize: (b: Buffer) => Buffer;
}

const passThrough = (b: Buffer) => b;

/**
 * Unary calls to identity and billing with bytes passed through untouched: one generic grpc-js
 * client per backend, every call with a deadline and a short-lived internal token that carries
 * the principal (backends trust nothing else the gateway could pass). The client metrics
 * (go-grpc-prometheus' grpc_client_* families) are recorded here when `metrics` is given, with
 * the labels of each method computed once instead of through a per-call interceptor.
 */
export function createUpstream(o: {
  endpoints: Record<Backend, string>;
  internalSecret: string;
  maxMessageBytes: number;
  metrics?: GrpcMetrics;
  interceptors?: Interceptor[];
}): Upstream {
  const options: Record<string, unknown> = { ...CLIENT_OPTIONS, 'grpc.max_receive_message_length': o.maxMessageBytes, 'grpc.max_send_message_length': o.maxMessageBytes };
  if (o.interceptors?.length) options.interceptors = o.interceptors;
  const clients: Record<Backend, Client> = {
    identity: new Client(o.endpoints.identity, insecure(), options),
    billing: new Client(o.endpoints.billing, insecure(), options),
  };
  const metrics = o.metrics;

  // Tokens per principal object (the authenticator hands out the same object while it caches
  // the answer): a token signed for deadline D expires at D + TOKEN_SLACK_MS and serves a later
  // call with deadline D' while D' + TOKEN_MIN_SLACK_MS <= exp <= D' + TOKEN_SLACK_MS, so every
  // token still outlives its call's deadline by TOKEN_MIN_SLACK_MS..TOKEN_SLACK_MS, as before.
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
    if (info) return info;
    const labels = methodLabels({ path, requestStream: false, responseStream: false });
    info = {
      labels,
      handled: new Map(),
      serialize: metrics
        ? (b: Buffer) => {
            metrics.clientMsgSent.inc(labels);
            return b;
          }
        : passThrough,
      deserialize: metrics
        ? (b: Buffer) => {
            metrics.clientMsgReceived.inc(labels);
            return b;
          }
        : passThrough,
    };
    methods.set(path, info);
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
      const deadline = c.deadline.getTime();
      const metadata = new Metadata();
      metadata.set('authorization', authorization(c.principal, Number.isFinite(deadline) ? deadline : now, now));
      metadata.set('x-request-id', c.requestId);
      const info = methodInfo(c.grpcPath);
      return new Promise<Forwarded>((resolve) => {
        let response: Buffer | undefined;
        let stopTimer: (() => number) | undefined;
        if (metrics) {
          metrics.clientStarted.inc(info.labels);
          stopTimer = metrics.clientHandlingSeconds.startTimer(info.labels);
        }
        const call = clients[c.backend].makeUnaryRequest(c.grpcPath, info.serialize, info.deserialize, c.request, metadata, { deadline: c.deadline }, (err, res) => {
          if (!err) response = res;
        });
        const hook = c.cancel;
        if (hook) {
          if (hook.cancelled) call.cancel();
          else hook.onCancel = () => call.cancel();
        }
        call.on('status', (s: StatusObject) => {
          if (hook) hook.onCancel = undefined;
          if (metrics) {
            metrics.clientHandled.inc(handledLabels(info, s.code));
            stopTimer?.();
          }
          if (s.code !== status.OK) resolve({ status: s });
          else if (response) resolve({ status: s, response });
          else resolve({ status: { ...s, code: status.INTERNAL, details: 'the backend sent no response' } });
        });
        c.signal?.addEventListener('abort', () => call.cancel(), { once: true });
      });
    },
    close() {
      for (const client of Object.values(clients)) client.close();
    },
  };
}

/** The deadline of an outbound call: the client's, capped at maxMs, or defaultMs from now. */
export function outboundDeadline(clientDeadline: Date | number | undefined, defaultMs: number, maxMs: number, now = Date.now()): Date {
  const cap = now + maxMs;
  const given = clientDeadline instanceof Date ? clientDeadline.getTime() : clientDeadline;
  if (given === undefined || !Number.isFinite(given)) return new Date(now + Math.min(defaultMs, maxMs));
  return new Date(Math.min(given, cap));
}
