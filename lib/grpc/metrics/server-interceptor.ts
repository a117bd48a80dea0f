import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { GrpcMetrics } from './grpc-metrics';

/** Timers may fire a millisecond before Date.now() reaches the deadline they were set for. */
const CLOCK_SLACK_MS = 5;

function deadlinePassed(deadline: Date | number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at - CLOCK_SLACK_MS <= Date.now();
}

/**
 * A grpc-js server interceptor (`new Server({ interceptors: [...] })`) that records started,
 * handled (with the final code), messages and handling time of every call, unary or streaming.
 * A call the client cancels counts as Canceled; one whose deadline passed as DeadlineExceeded.
 */
export function metricsServerInterceptor(metrics: GrpcMetrics): ServerInterceptor {
  return (methodDescriptor, call) => {
    const m = metrics.serverMethod(methodDescriptor);
    let started: number | undefined;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      m.handled(code).inc();
      if (started !== undefined) m.seconds.observeSince(started);
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        m.started.inc();
        started = performance.now();
        next({
          onReceiveMessage(message, nextMessage) {
            m.msgReceived.inc();
            nextMessage(message);
          },
          onCancel() {
            finish(deadlinePassed(call.getDeadline()) ? status.DEADLINE_EXCEEDED : status.CANCELLED);
          },
        });
      },
      sendMessage(message, next) {
        m.msgSent.inc();
        next(message);
      },
      sendStatus(callStatus, next) {
        finish(callStatus.code);
        next(callStatus);
      },
    });
  };
}
