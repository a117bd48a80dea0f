export { GrpcMetrics, DEFAULT_BUCKETS, type GrpcMetricsOptions } from './grpc-metrics';
export { metricsServerInterceptor } from './server-interceptor';
export { metricsClientInterceptor } from './client-interceptor';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server';
export { codeLabel, methodLabels, type GrpcType, type MethodLabels } from './labels';
