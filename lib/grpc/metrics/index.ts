export { GrpcMetrics, DEFAULT_BUCKETS, type GrpcMetricsOptions } from './grpc-metrics';
export { MethodSeries } from './method-series';
export { CounterFamily, CounterSeries } from './counter-family';
export { HistogramFamily, HistogramSeries } from './histogram-family';
export type { Labels } from './metric-family';
export { metricsServerInterceptor } from './server-interceptor';
export { metricsClientInterceptor } from './client-interceptor';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './metrics-server';
export { codeLabel, methodLabels, type GrpcType, type MethodLabels, type MethodShape } from './labels';
