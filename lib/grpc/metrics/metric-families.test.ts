import { Counter, Histogram, Registry } from 'prom-client';
import { CounterFamily } from './counter-family';
import { HistogramFamily } from './histogram-family';
import { DEFAULT_BUCKETS, GrpcMetrics } from './grpc-metrics';

/**
 * The families must expose exactly what prom-client's own Counter and Histogram would after the
 * same recordings: the same text (names, labels, values, series order) and the same get().
 */
describe('metric families, against prom-client', () => {
  const LABELS = ['grpc_type', 'grpc_service', 'grpc_method', 'grpc_code'] as const;
  const a = { grpc_type: 'unary', grpc_service: 'tally.identity.v1.ProjectService', grpc_method: 'Get', grpc_code: 'OK' };
  const b = { ...a, grpc_code: 'NotFound' };
  const c = { grpc_type: 'unary', grpc_service: 'odd "quoted" \\ service\nname', grpc_method: 'List', grpc_code: 'OK' };

  it('a counter family exposes the same text and values as a prom-client Counter', async () => {
    const promReg = new Registry();
    const ourReg = new Registry();
    const prom = new Counter({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed.', labelNames: LABELS, registers: [promReg] });
    const ours = new CounterFamily({ name: 'grpc_server_handled_total', help: 'Total number of RPCs completed.', labelNames: LABELS, registry: ourReg });
    // Series looked up before they are touched, and in another order, show only once touched, in touch order.
    const [sa, sb, sc] = [ours.series(a), ours.series(b), ours.series(c)];
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
    for (const [labels, s, by] of [[b, sb, 1], [a, sa, 1], [a, sa, 1], [c, sc, 2.5], [b, sb, 0], [a, sa, 1]] as const) {
      prom.inc(labels, by);
      s.inc(by);
    }
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
    expect(await ours.get()).toStrictEqual(await prom.get());
    expect(sa.value).toBe(3);
    expect(() => sa.inc(-1)).toThrow();
    expect(() => ours.series({ ...a, grpc_status: 'x' } as never)).toThrow(/unknown label/);
    expect(ours.series({ ...a })).toBe(sa);

    prom.reset();
    ours.reset();
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
    prom.inc(c);
    sc.inc();
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
    expect(sa.value).toBe(0);
  });

  it('a histogram family exposes the same text and values as a prom-client Histogram', async () => {
    const promReg = new Registry();
    const ourReg = new Registry();
    const names = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
    const prom = new Histogram({ name: 'grpc_server_handling_seconds', help: 'Latency.', labelNames: names, buckets: DEFAULT_BUCKETS, registers: [promReg] });
    const ours = new HistogramFamily({ name: 'grpc_server_handling_seconds', help: 'Latency.', labelNames: names, buckets: DEFAULT_BUCKETS, registry: ourReg });
    const la = { grpc_type: 'unary', grpc_service: 'S', grpc_method: 'Get' };
    const lb = { grpc_type: 'unary', grpc_service: 'S', grpc_method: 'List' };
    const [ha, hb] = [ours.series(la), ours.series(lb)];
    // Values on and around bucket bounds, below the first, past the last.
    const seen: [typeof la, number][] = [
      [lb, 0.0001],
      [la, 0.005],
      [la, 0.0050001],
      [la, 0.1],
      [lb, 2.5],
      [la, 10],
      [la, 11],
      [lb, 0],
      [la, 0.333],
    ];
    for (const [labels, v] of seen) {
      prom.observe(labels, v);
      (labels === la ? ha : hb).observe(v);
    }
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
    expect(await ours.get()).toStrictEqual(await prom.get());
    expect(await promReg.getMetricsAsJSON()).toStrictEqual(await ourReg.getMetricsAsJSON());
    expect(() => ha.observe(Number.NaN)).toThrow();
    expect(() => new HistogramFamily({ name: 'h', help: 'h', labelNames: ['le'], buckets: [1], registry: new Registry() })).toThrow(/reserved/);

    prom.reset();
    ours.reset();
    prom.observe(lb, 1);
    hb.observe(1);
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
  });

  it('reads the same in the OpenMetrics format', async () => {
    // prom-client's typings declare no constructor argument; the runtime takes the content type.
    const openMetrics = () => new (Registry as unknown as new (contentType: string) => Registry)(Registry.OPENMETRICS_CONTENT_TYPE);
    const promReg = openMetrics();
    const ourReg = openMetrics();
    const prom = new Counter({ name: 'calls_total', help: 'Calls.', labelNames: ['method'], registers: [promReg] });
    const ours = new CounterFamily({ name: 'calls_total', help: 'Calls.', labelNames: ['method'], registry: ourReg });
    prom.inc({ method: 'Get' }, 4);
    ours.series({ method: 'Get' }).inc(4);
    expect(await ourReg.metrics()).toBe(await promReg.metrics());
  });

  it('GrpcMetrics records the go-grpc-prometheus families through per-method series', async () => {
    const m = new GrpcMetrics();
    const method = { path: '/tally.identity.v1.ProjectService/Get', requestStream: false, responseStream: false };
    const s = m.serverMethod(method);
    expect(m.serverMethod({ ...method })).toBe(s);
    expect(m.clientMethod(method)).not.toBe(s);
    expect(m.serverMethod({ ...method, responseStream: true }).labels.grpc_type).toBe('server_stream');
    s.started.inc();
    s.handled(5).inc();
    s.handled(5).inc();
    s.handled(99).inc();
    s.seconds.observe(0.02);
    const text = await m.registry.metrics();
    const labels = 'grpc_type="unary",grpc_service="tally.identity.v1.ProjectService",grpc_method="Get"';
    expect(text).toContain(`grpc_server_started_total{${labels}} 1`);
    expect(text).toContain(`grpc_server_handled_total{${labels},grpc_code="NotFound"} 2`);
    expect(text).toContain(`grpc_server_handled_total{${labels},grpc_code="Code(99)"} 1`);
    expect(text).toContain(`grpc_server_handling_seconds_bucket{le="0.025",${labels}} 1`);
    expect(text).toContain(`grpc_server_handling_seconds_bucket{le="0.01",${labels}} 0`);
    expect(text).not.toContain('grpc_client_started_total{');
    expect(text).not.toContain('grpc_server_msg_sent_total{');
  });
});
