import { Metadata, status, type handleServerStreamingCall, type ServerWritableStream } from '@grpc/grpc-js';
import { unauthenticated } from '../errors/domain-error';
import type { BindOptions } from './bind-service';
import type { CallContext } from './call-context';
import { requestIdOf } from './request-id';
import { REASON_KEY, toServiceError } from './status';

/** A server-streaming handler: the messages to send, pulled one at a time as the client reads. */
export type StreamHandler<Req, Res> = (req: Req, ctx: CallContext) => AsyncIterable<Res> | Iterable<Res>;

/** Timers may fire a millisecond before Date.now() reaches the deadline they were set for. */
const CLOCK_SLACK_MS = 5;

/**
 * The next item of an iterator, or undefined as soon as the signal aborts (even while the
 * iterator is still working on it): a stuck source never holds up a cancelled call.
 */
export function nextUnlessAborted<T>(it: AsyncIterator<T> | Iterator<T>, signal: AbortSignal): Promise<IteratorResult<T> | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    Promise.resolve()
      .then(() => it.next())
      .then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (err) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) resolve(undefined);
          else reject(err);
        },
      );
  });
}

/** Resolves when the stream wants more ('drain') or the signal aborts. */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

function iteratorOf<T>(source: AsyncIterable<T> | Iterable<T>): AsyncIterator<T> | Iterator<T> {
  return Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
}

/**
 * The server-streaming counterpart of bindService: request id, authentication, a signal that
 * aborts when the client cancels or the deadline passes, backpressure (the source is pulled only
 * as fast as the client reads), and the one error mapper. On abort the source is no longer
 * pulled and its `return()` is called, so generators run their `finally` blocks.
 */
export function bindServerStream<Req, Res>(
  path: string,
  handler: StreamHandler<Req, Res>,
  { authenticate, logger }: BindOptions,
): handleServerStreamingCall<Req, Res> {
  return (call) => {
    const requestId = requestIdOf(call.metadata.get('x-request-id'));
    const log = logger.child({ request_id: requestId, method: path });
    const abort = new AbortController();
    let ended = false;
    call.on('cancelled', () => {
      if (!ended) abort.abort(new Error('cancelled by the client'));
    });
    const deadline = call.getDeadline();
    const deadlineAt = deadline instanceof Date ? deadline.getTime() : deadline;
    const deadlineTimer = Number.isFinite(deadlineAt)
      ? setTimeout(() => abort.abort(new Error('deadline exceeded')), Math.max(0, deadlineAt - Date.now() - CLOCK_SLACK_MS))
      : undefined;
    deadlineTimer?.unref();
    const started = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
    const finish = () => {
      ended = true;
      if (deadlineTimer) clearTimeout(deadlineTimer);
    };

    void (async () => {
      let sent = 0;
      try {
        const principal = await authenticate(call.metadata);
        if (!principal) throw unauthenticated('missing or invalid credential');
        const ctx: CallContext = { requestId, principal, logger: log, signal: abort.signal, metadata: call.metadata };
        const it = iteratorOf(handler(call.request, ctx));
        let exhausted = false;
        try {
          for (;;) {
            const r = await nextUnlessAborted(it, abort.signal);
            if (!r) break;
            if (r.done) {
              exhausted = true;
              break;
            }
            sent++;
            if (!call.write(r.value)) await drained(call as ServerWritableStream<unknown, unknown>, abort.signal);
          }
        } finally {
          if (!exhausted) closeIterator(it, (err) => log.debug({ err }, 'source failed while closing'));
        }
        if (abort.signal.aborted) {
          finish();
          log.info({ ms: ms(), sent, reason: String((abort.signal.reason as Error)?.message ?? 'aborted') }, 'stream ended early');
          return;
        }
        finish();
        const trailer = new Metadata();
        trailer.set('x-request-id', requestId);
        log.debug({ ms: ms(), sent, subject: principal.subject }, 'ok');
        call.end(trailer);
      } catch (err) {
        finish();
        if (abort.signal.aborted) {
          log.info({ ms: ms(), sent }, 'stream ended early');
          return;
        }
        const e = toServiceError(err, requestId, log);
        e.metadata?.set('x-request-id', requestId);
        if (e.code !== status.INTERNAL) log.info({ code: e.code, reason: e.metadata?.get(REASON_KEY)[0], sent }, e.details ?? 'failed');
        call.emit('error', e);
      }
    })();
  };
}

/**
 * Tells an iterator we are done with it (generators run their finally blocks) without waiting:
 * it may be stuck mid-await. A failure while closing goes to onError.
 */
export function closeIterator(it: AsyncIterator<unknown> | Iterator<unknown>, onError: (err: unknown) => void = () => undefined): void {
  try {
    const r = it.return?.();
    if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then(undefined, onError);
  } catch (err) {
    onError(err);
  }
}
