import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type Client,
  type ClientDuplexStream,
  type ClientReadableStream,
  type ClientUnaryCall,
  type ClientWritableStream,
  type ServerDuplexStream,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { connect } from 'node:http2';
import { GrpcMetrics, metricsClientInterceptor, metricsServerInterceptor, startMetricsServer, type MetricsServer } from './index';

// A service of raw bytes, so the test needs no proto: each message is a UTF-8 string.
const bytes = { serialize: (s: string) => Buffer.from(s), deserialize: (b: Buffer) => b.toString() };
const method = (name: string, requestStream: boolean, responseStream: boolean) => ({
  path: `/test.v1.EchoService/${name}`,
  requestStream,
  responseStream,
  requestSerialize: bytes.serialize,
  requestDeserialize: bytes.deserialize,
  responseSerialize: bytes.serialize,
  responseDeserialize: bytes.deserialize,
});
const ECHO: ServiceDefinition = {
  Say: method('Say', false, false),
  Fail: method('Fail', false, false),
  Hang: method('Hang', false, false),
  Sleep: method('Sleep', false, false),
  Count: method('Count', false, true),
  Collect: method('Collect', true, false),
  Chat: method('Chat', true, true),
};

interface EchoClient extends Client {
  Say(req: string, cb: (err: ServiceError | null, res?: string) => void): ClientUnaryCall;
  Fail(req: string, cb: (err: ServiceError | null) => void): ClientUnaryCall;
  Hang(req: string, cb: (err: ServiceError | null) => void): ClientUnaryCall;
  Sleep(req: string, md: Metadata, opts: { deadline: number }, cb: (err: ServiceError | null) => void): ClientUnaryCall;
  Count(req: string): ClientReadableStream<string>;
  Collect(cb: (err: ServiceError | null, res?: string) => void): ClientWritableStream<string>;
  Chat(): ClientDuplexStream<string, string>;
}

const impl = {
  Say: (call: ServerUnaryCall<string, string>, cb: sendUnaryData<string>) => cb(null, `hello ${call.request}`),
  Fail: (call: ServerUnaryCall<string, string>, cb: sendUnaryData<string>) =>
    cb({ code: status.NOT_FOUND, details: `project ${call.request} not found` }),
  Hang: () => undefined,
  Sleep: () => undefined,
  Count: (call: ServerWritableStream<string, string>) => {
    for (let i = 1; i <= 3; i++) call.write(String(i));
    call.end();
  },
  Collect: (call: ServerReadableStream<string, string>, cb: sendUnaryData<string>) => {
    const got: string[] = [];
    call.on('data', (m: string) => got.push(m));
    call.on('end', () => cb(null, got.join(',')));
  },
  Chat: (call: ServerDuplexStream<string, string>) => {
    call.on('data', (m: string) => call.write(m.toUpperCase()));
    call.on('end', () => call.end());
  },
};

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parse(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v;
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one sample of that name whose labels include the given ones (0 if none). */
function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

/** Server calls of a method counted as handled, whatever their codes. */
function handledCalls(samples: Sample[], grpcMethod: string): number {
  return samples.filter((x) => x.name === 'grpc_server_handled_total' && x.labels.grpc_method === grpcMethod).reduce((n, x) => n + x.value, 0);
}

async function scrape(port: number): Promise<{ status: number; type: string | null; samples: Sample[]; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), samples: parse(text), text };
}

const unary = <T>(fn: (cb: (err: ServiceError | null, res?: T) => void) => unknown) =>
  new Promise<{ err: ServiceError | null; res?: T }>((resolve) => {
    fn((err, res) => resolve({ err, res }));
  });

/**
 * A unary call over plain HTTP/2 with a grpc-timeout and no client-side timer, so it is the
 * server's own deadline that ends it; resolves with the grpc-status the server sent.
 */
function callWithServerDeadline(port: number, path: string, message: string, timeout: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://127.0.0.1:${port}`);
    session.on('error', reject);
    const body = Buffer.from(message);
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    const req = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': timeout });
    let code: string | undefined;
    req.on('response', (headers) => (code = headers['grpc-status'] as string | undefined));
    req.on('trailers', (trailers) => (code = trailers['grpc-status'] as string | undefined));
    req.on('error', reject);
    req.on('close', () => {
      session.close();
      resolve(code);
    });
    req.resume();
    req.end(frame);
  });
}

const streamEnd = (call: ClientReadableStream<string> | ClientDuplexStream<string, string>) =>
  new Promise<string[]>((resolve, reject) => {
    const got: string[] = [];
    call.on('data', (m: string) => got.push(m));
    call.on('end', () => resolve(got));
    call.on('error', reject);
  });

describe('gRPC Prometheus metrics', () => {
  let metrics: GrpcMetrics;
  let server: Server;
  let client: EchoClient;
  let http: MetricsServer;
  let port: number;

  beforeAll(async () => {
    metrics = new GrpcMetrics({ defaultMetrics: true });
    server = new Server({ interceptors: [metricsServerInterceptor(metrics)] });
    server.addService(ECHO, impl);
    port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const Echo = makeGenericClientConstructor(ECHO, 'EchoService');
    client = new Echo(`127.0.0.1:${port}`, credentials.createInsecure(), {
      interceptors: [metricsClientInterceptor(metrics)],
    }) as unknown as EchoClient;
    http = await startMetricsServer({ port: 0, host: '127.0.0.1', registry: metrics.registry });

    expect((await unary<string>((cb) => client.Say('a', cb))).res).toBe('hello a');
    expect((await unary<string>((cb) => client.Say('b', cb))).res).toBe('hello b');
    expect((await unary((cb) => client.Fail('p-1', cb))).err?.code).toBe(status.NOT_FOUND);
    expect(await streamEnd(client.Count('go'))).toEqual(['1', '2', '3']);
    const collected = unary<string>((cb) => {
      const call = client.Collect(cb);
      ['x', 'y'].forEach((m) => call.write(m));
      call.end();
    });
    expect((await collected).res).toBe('x,y');
    const chat = client.Chat();
    const chatted = streamEnd(chat);
    ['p', 'q'].forEach((m) => chat.write(m));
    chat.end();
    expect(await chatted).toEqual(['P', 'Q']);
    // A deadline the server enforces itself: it ends the call with DEADLINE_EXCEEDED.
    expect(await callWithServerDeadline(port, '/test.v1.EchoService/Hang', 'slow', '100m')).toBe(String(status.DEADLINE_EXCEEDED));
    // A deadline grpc-js enforces on the client: the client sees DEADLINE_EXCEEDED and resets the
    // stream, and the server may hear of that reset before its own, later-started deadline passes.
    const late = await unary((cb) => client.Sleep('slow', new Metadata(), { deadline: Date.now() + 100 }, cb));
    expect(late.err?.code).toBe(status.DEADLINE_EXCEEDED);
    const cancelled = unary((cb) => {
      const call = client.Hang('then cancel', cb);
      setTimeout(() => call.cancel(), 50);
    });
    expect((await cancelled).err?.code).toBe(status.CANCELLED);
    // The server learns of a cancel a moment after the client does (longer on a busy machine):
    // wait until it has counted the Hang and Sleep calls as handled, whatever their codes.
    for (let waited = 0; waited < 5000; waited += 20) {
      const { samples } = await scrape(http.port);
      if (handledCalls(samples, 'Hang') >= 2 && handledCalls(samples, 'Sleep') >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  afterAll(async () => {
    client?.close();
    await http?.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  const echo = (grpc_method: string, grpc_type = 'unary') => ({ grpc_service: 'test.v1.EchoService', grpc_method, grpc_type });

  it('serves the Prometheus text format on GET /metrics, and 404 elsewhere', async () => {
    const res = await scrape(http.port);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toContain('# TYPE grpc_server_handled_total counter');
    expect(res.text).toContain('# TYPE grpc_server_handling_seconds histogram');
    expect((await fetch(`http://127.0.0.1:${http.port}/`)).status).toBe(404);
  });

  it('counts started and handled server calls by type, service, method and code', async () => {
    const { samples } = await scrape(http.port);
    expect(value(samples, 'grpc_server_started_total', echo('Say'))).toBe(2);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Say'), grpc_code: 'OK' })).toBe(2);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Fail'), grpc_code: 'NotFound' })).toBe(1);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Fail'), grpc_code: 'OK' })).toBe(0);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Count', 'server_stream'), grpc_code: 'OK' })).toBe(1);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Collect', 'client_stream'), grpc_code: 'OK' })).toBe(1);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Chat', 'bidi_stream'), grpc_code: 'OK' })).toBe(1);
    expect(value(samples, 'grpc_server_started_total', echo('Hang'))).toBe(2);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Hang'), grpc_code: 'DeadlineExceeded' })).toBe(1);
    expect(value(samples, 'grpc_server_handled_total', { ...echo('Hang'), grpc_code: 'Canceled' })).toBe(1);
    expect(value(samples, 'grpc_server_started_total', echo('Sleep'))).toBe(1);
    expect(handledCalls(samples, 'Sleep')).toBe(1);
    const sleepCodes = samples.filter((x) => x.name === 'grpc_server_handled_total' && x.labels.grpc_method === 'Sleep' && x.value > 0);
    expect(['DeadlineExceeded', 'Canceled']).toContain(sleepCodes[0]?.labels.grpc_code);
  });

  it('counts stream messages and times each call', async () => {
    const { samples } = await scrape(http.port);
    expect(value(samples, 'grpc_server_msg_sent_total', echo('Count', 'server_stream'))).toBe(3);
    expect(value(samples, 'grpc_server_msg_received_total', echo('Collect', 'client_stream'))).toBe(2);
    expect(value(samples, 'grpc_server_msg_received_total', echo('Chat', 'bidi_stream'))).toBe(2);
    expect(value(samples, 'grpc_server_msg_sent_total', echo('Chat', 'bidi_stream'))).toBe(2);
    expect(value(samples, 'grpc_server_handling_seconds_count', echo('Say'))).toBe(2);
    expect(value(samples, 'grpc_server_handling_seconds_bucket', { ...echo('Say'), le: '+Inf' })).toBe(2);
    expect(value(samples, 'grpc_server_handling_seconds_bucket', { ...echo('Hang'), le: '0.025' })).toBe(0);
    expect(value(samples, 'grpc_server_handling_seconds_count', echo('Hang'))).toBe(2);
  });

  it('records the client side of the same calls with the codes the client saw', async () => {
    const { samples } = await scrape(http.port);
    expect(value(samples, 'grpc_client_started_total', echo('Say'))).toBe(2);
    expect(value(samples, 'grpc_client_handled_total', { ...echo('Say'), grpc_code: 'OK' })).toBe(2);
    expect(value(samples, 'grpc_client_handled_total', { ...echo('Fail'), grpc_code: 'NotFound' })).toBe(1);
    expect(value(samples, 'grpc_client_handled_total', { ...echo('Sleep'), grpc_code: 'DeadlineExceeded' })).toBe(1);
    expect(value(samples, 'grpc_client_handled_total', { ...echo('Hang'), grpc_code: 'Canceled' })).toBe(1);
    expect(value(samples, 'grpc_client_started_total', echo('Hang'))).toBe(1);
    expect(value(samples, 'grpc_client_msg_received_total', echo('Count', 'server_stream'))).toBe(3);
    expect(value(samples, 'grpc_client_msg_sent_total', echo('Chat', 'bidi_stream'))).toBe(2);
    expect(value(samples, 'grpc_client_handling_seconds_count', echo('Fail'))).toBe(1);
  });

  it('includes Node process metrics when asked', async () => {
    const { samples } = await scrape(http.port);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('keeps each instance in a registry of its own', async () => {
    const other = new GrpcMetrics();
    expect(other.registry).not.toBe(metrics.registry);
    const text = await other.registry.metrics();
    expect(text).toContain('# TYPE grpc_server_handled_total counter');
    expect(parse(text).filter((s) => s.name.startsWith('grpc_'))).toEqual([]);
    expect(text).not.toContain('process_cpu_user_seconds_total');
  });
});
