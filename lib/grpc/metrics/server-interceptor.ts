import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { GrpcMetrics } from './grpc-metrics';
import { codeLabel, methodLabels } from './labels';

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
    const labels = methodLabels(methodDescriptor);
    let stopTimer: (() => number) | undefined;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      metrics.serverHandled.inc({ ...labels, grpc_code: codeLabel(code) });
      stopTimer?.();
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        metrics.serverStarted.inc(labels);
        stopTimer = metrics.serverHandlingSeconds.startTimer(labels);
        next({
          onReceiveMessage(message, nextMessage) {
            metrics.serverMsgReceived.inc(labels);
            nextMessage(message);
          },
          onCancel() {
            finish(deadlinePassed(call.getDeadline()) ? status.DEADLINE_EXCEEDED : status.CANCELLED);
          },
        });
      },
      sendMessage(message, next) {
        metrics.serverMsgSent.inc(labels);
        next(message);
      },
      sendStatus(callStatus, next) {
        finish(callStatus.code);
        next(callStatus);
      },
    });
  };
}
