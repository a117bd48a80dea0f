import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '../auth/principal';
import type { Logger } from '../log/logger';
import type { CallContext } from './call-context';

/**
 * A unary call's context, whose logger and signal are made on first use: most calls read
 * neither, and a pino child logger and an AbortController cost microseconds per call. grpc-js
 * reports every call as cancelled once its stream closes, finished or not: a cancel after the
 * handler finished aborts nothing (an abort makes a DOMException, with its stack trace).
 */
export class UnaryCallContext implements CallContext {
  /** Set once the caller is authenticated, before the handler runs. */
  principal!: Principal;
  private log: Logger | undefined;
  private abort: AbortController | undefined;
  private cancelled = false;
  private finished = false;

  constructor(
    readonly requestId: string,
    readonly metadata: Metadata,
    private readonly parent: Logger,
    private readonly method: string,
  ) {}

  get logger(): Logger {
    return (this.log ??= this.parent.child({ request_id: this.requestId, method: this.method }));
  }

  get signal(): AbortSignal {
    if (!this.abort) {
      this.abort = new AbortController();
      if (this.cancelled) this.abort.abort();
    }
    return this.abort.signal;
  }

  /** The client cancelled or the deadline passed: the signal aborts, unless the handler is done. */
  cancel(): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    this.abort?.abort();
  }

  /** The handler is done (answered or failed). */
  finish(): void {
    this.finished = true;
  }
}
