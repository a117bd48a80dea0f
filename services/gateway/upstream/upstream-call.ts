import { constants, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import type { MethodSeries } from '../../../lib/grpc/metrics';
import type { Backend } from '../contract/exposure';
import type { Deadline, DeadlineQueue } from './deadline-queue';
import { decodeMessage, isOneMessage, metadataOf, statusOf, statusOfReset } from './grpc-wire';

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
  /** Set by the upstream while the outbound call is in flight. */
  onCancel?: () => void;
}

/** Where a call's answer goes: `forwarded` runs once per call. */
export interface ForwardReceiver {
  forwarded(f: Forwarded): void;
}

/** The call an UpstreamCall's stream belongs to, while the stream is open. */
const CALL = Symbol('tally.upstreamCall');
type CallStream = ClientHttp2Stream & { [CALL]?: UpstreamCall };

const EMPTY = Buffer.alloc(0);

/**
 * One unary call to a backend over its HTTP/2 stream: collects the response's headers, message
 * and trailers, and hands the receiver one Forwarded, on the stream's close, on the deadline
 * (a DeadlineQueue entry) or on cancel, whichever comes first; the client metrics are recorded
 * then. The stream's listeners are shared functions that find the call through the stream, and
 * the stream forgets the call when it closes: Node keeps a closed client stream reachable for a
 * while (ClientHttp2Session.request() binds it into an AsyncResource whose deprecation getters
 * sit in old space), and what it reaches survives young-generation collections with it.
 */
export class UpstreamCall implements Deadline {
  slot = -1;
  private stream: CallStream | undefined;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private head: IncomingHttpHeaders | undefined;
  private tail: IncomingHttpHeaders | undefined;
  private error: Error | undefined;
  private settled = false;
  private readonly started: number;

  constructor(
    private readonly backend: Backend,
    /** The deadline on the deadline queue's clock (performance.now()). */
    readonly at: number,
    private readonly deadlines: DeadlineQueue,
    private readonly receiver: ForwardReceiver,
    private readonly metrics: MethodSeries | undefined,
    /** Cleared (onCancel) once the call is answered. */
    private readonly hook: CancelHook | undefined,
  ) {
    this.started = metrics ? performance.now() : 0;
    if (metrics) {
      metrics.started.inc();
      metrics.msgSent.inc();
    }
  }

  /** Listens to the call's stream (opened with the request headers) and starts the deadline; the caller then sends the message. */
  start(stream: ClientHttp2Stream): void {
    const s = stream as CallStream;
    this.stream = s;
    s[CALL] = this;
    s.on('response', onResponse);
    s.on('data', onData);
    s.on('trailers', onTrailers);
    s.on('error', onError);
    s.on('close', onClose);
    this.deadlines.add(this);
  }

  /** The deadline passed: the backend's stream is cancelled. */
  expire(): void {
    this.stream?.close(constants.NGHTTP2_CANCEL);
    this.fail(status.DEADLINE_EXCEEDED, `the ${this.backend} service did not answer before the deadline`);
  }

  /** The client went away: the backend's stream is cancelled. */
  cancel(): void {
    this.stream?.close(constants.NGHTTP2_CANCEL);
    this.fail(status.CANCELLED, 'the call was cancelled by the client');
  }

  fail(code: status, details: string): void {
    this.settle({ code, details, trailers: {} });
  }

  private settle(f: Forwarded): void {
    if (this.settled) return;
    this.settled = true;
    this.deadlines.remove(this);
    if (this.hook) this.hook.onCancel = undefined;
    const m = this.metrics;
    if (m) {
      if (f.body) m.msgReceived.inc();
      m.handled(f.code).inc();
      m.seconds.observeSince(this.started);
    }
    this.receiver.forwarded(f);
  }

  // Stream events (see the listeners below).
  response(h: IncomingHttpHeaders): void {
    this.head = h;
  }

  trailers(t: IncomingHttpHeaders): void {
    this.tail = t;
  }

  failedWith(err: Error): void {
    this.error = err;
  }

  data(chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk;
    else (this.more ??= [this.first]).push(chunk);
  }

  closed(s: ClientHttp2Stream): void {
    if (this.settled) return;
    const head = this.head;
    const end = this.tail ?? (head && statusOf(head) !== undefined ? head : undefined);
    const backend = this.backend;
    if (!end) {
      // No answer at all: the connection failed or was refused.
      if (!head) return this.fail(status.UNAVAILABLE, `the ${backend} service is unavailable${this.error ? `: ${this.error.message}` : ''}`);
      if (Number(head[':status']) !== 200) return this.fail(status.UNAVAILABLE, `the ${backend} service answered HTTP ${String(head[':status'])}`);
      if (s.rstCode && s.rstCode !== constants.NGHTTP2_NO_ERROR) return this.fail(statusOfReset(s.rstCode), `the ${backend} service reset the call`);
      return this.fail(status.INTERNAL, `the ${backend} service ended the call without a status`);
    }
    const code = statusOf(end)!;
    const trailers = metadataOf(end);
    const details = decodeMessage(end['grpc-message']);
    if (code !== status.OK) return this.settle({ code, details, trailers });
    const body = this.more ? Buffer.concat(this.more) : (this.first ?? EMPTY);
    if (!isOneMessage(body)) return this.settle({ code: status.INTERNAL, details: `the ${backend} service sent a malformed response`, trailers });
    const encoding = head?.['grpc-encoding'];
    this.settle(typeof encoding === 'string' && encoding !== 'identity' ? { code, details, trailers, body, encoding } : { code, details, trailers, body });
  }
}

// Stream listeners, shared by every call (`this` is the stream).
function onResponse(this: CallStream, h: IncomingHttpHeaders): void {
  this[CALL]?.response(h);
}
function onData(this: CallStream, chunk: Buffer): void {
  this[CALL]?.data(chunk);
}
function onTrailers(this: CallStream, t: IncomingHttpHeaders): void {
  this[CALL]?.trailers(t);
}
function onError(this: CallStream, err: Error): void {
  this[CALL]?.failedWith(err);
}
function onClose(this: CallStream): void {
  const call = this[CALL];
  this[CALL] = undefined;
  call?.closed(this);
}
