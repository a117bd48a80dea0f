import { collectDefaultMetrics, Registry } from 'prom-client';
import { CounterFamily } from './counter-family';
import { HistogramFamily } from './histogram-family';
import { MethodSeries, type MethodFamilies } from './method-series';
import { methodLabels, type MethodShape } from './labels';

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

/**
 * The go-grpc-prometheus metric families, server and client side, in a registry of their own.
 * Record through serverMethod()/clientMethod(): one method's series, looked up once per method.
 */
export class GrpcMetrics {
  readonly registry: Registry;
  readonly serverStarted: CounterFamily<MethodLabel>;
  readonly serverHandled: CounterFamily<HandledLabel>;
  readonly serverMsgReceived: CounterFamily<MethodLabel>;
  readonly serverMsgSent: CounterFamily<MethodLabel>;
  readonly serverHandlingSeconds: HistogramFamily<MethodLabel>;
  readonly clientStarted: CounterFamily<MethodLabel>;
  readonly clientHandled: CounterFamily<HandledLabel>;
  readonly clientMsgReceived: CounterFamily<MethodLabel>;
  readonly clientMsgSent: CounterFamily<MethodLabel>;
  readonly clientHandlingSeconds: HistogramFamily<MethodLabel>;
  private readonly server: MethodFamilies;
  private readonly client: MethodFamilies;
  private readonly serverMethods = new Map<string, MethodSeries>();
  private readonly clientMethods = new Map<string, MethodSeries>();

  constructor(options: GrpcMetricsOptions = {}) {
    const registry = (this.registry = options.registry ?? new Registry());
    const buckets = options.buckets ?? DEFAULT_BUCKETS;
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new CounterFamily<L>({ name, help, labelNames, registry });
    const histogram = (name: string, help: string) => new HistogramFamily<MethodLabel>({ name, help, labelNames: METHOD, buckets, registry });

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
    this.server = { started: this.serverStarted, handled: this.serverHandled, msgReceived: this.serverMsgReceived, msgSent: this.serverMsgSent, seconds: this.serverHandlingSeconds };
    this.client = { started: this.clientStarted, handled: this.clientHandled, msgReceived: this.clientMsgReceived, msgSent: this.clientMsgSent, seconds: this.clientHandlingSeconds };

    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The server-side series of a method (the same object for the same method). */
  serverMethod(method: MethodShape): MethodSeries {
    return seriesOf(this.serverMethods, this.server, method);
  }

  /** The client-side series of a method (the same object for the same method). */
  clientMethod(method: MethodShape): MethodSeries {
    return seriesOf(this.clientMethods, this.client, method);
  }
}

function seriesOf(cache: Map<string, MethodSeries>, families: MethodFamilies, method: MethodShape): MethodSeries {
  const hit = cache.get(method.path);
  if (hit && hit.fits(method)) return hit;
  const labels = methodLabels(method);
  const key = hit ? `${labels.grpc_type} ${method.path}` : method.path;
  let s = cache.get(key);
  if (!s) cache.set(key, (s = new MethodSeries(families, labels)));
  return s;
}
