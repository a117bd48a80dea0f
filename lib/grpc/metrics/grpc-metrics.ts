import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus' default buckets, as go-grpc-prometheus uses them. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface GrpcMetricsOptions {
  /** The registry to register in; default a new one (never prom-client's global registry). */
  registry?: Registry;
  /** Also collect Node process metrics (CPU, memory, event loop, GC) in this registry. */
  defaultMetrics?: boolean;
  /** Buckets of the handling-seconds histograms. */
  buckets?: number[];
}

const METHOD = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
const HANDLED = [...METHOD, 'grpc_code'] as const;

type MethodLabel = (typeof METHOD)[number];
type HandledLabel = (typeof HANDLED)[number];

/** The go-grpc-prometheus metric families, server and client side, in a registry of their own. */
export class GrpcMetrics {
  readonly registry: Registry;
  readonly serverStarted: Counter<MethodLabel>;
  readonly serverHandled: Counter<HandledLabel>;
  readonly serverMsgReceived: Counter<MethodLabel>;
  readonly serverMsgSent: Counter<MethodLabel>;
  readonly serverHandlingSeconds: Histogram<MethodLabel>;
  readonly clientStarted: Counter<MethodLabel>;
  readonly clientHandled: Counter<HandledLabel>;
  readonly clientMsgReceived: Counter<MethodLabel>;
  readonly clientMsgSent: Counter<MethodLabel>;
  readonly clientHandlingSeconds: Histogram<MethodLabel>;

  constructor(options: GrpcMetricsOptions = {}) {
    const registers = [(this.registry = options.registry ?? new Registry())];
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const histogram = (name: string, help: string) =>
      new Histogram<MethodLabel>({ name, help, labelNames: METHOD, buckets, registers });

    this.serverStarted = counter('grpc_server_started_total', 'Total number of RPCs started on the server.', METHOD);
    this.serverHandled = counter('grpc_server_handled_total', 'Total number of RPCs completed on the server, regardless of success or failure.', HANDLED);
    this.serverMsgReceived = counter('grpc_server_msg_received_total', 'Total number of RPC stream messages received on the server.', METHOD);
    this.serverMsgSent = counter('grpc_server_msg_sent_total', 'Total number of gRPC stream messages sent by the server.', METHOD);
    this.serverHandlingSeconds = histogram('grpc_server_handling_seconds', 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.');
    this.clientStarted = counter('grpc_client_started_total', 'Total number of RPCs started on the client.', METHOD);
    this.clientHandled = counter('grpc_client_handled_total', 'Total number of RPCs completed by the client, regardless of success or failure.', HANDLED);
    this.clientMsgReceived = counter('grpc_client_msg_received_total', 'Total number of RPC stream messages received by the client.', METHOD);
    this.clientMsgSent = counter('grpc_client_msg_sent_total', 'Total number of gRPC stream messages sent by the client.', METHOD);
    this.clientHandlingSeconds = histogram('grpc_client_handling_seconds', 'Histogram of response latency (seconds) of the gRPC until it is finished by the application.');

    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
