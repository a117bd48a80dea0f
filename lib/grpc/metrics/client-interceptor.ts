import { InterceptingCall, type Interceptor } from '@grpc/grpc-js';
import type { GrpcMetrics } from './grpc-metrics';

/**
 * A grpc-js client interceptor (client option `interceptors: [...]`) that records started,
 * handled (with the final code), messages and handling time of every outgoing call.
 */
export function metricsClientInterceptor(metrics: GrpcMetrics): Interceptor {
  return (options, nextCall) => {
    const m = metrics.clientMethod(options.method_definition);
    return new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        m.started.inc();
        const started = performance.now();
        next(metadata, {
          onReceiveMessage(message, nextMessage) {
            m.msgReceived.inc();
            nextMessage(message);
          },
          onReceiveStatus(callStatus, nextStatus) {
            m.handled(callStatus.code).inc();
            m.seconds.observeSince(started);
            nextStatus(callStatus);
          },
        });
      },
      sendMessage(message, next) {
        m.msgSent.inc();
        next(message);
      },
    });
  };
}
