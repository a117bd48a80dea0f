import { Client, Metadata, status, type Interceptor, type StatusObject } from '@grpc/grpc-js';
import { signInternalToken } from '../../../lib/auth/internal-token';
import type { Principal } from '../../../lib/auth/principal';
import { CLIENT_OPTIONS, insecure } from '../../../lib/grpc/client';
import type { Backend } from '../contract/exposure';

/** What came back from a backend: the response bytes on OK, and always the status with trailers. */
export interface Forwarded {
  status: StatusObject;
  response?: Buffer;
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
}

export interface Upstream {
  forward(call: ForwardCall): Promise<Forwarded>;
  close(): void;
}

const passThrough = (b: Buffer) => b;
/** Signed tokens outlive the call's deadline by this much, no more. */
const TOKEN_SLACK_MS = 5_000;

/**
 * Unary calls to identity and billing with bytes passed through untouched: one generic grpc-js
 * client per backend, every call with a deadline and a short-lived internal token that carries
 * the principal (backends trust nothing else the gateway could pass).
 */
export function createUpstream(o: {
  endpoints: Record<Backend, string>;
  internalSecret: string;
  maxMessageBytes: number;
  interceptors?: Interceptor[];
}): Upstream {
  const options = { ...CLIENT_OPTIONS, 'grpc.max_receive_message_length': o.maxMessageBytes, 'grpc.max_send_message_length': o.maxMessageBytes, interceptors: o.interceptors ?? [] };
  const clients: Record<Backend, Client> = {
    identity: new Client(o.endpoints.identity, insecure(), options),
    billing: new Client(o.endpoints.billing, insecure(), options),
  };
  return {
    forward(c) {
      const metadata = new Metadata();
      const ttl = Math.max(0, c.deadline.getTime() - Date.now()) + TOKEN_SLACK_MS;
      metadata.set('authorization', `Bearer ${signInternalToken(o.internalSecret, c.principal, ttl)}`);
      metadata.set('x-request-id', c.requestId);
      return new Promise<Forwarded>((resolve) => {
        let response: Buffer | undefined;
        const call = clients[c.backend].makeUnaryRequest(c.grpcPath, passThrough, passThrough, c.request, metadata, { deadline: c.deadline }, (err, res) => {
          if (!err) response = res;
        });
        call.on('status', (s: StatusObject) => {
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
