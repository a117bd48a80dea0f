import type { OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import type { MethodSeries } from '../../../lib/grpc/metrics';
import type { Backend } from '../contract/exposure';
import type { Deadline, DeadlineQueue } from './deadline-queue';
import { decodeMessage, isOneMessage, metadataOf, statusOf, statusOfReset } from './grpc-wire';
import type { StreamFailure, StreamHandle, StreamReceiver } from './h2/client-stream';
import type { DecodedHeaders } from './h2/hpack-decoder';

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

const EMPTY = Buffer.alloc(0);

/**
 * One unary call to a backend over its HTTP/2 stream (a StreamReceiver of the gateway's own
 * HTTP/2 client): collects the response's headers, message and trailers, and hands the receiver
 * one Forwarded, on the stream's close, on the deadline (a DeadlineQueue entry) or on cancel,
 * whichever comes first; the client metrics are recorded then.
 */
export class UpstreamCall implements Deadline, StreamReceiver {
  slot = -1;
  private handle: StreamHandle | undefined;
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private head: DecodedHeaders | undefined;
  private tail: DecodedHeaders | undefined;
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

  /** The call's stream was opened: the deadline starts. */
  start(handle: StreamHandle): void {
    this.handle = handle;
    if (!this.settled) this.deadlines.add(this);
  }

  /** The deadline passed: the backend's stream is cancelled. */
  expire(): void {
    this.handle?.cancel();
    this.fail(status.DEADLINE_EXCEEDED, `the ${this.backend} service did not answer before the deadline`);
  }

  /** The client went away: the backend's stream is cancelled. */
  cancel(): void {
    this.handle?.cancel();
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

  // The stream's events (StreamReceiver).
  onHeaders(h: DecodedHeaders): void {
    this.head = h;
  }

  onTrailers(t: DecodedHeaders): void {
    this.tail = t;
  }

  onData(chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk;
    else (this.more ??= [this.first]).push(chunk);
  }

  onClose(code: number, failure?: StreamFailure): void {
    if (this.settled) return;
    const backend = this.backend;
    if (failure) {
      switch (failure.kind) {
        case 'too-large':
          return this.fail(status.RESOURCE_EXHAUSTED, `the ${backend} service answered with more than the gateway accepts: ${failure.message}`);
        case 'malformed':
          return this.fail(status.INTERNAL, `the ${backend} service sent a malformed response: ${failure.message}`);
        default:
          return this.fail(status.UNAVAILABLE, `the ${backend} service is unavailable: ${failure.message}`);
      }
    }
    const head = this.head;
    const end = this.tail ?? (head && statusOf(head) !== undefined ? head : undefined);
    if (!end) {
      if (code !== 0) return this.fail(statusOfReset(code), `the ${backend} service reset the call`);
      if (head && head[':status'] !== '200') return this.fail(status.UNAVAILABLE, `the ${backend} service answered HTTP ${String(head[':status'])}`);
      return this.fail(status.INTERNAL, `the ${backend} service ended the call without a status`);
    }
    const grpcCode = statusOf(end)!;
    const trailers = metadataOf(end);
    const details = decodeMessage(end['grpc-message']);
    if (grpcCode !== status.OK) return this.settle({ code: grpcCode, details, trailers });
    const body = this.more ? Buffer.concat(this.more) : (this.first ?? EMPTY);
    if (!isOneMessage(body)) return this.settle({ code: status.INTERNAL, details: `the ${backend} service sent a malformed response`, trailers });
    const encoding = head?.['grpc-encoding'];
    this.settle(typeof encoding === 'string' && encoding !== 'identity' ? { code: grpcCode, details, trailers, body, encoding } : { code: grpcCode, details, trailers, body });
  }
}
