import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import type { GrpcMetrics } from './grpc-metrics';
import { codeLabel, methodLabels } from './labels';

/**
 * A grpc-js client interceptor (client option `interceptors: [...]`) that records started,
 * handled (with the final code), messages and handling time of every outgoing call.
 */
export function metricsClientInterceptor(metrics: GrpcMetrics): Interceptor {
  return (options, nextCall) => {
    const labels = methodLabels(options.method_definition);
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metrics.clientStarted.inc(labels);
        const stopTimer = metrics.clientHandlingSeconds.startTimer(labels);
        next(metadata, {
          onReceiveMessage(message, nextMessage) {
            metrics.clientMsgReceived.inc(labels);
            nextMessage(message);
          },
          onReceiveStatus(callStatus, nextStatus) {
            metrics.clientHandled.inc({ ...labels, grpc_code: codeLabel(callStatus.code) });
            stopTimer();
            nextStatus(callStatus);
          },
        });
      },
      sendMessage(message, next) {
        metrics.clientMsgSent.inc(labels);
        next(message);
      },
    });
  };
}
