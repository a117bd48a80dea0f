import { constants, createServer, type Http2Server, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream, type Settings } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { H2Client } from './client';
import { ClientSession } from './client-session';
import { answerOf, closeAll, collect, fields, opened, until } from './client-session.test-support';
import type { StreamHandle } from './client-stream';
import { ErrorCode } from './frames';
import { Indexing } from './hpack-encoder';

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer) => void;

const clients: H2Client[] = [];
const serverSessions: ServerHttp2Session[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of serverSessions.splice(0)) s.destroy();
  await closeAll();
});

/** A node:http2 server (nghttp2) whose answer each test scripts. */
async function nodeServer(handle: Handler, settings: Settings = {}): Promise<{ port: number; server: Http2Server; closed: number[] }> {
  const closed: number[] = [];
  const server = createServer({ settings });
  // node's server keeps a session it sent GOAWAY on open after the client closed (it stops
  // reading, so it never sees the end): close() would wait for it forever.
  server.on('session', (session) => serverSessions.push(session));
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('error', () => undefined);
    stream.on('close', () => closed.push(stream.rstCode));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => handle(stream, headers, Buffer.concat(chunks)));
  });
  opened.servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server, closed };
}

const echo: Handler = (stream, headers, body) => {
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-path': headers[':path'] }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'x-length': String(body.length) }));
  stream.end(body);
};

function session(port: number, maxResponseBytes = 64 << 20): ClientSession {
  const s = new ClientSession({ host: '127.0.0.1', port, maxResponseBytes });
  opened.sessions.push(s);
  return s;
}

describe('ClientSession against node:http2 (nghttp2)', () => {
  it('answers many concurrent requests on one connection: headers, body and trailers of each, in order', async () => {
    const { port } = await nodeServer(echo);
    const s = session(port);
    const calls = Array.from({ length: 300 }, (_, i) => {
      const c = collect();
      s.request(fields(`/svc/M${i % 7}`, [['x-call', String(i)]]), Buffer.from(`body ${i}`), c.receiver);
      return { i, ...c };
    });
    for (const { i, answer, events } of calls) {
      const a = await answer;
      expect(a.code).toBe(0);
      expect(a.failure).toBeUndefined();
      expect(a.headers?.[':status']).toBe('200');
      expect(a.headers?.['x-path']).toBe(`/svc/M${i % 7}`);
      expect(a.body.toString()).toBe(`body ${i}`);
      expect(a.trailers).toEqual(expect.objectContaining({ 'grpc-status': '0', 'x-length': String(`body ${i}`.length) }));
      expect(events[0]).toBe('headers');
      expect(events.slice(-2)).toEqual(['trailers', 'close']);
    }
  });

  it('sends a body larger than the server windows (flow control) and receives answers past its own connection window', async () => {
    // nghttp2's default windows are 64 KiB: a 1 MiB request waits for WINDOW_UPDATEs.
    const { port } = await nodeServer(echo);
    const s = new ClientSession({ host: '127.0.0.1', port, maxResponseBytes: 2 << 20, windowBytes: 256 * 1024 });
    opened.sessions.push(s);
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    // 24 MiB back in all, through a 256 KiB connection window: the client must keep reopening it.
    const answers = await Promise.all(
      Array.from({ length: 24 }, () => {
        const c = collect();
        s.request(fields('/big'), big, c.receiver);
        return c.answer;
      }),
    );
    for (const a of answers) {
      expect(a.code).toBe(0);
      expect(a.body.equals(big)).toBe(true);
    }
  });

  it('sends and receives header blocks larger than a frame (HEADERS + CONTINUATION); a header list over the limit fails as too-large', async () => {
    const { port } = await nodeServer((stream, headers) => {
      const big = String(headers['x-big']);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-back': big.split('').reverse().join('') }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from('ok'));
    });
    const s = new ClientSession({ host: '127.0.0.1', port, maxResponseBytes: 1 << 20, maxHeaderListBytes: 50_000 });
    opened.sessions.push(s);
    const value = Array.from({ length: 40_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const c = collect();
    s.request(fields('/big', [['x-big', value, Indexing.Without]]), Buffer.from('x'), c.receiver);
    const a = await c.answer;
    expect(a.code).toBe(0);
    expect(a.headers?.['x-back']).toBe(value.split('').reverse().join(''));
    const over = collect();
    s.request(fields('/big', [['x-big', value + value.slice(0, 15_000), Indexing.Without]]), Buffer.from('x'), over.receiver);
    const o = await over.answer;
    expect(o.failure?.kind).toBe('too-large');
    // The connection is still in step (HPACK) and usable.
    const again = collect();
    s.request(fields('/big', [['x-big', 'small']]), Buffer.from('x'), again.receiver);
    expect((await again.answer).headers?.['x-back']).toBe('llams');
  });

  it('takes a trailers-only answer, and a reset with its code', async () => {
    const { port } = await nodeServer((stream, headers) => {
      if (headers[':path'] === '/only') stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'nope' }, { endStream: true });
      else stream.close(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    });
    const s = session(port);
    const only = collect();
    const reset = collect();
    s.request(fields('/only'), Buffer.from('x'), only.receiver);
    s.request(fields('/reset'), Buffer.from('x'), reset.receiver);
    const a = await only.answer;
    expect(a.trailersOnly).toBe(true);
    expect(a.headers?.['grpc-status']).toBe('5');
    expect(a.headers?.['grpc-message']).toBe('nope');
    expect(a.code).toBe(0);
    expect(only.events).toEqual(['headers', 'close']);
    const r = await reset.answer;
    expect(r.code).toBe(ErrorCode.EnhanceYourCalm);
    expect(r.failure).toBeUndefined();
    expect(r.headers).toBeUndefined();
  });

  it('cancels a request: the server sees the stream reset (CANCEL), the receiver hears nothing more, the connection goes on', async () => {
    let arrived!: () => void;
    const seen = new Promise<void>((r) => (arrived = r));
    const { port, closed } = await nodeServer((stream, headers, body) => (headers[':path'] === '/slow' ? arrived() : echo(stream, headers, body)));
    const s = session(port);
    const c = collect();
    const handle: StreamHandle = s.request(fields('/slow'), Buffer.from('x'), c.receiver);
    await seen;
    handle.cancel();
    await until(() => closed.length === 1);
    expect(closed).toEqual([constants.NGHTTP2_CANCEL]);
    expect(c.events).toEqual([]);
    expect((await answerOf(s, '/after')).code).toBe(0);
    expect(c.events).toEqual([]);
  });

  it('fails an answer larger than maxResponseBytes as too-large and resets its stream; others on the connection go on', async () => {
    const { port, closed } = await nodeServer((stream, headers) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      // The huge answer never ends on its own: only the client's reset closes it.
      if (headers[':path'] === '/huge') stream.write(Buffer.alloc(300_000));
      else stream.end(Buffer.alloc(10));
    });
    const s = session(port, 100_000);
    const huge = collect();
    const small = collect();
    s.request(fields('/huge'), Buffer.from('x'), huge.receiver);
    s.request(fields('/small'), Buffer.from('x'), small.receiver);
    const h = await huge.answer;
    expect(h.failure?.kind).toBe('too-large');
    expect(h.code).toBe(ErrorCode.Cancel);
    expect(h.body.length).toBeLessThanOrEqual(100_000);
    expect((await small.answer).code).toBe(0);
    await until(() => closed.length === 2);
    expect(closed.sort()).toEqual([0, constants.NGHTTP2_CANCEL]);
  });

  it("keeps to the server's MAX_CONCURRENT_STREAMS: the rest wait and all are answered", async () => {
    let inFlight = 0;
    let most = 0;
    const { port } = await nodeServer(
      (stream, headers, body) => {
        inFlight++;
        most = Math.max(most, inFlight);
        setTimeout(() => {
          inFlight--;
          echo(stream, headers, body);
        }, 5);
      },
      { maxConcurrentStreams: 3 },
    );
    const s = session(port);
    // Let the server's SETTINGS arrive first, as they would on a warm connection.
    await answerOf(s, '/warm');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => answerOf(s, `/q${i}`)));
    expect(answers.every((a) => a.code === 0)).toBe(true);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1);
  });

  it('fails every request with a connection failure when the connection is refused or drops', async () => {
    const refused = session(1);
    const a = await answerOf(refused, '/x');
    expect(a.failure?.kind).toBe('connection');
    expect(refused.available).toBe(false);

    const { port, server } = await nodeServer(() => {
      for (const s of sockets) s.destroy();
    });
    const sockets: Socket[] = [];
    server.on('connection', (sock: Socket) => sockets.push(sock));
    const b = await answerOf(session(port), '/drop');
    expect(b.failure?.kind).toBe('connection');
  });

  it('H2Client opens a new connection after one dropped (a backend restarted), without waiting', async () => {
    let connections = 0;
    const { port, server } = await nodeServer((stream, headers, body) => {
      if (headers[':path'] === '/crash') stream.session?.destroy();
      else echo(stream, headers, body);
    });
    server.on('session', () => connections++);
    const client = new H2Client(`127.0.0.1:${port}`, { maxResponseBytes: 1 << 20 });
    clients.push(client);
    expect((await answerOf(client, '/one')).code).toBe(0);
    expect((await answerOf(client, '/crash')).failure?.kind).toBe('connection');
    const after = await answerOf(client, '/two');
    expect(after.code).toBe(0);
    expect(after.headers?.['x-path']).toBe('/two');
    expect(connections).toBe(2);
  });

  it('on GOAWAY, retires: the streams the server took are still answered, and H2Client opens a new connection for the next request', async () => {
    let connections = 0;
    const { port, server } = await nodeServer((stream, headers, body) => {
      if (headers[':path'] === '/bye') stream.session?.goaway(constants.NGHTTP2_NO_ERROR);
      echo(stream, headers, body);
    });
    server.on('session', () => connections++);
    const client = new H2Client(`127.0.0.1:${port}`, { maxResponseBytes: 1 << 20 });
    clients.push(client);
    expect((await answerOf(client, '/one')).code).toBe(0);
    const bye = await answerOf(client, '/bye');
    expect(bye.code).toBe(0);
    expect(bye.headers?.['x-path']).toBe('/bye');
    expect((await answerOf(client, '/two')).code).toBe(0);
    expect(connections).toBe(2);
  });
});
