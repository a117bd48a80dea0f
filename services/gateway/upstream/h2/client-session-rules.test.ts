import type { Socket } from 'node:net';
import { ClientSession } from './client-session';
import { answerOf, closeAll, collect, fields, onRequest, opened, rawServer, responseBlock, until, type RawFrame } from './client-session.test-support';
import { ErrorCode, Flag, FrameType, frameOf, goAwayFrame, rstStreamFrame, Setting, settingsFrame, windowUpdateFrame } from './frames';
import { seededRandom } from '../../../../test/support/seeded-random';
import { HpackEncoder, type HeaderField } from './hpack-encoder';

afterEach(closeAll);

function session(port: number, o: { maxResponseBytes?: number } = {}): ClientSession {
  const s = new ClientSession({ host: '127.0.0.1', port, maxResponseBytes: o.maxResponseBytes ?? 1 << 20 });
  opened.sessions.push(s);
  return s;
}

const headersFrame = (id: number, block: Buffer, end = false) => frameOf(FrameType.Headers, Flag.EndHeaders | (end ? Flag.EndStream : 0), id, block);
const trailersFrame = (id: number, extra: HeaderField[] = []) => headersFrame(id, new HpackEncoder().encode([['grpc-status', '0'], ...extra]), true);
/** A whole answer: headers, one DATA frame, trailers. */
const answerFrames = (id: number, body: Buffer) => Buffer.concat([headersFrame(id, responseBlock()), frameOf(FrameType.Data, 0, id, body), trailersFrame(id)]);

describe('ClientSession against a server that breaks the connection rules', () => {
  const cases: { name: string; code: ErrorCode; script: (sock: Socket, id: number) => void; opening?: (sock: Socket) => void }[] = [
    { name: 'DATA on a stream never opened', code: ErrorCode.ProtocolError, script: (sock, id) => sock.write(frameOf(FrameType.Data, 0, id + 2, Buffer.from('x'))) },
    { name: 'a frame larger than SETTINGS_MAX_FRAME_SIZE', code: ErrorCode.FrameSizeError, script: (sock, id) => sock.write(frameOf(FrameType.Data, 0, id, Buffer.alloc(16_385))) },
    { name: 'a header block HPACK cannot decode', code: ErrorCode.CompressionError, script: (sock, id) => sock.write(headersFrame(id, Buffer.from([0x80]))) },
    { name: 'a PUSH_PROMISE, with push disabled', code: ErrorCode.ProtocolError, script: (sock, id) => sock.write(frameOf(FrameType.PushPromise, Flag.EndHeaders, id, Buffer.from([0, 0, 0, 2, 0x88]))) },
    { name: 'DATA padding longer than the frame', code: ErrorCode.ProtocolError, script: (sock, id) => sock.write(Buffer.concat([headersFrame(id, responseBlock()), frameOf(FrameType.Data, Flag.Padded, id, Buffer.from([5, 1, 2]))])) },
    { name: 'a connection window pushed above 2^31-1', code: ErrorCode.FlowControlError, script: (sock) => sock.write(windowUpdateFrame(0, 2 ** 31 - 1)) },
    { name: 'a header block interrupted by another frame', code: ErrorCode.ProtocolError, script: (sock, id) => sock.write(Buffer.concat([frameOf(FrameType.Headers, 0, id, responseBlock()), frameOf(FrameType.Ping, 0, 0, Buffer.alloc(8))])) },
    {
      name: 'a header block in a flood of empty CONTINUATION frames',
      code: ErrorCode.EnhanceYourCalm,
      script: (sock, id) => sock.write(Buffer.concat([frameOf(FrameType.Headers, 0, id, responseBlock()), ...Array.from({ length: 10_000 }, () => frameOf(FrameType.Continuation, 0, id))])),
    },
    { name: 'a SETTINGS frame of a wrong size', code: ErrorCode.FrameSizeError, script: (sock) => sock.write(frameOf(FrameType.Settings, 0, 0, Buffer.alloc(5))) },
    { name: 'SETTINGS_ENABLE_PUSH from a server', code: ErrorCode.ProtocolError, script: (sock) => sock.write(settingsFrame([[Setting.EnablePush, 1]])) },
    { name: 'SETTINGS_MAX_FRAME_SIZE below the minimum', code: ErrorCode.ProtocolError, script: (sock) => sock.write(settingsFrame([[Setting.MaxFrameSize, 100]])) },
    { name: 'a first frame that is not SETTINGS', code: ErrorCode.ProtocolError, script: () => undefined, opening: (sock) => sock.write(frameOf(FrameType.Ping, 0, 0, Buffer.alloc(8))) },
  ];
  it.each(cases)('$name: the connection ends with GOAWAY($code) and the request fails', async ({ script, code, opening }) => {
    const server = await rawServer(onRequest(script), opening);
    const s = session(server.port);
    const a = await answerOf(s, '/x');
    expect(a.failure?.kind).toBe('connection');
    expect(a.code).toBe(code);
    expect(s.available).toBe(false);
    await until(() => server.goAway.length > 0);
    expect(server.goAway).toEqual([code]);
  });

  it('ends the connection (ENHANCE_YOUR_CALM) when the server floods PINGs while reading nothing', async () => {
    const server = await rawServer(
      () => undefined,
      (sock) => {
        sock.pause();
        sock.write(settingsFrame([]));
        // About 20 MB of acknowledgements to owe: far past what the sockets' buffers hold.
        const ping = frameOf(FrameType.Ping, 0, 0, Buffer.alloc(8));
        const burst = Buffer.concat(Array.from({ length: 10_000 }, () => ping));
        let sent = 0;
        const more = () => {
          while (sent < 120 && !sock.destroyed && sock.write(burst)) sent++;
          if (sent < 120 && !sock.destroyed) sock.once('drain', more);
        };
        more();
      },
    );
    const a = await answerOf(session(server.port), '/x');
    expect(a.failure?.kind).toBe('connection');
    expect(a.code).toBe(ErrorCode.EnhanceYourCalm);
  });
});

describe('ClientSession against a server that breaks the stream rules', () => {
  const malformed: { name: string; frames: (id: number) => Buffer }[] = [
    { name: 'DATA before the response headers', frames: (id) => frameOf(FrameType.Data, 0, id, Buffer.from('early')) },
    { name: 'trailers without END_STREAM', frames: (id) => Buffer.concat([headersFrame(id, responseBlock()), headersFrame(id, new HpackEncoder().encode([['grpc-status', '0']]))]) },
    { name: 'response headers without :status', frames: (id) => headersFrame(id, new HpackEncoder().encode([['content-type', 'application/grpc']])) },
    { name: 'a 101 status', frames: (id) => headersFrame(id, new HpackEncoder().encode([[':status', '101']])) },
    { name: 'a pseudo-header in the trailers', frames: (id) => Buffer.concat([headersFrame(id, responseBlock()), trailersFrame(id, [[':path', '/x']])]) },
    { name: 'a request pseudo-header in a response', frames: (id) => headersFrame(id, responseBlock([[':path', '/x']])) },
    { name: 'an uppercase field name', frames: (id) => Buffer.concat([headersFrame(id, responseBlock()), trailersFrame(id, [['X-Upper', 'v']])]) },
    { name: 'a CR LF in a value', frames: (id) => Buffer.concat([headersFrame(id, responseBlock()), trailersFrame(id, [['x-split', 'a\r\nset-cookie: b']])]) },
    { name: 'a connection-specific field', frames: (id) => headersFrame(id, responseBlock([['connection', 'close']])) },
  ];
  it.each(malformed)('$name: that stream is reset (PROTOCOL_ERROR) as malformed, the connection goes on', async ({ frames }) => {
    const server = await rawServer(onRequest((sock, id) => sock.write(id === 1 ? frames(id) : answerFrames(id, Buffer.from('fine')))));
    const s = session(server.port);
    const a = await answerOf(s, '/bad');
    expect(a.failure?.kind).toBe('malformed');
    expect(a.code).toBe(ErrorCode.ProtocolError);
    expect(a.trailers).toBeUndefined();
    await until(() => server.frames.some((f) => f.type === FrameType.RstStream && f.id === 1));
    const b = await answerOf(s, '/fine');
    expect(b.code).toBe(0);
    expect(b.body.toString()).toBe('fine');
    expect(b.trailers?.['grpc-status']).toBe('0');
  });

  it('skips an informational (1xx) answer, and reads padded and prioritised HEADERS and padded DATA', async () => {
    const server = await rawServer(
      onRequest((sock, id) => {
        const padded = (block: Buffer, pad: number) => Buffer.concat([Buffer.from([pad]), Buffer.from([0, 0, 0, 0, 16]), block, Buffer.alloc(pad)]);
        sock.write(
          Buffer.concat([
            headersFrame(id, new HpackEncoder().encode([[':status', '103'], ['link', '</x>']])),
            frameOf(FrameType.Headers, Flag.EndHeaders | Flag.Padded | Flag.Priority, id, padded(responseBlock([['x-kind', 'padded']]), 7)),
            frameOf(FrameType.Data, Flag.Padded, id, Buffer.concat([Buffer.from([3]), Buffer.from('body'), Buffer.alloc(3)])),
            trailersFrame(id),
          ]),
        );
      }),
    );
    const a = await answerOf(session(server.port), '/x');
    expect(a.code).toBe(0);
    expect(a.headers?.[':status']).toBe('200');
    expect(a.headers?.['x-kind']).toBe('padded');
    expect(a.body.toString()).toBe('body');
    expect(a.trailers?.['grpc-status']).toBe('0');
  });

  it('reads frames however the bytes are split across reads', async () => {
    const server = await rawServer(
      onRequest((sock, id) => {
        const bytes = Buffer.concat([answerFrames(id, Buffer.from('split body')), frameOf(FrameType.Ping, 0, 0, Buffer.from('pingpong'))]);
        let at = 0;
        const next = () => {
          if (at >= bytes.length || sock.destroyed) return;
          sock.write(bytes.subarray(at, at + 1 + (at % 3)));
          at += 1 + (at % 3);
          setTimeout(next, 1);
        };
        next();
      }),
    );
    const s = session(server.port);
    const a = await answerOf(s, '/x');
    expect(a.code).toBe(0);
    expect(a.body.toString()).toBe('split body');
    expect(a.trailers?.['grpc-status']).toBe('0');
    await until(() => server.frames.some((f) => f.type === FrameType.Ping && f.flags & Flag.Ack));
  });

  it('after cancel() the receiver hears nothing, even of frames already on their way', async () => {
    const server = await rawServer(onRequest((sock, id) => sock.write(answerFrames(id, Buffer.from('first')))));
    const s = session(server.port);
    const events: string[] = [];
    const handle = s.request(fields('/x'), Buffer.from('x'), {
      onHeaders: () => events.push('headers'),
      onData: () => {
        events.push('data');
        handle.cancel();
      },
      onTrailers: () => events.push('trailers'),
      onClose: () => events.push('close'),
    });
    // The trailers came in the same read as the DATA: the session must drop them.
    await until(() => server.frames.some((f) => f.type === FrameType.RstStream));
    expect(server.frames.find((f) => f.type === FrameType.RstStream)?.payload.readUInt32BE(0)).toBe(ErrorCode.Cancel);
    expect((await answerOf(s, '/next')).code).toBe(0);
    expect(events).toEqual(['headers', 'data']);
  });

  it('fails a stream the server resets as REFUSED_STREAM as refused, and one cut by GOAWAY with a lower last-stream id', async () => {
    const server = await rawServer(
      onRequest((sock, id) => {
        if (id === 1) sock.write(rstStreamFrame(id, ErrorCode.RefusedStream));
        if (id === 3) sock.write(goAwayFrame(1, ErrorCode.NoError));
      }),
    );
    const s = session(server.port);
    expect((await answerOf(s, '/a')).failure?.kind).toBe('refused');
    const b = await answerOf(s, '/b');
    expect(b.failure?.kind).toBe('refused');
    expect(s.available).toBe(false);
  });
});

describe('ClientSession on random well-formed answers', () => {
  /**
   * Many requests answered at once, the frames of their answers interleaved at random (a header
   * block is never split by another frame, as the protocol requires), with padding, priority,
   * CONTINUATION, empty DATA, informational answers, PINGs, WINDOW_UPDATEs and frames of unknown
   * types among them, and the bytes cut into random pieces: every request must get exactly its
   * own answer.
   */
  it.each([1, 2, 3, 4, 5])('seed %i: every request gets exactly its own answer', async (seed) => {
    const random = seededRandom(seed);
    const int = (n: number) => Math.floor(random() * n);
    const N = 40;
    const encoder = new HpackEncoder();
    const expected = new Map<number, { body: Buffer; tag: string }>();
    /** Frames that must go out together (a header block), made when they are written: HPACK state follows wire order. */
    type Unit = () => Buffer;
    const blockUnit = (id: number, fieldsOf: () => HeaderField[], end: boolean): Unit => () => {
      const block = encoder.encode(fieldsOf());
      const parts: Buffer[] = [];
      const cuts = random() < 0.3 ? [Math.floor(block.length / 3), Math.floor((2 * block.length) / 3)] : [];
      let at = 0;
      for (const [i, cut] of [...cuts, block.length].entries()) {
        const piece = block.subarray(at, cut);
        const last = i === cuts.length ? Flag.EndHeaders : 0;
        if (i === 0) {
          const padded = random() < 0.3;
          const pad = padded ? int(20) : 0;
          const payload = padded ? Buffer.concat([Buffer.from([pad]), piece, Buffer.alloc(pad)]) : piece;
          parts.push(frameOf(FrameType.Headers, last | (end ? Flag.EndStream : 0) | (padded ? Flag.Padded : 0), id, payload));
        } else parts.push(frameOf(FrameType.Continuation, last, id, piece));
        at = cut;
      }
      return Buffer.concat(parts);
    };
    const noise = (): Buffer => {
      switch (int(3)) {
        case 0:
          return frameOf(FrameType.Ping, 0, 0, Buffer.alloc(8, int(256)));
        case 1:
          return windowUpdateFrame(0, 1 + int(1000));
        default:
          return frameOf(0x20 + int(10), int(256), int(10), Buffer.alloc(int(30)));
      }
    };
    const server = await rawServer(
      onRequest((sock, id) => {
        const tag = `t${id}`;
        const body = Buffer.alloc(int(5000), id & 0xff);
        expected.set(id, { body, tag });
        if (expected.size < N) return;
        // All N requests are in: answer them all, interleaved.
        const queues = [...expected.entries()].map(([sid, e]) => {
          const units: Unit[] = [];
          if (random() < 0.2) units.push(blockUnit(sid, () => [[':status', '100']], false));
          units.push(blockUnit(sid, () => [[':status', '200'], ['content-type', 'application/grpc'], ['x-tag', e.tag]], false));
          for (let at = 0; at < e.body.length || (at === 0 && random() < 0.5); ) {
            const n = Math.min(e.body.length - at, int(3000));
            const piece = e.body.subarray(at, at + n);
            const pad = random() < 0.3 ? int(10) : -1;
            units.push(() => frameOf(FrameType.Data, pad >= 0 ? Flag.Padded : 0, sid, pad >= 0 ? Buffer.concat([Buffer.from([pad]), piece, Buffer.alloc(pad)]) : piece));
            at += n;
            if (n === 0) break;
          }
          units.push(blockUnit(sid, () => [['grpc-status', '0'], ['x-tag', e.tag], ['x-request-id', `${sid}-${int(1e9)}`]], true));
          return units;
        });
        const out: Buffer[] = [];
        while (queues.some((q) => q.length > 0)) {
          if (random() < 0.1) out.push(noise());
          const open = queues.filter((q) => q.length > 0);
          out.push(open[int(open.length)].shift()!());
        }
        const bytes = Buffer.concat(out);
        for (let at = 0; at < bytes.length; ) {
          const n = 1 + int(random() < 0.5 ? 40 : 4000);
          sock.write(bytes.subarray(at, at + n));
          at += n;
        }
      }),
    );
    const s = session(server.port, { maxResponseBytes: 1 << 20 });
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => answerOf(s, `/r${i}`)));
    answers.forEach((a, i) => {
      const id = 2 * i + 1;
      expect(a.failure).toBeUndefined();
      expect(a.code).toBe(0);
      expect(a.headers?.['x-tag']).toBe(`t${id}`);
      expect(a.body.equals(expected.get(id)!.body)).toBe(true);
      expect(a.trailers?.['x-tag']).toBe(`t${id}`);
    });
    expect(s.available).toBe(true);
  });
});

describe('ClientSession flow control and queues, against a raw server', () => {
  /** Waits until the session acknowledged the server's SETTINGS (so they apply to the next request). */
  const settled = (server: { frames: RawFrame[] }) => until(() => server.frames.some((f) => f.type === FrameType.Settings && (f.flags & Flag.Ack) !== 0));

  /** The request bodies a raw server received, per stream, and whether each ended (END_STREAM). */
  function bodies(frames: RawFrame[]): Map<number, { bytes: number; ended: boolean }> {
    const out = new Map<number, { bytes: number; ended: boolean }>();
    for (const f of frames) {
      if (f.type !== FrameType.Data) continue;
      const b = out.get(f.id) ?? { bytes: 0, ended: false };
      b.bytes += f.payload.length;
      b.ended ||= (f.flags & Flag.EndStream) !== 0;
      out.set(f.id, b);
    }
    return out;
  }

  it('sends a body only as fast as the stream and connection windows allow, and goes on at WINDOW_UPDATE and at a larger SETTINGS_INITIAL_WINDOW_SIZE', async () => {
    let sock!: Socket;
    const server = await rawServer(
      (s, f) => {
        sock = s;
        if (f.type === FrameType.Data && f.flags & Flag.EndStream) s.write(answerFrames(f.id, Buffer.from('done')));
      },
      (s) => s.write(settingsFrame([[Setting.InitialWindowSize, 10]])),
    );
    const s = session(server.port);
    await settled(server);
    const c = collect();
    s.request(fields('/upload'), Buffer.alloc(100, 7), c.receiver);
    await until(() => (bodies(server.frames).get(1)?.bytes ?? 0) === 10);
    sock.write(windowUpdateFrame(1, 15));
    await until(() => bodies(server.frames).get(1)?.bytes === 25);
    // A larger initial window applies to open streams too: 25 sent, window now 1000 - 25.
    sock.write(settingsFrame([[Setting.InitialWindowSize, 1000]]));
    const a = await c.answer;
    expect(a.code).toBe(0);
    expect(bodies(server.frames).get(1)).toEqual({ bytes: 100, ended: true });
  });

  it('resets its half of a stream the server answered before the whole body was sent, and sends no more of it', async () => {
    let sock!: Socket;
    const server = await rawServer(
      (s, f) => {
        sock = s;
        if (f.type === FrameType.Headers) s.write(answerFrames(f.id, Buffer.from('early answer')));
      },
      (s) => s.write(settingsFrame([[Setting.InitialWindowSize, 10]])),
    );
    const s = session(server.port);
    await settled(server);
    const a = await answerOf(s, '/x', Buffer.alloc(100));
    expect(a.code).toBe(0);
    expect(a.body.toString()).toBe('early answer');
    await until(() => server.frames.some((f) => f.type === FrameType.RstStream));
    expect(server.frames.find((f) => f.type === FrameType.RstStream)?.payload.readUInt32BE(0)).toBe(ErrorCode.Cancel);
    sock.write(windowUpdateFrame(1, 1000));
    sock.write(windowUpdateFrame(0, 1000));
    expect((await answerOf(s, '/y')).code).toBe(0);
    expect(bodies(server.frames).get(1)).toEqual({ bytes: 10, ended: false });
  });

  /** A raw server allowing one stream at a time, answering each request when told to. */
  async function oneAtATime() {
    const held: { sock: Socket; id: number }[] = [];
    const server = await rawServer(
      onRequest((sock, id) => held.push({ sock, id })),
      (sock) => sock.write(settingsFrame([[Setting.MaxConcurrentStreams, 1]])),
    );
    const answerNext = () => {
      const h = held.shift()!;
      h.sock.write(answerFrames(h.id, Buffer.from(`answer ${h.id}`)));
    };
    return { server, held, answerNext };
  }

  it('queues requests beyond MAX_CONCURRENT_STREAMS; a queued one can be cancelled and is never sent', async () => {
    const { server, held, answerNext } = await oneAtATime();
    const s = session(server.port);
    await settled(server);
    const first = collect();
    const second = collect();
    const third = collect();
    s.request(fields('/1'), Buffer.from('x'), first.receiver);
    const h2 = s.request(fields('/2'), Buffer.from('x'), second.receiver);
    s.request(fields('/3'), Buffer.from('x'), third.receiver);
    await until(() => held.length === 1);
    h2.cancel();
    answerNext();
    expect((await first.answer).body.toString()).toBe('answer 1');
    await until(() => held.length === 1);
    answerNext();
    expect((await third.answer).body.toString()).toBe('answer 3');
    expect(second.events).toEqual([]);
    expect(server.frames.filter((f) => f.type === FrameType.Headers).map((f) => f.id)).toEqual([1, 3]);
  });

  it('close() is graceful: queued requests are still sent and answered, then the connection closes', async () => {
    const { server, held, answerNext } = await oneAtATime();
    const s = session(server.port);
    await settled(server);
    const answers = [answerOf(s, '/1'), answerOf(s, '/2')];
    await until(() => held.length === 1);
    s.close();
    expect(s.available).toBe(false);
    expect(() => s.request(fields('/3'), Buffer.from('x'), collect().receiver)).toThrow(/no new requests/);
    answerNext();
    await until(() => held.length === 1);
    answerNext();
    expect((await Promise.all(answers)).map((a) => a.body.toString())).toEqual(['answer 1', 'answer 3']);
    await until(() => server.goAway.length === 1);
    expect(server.goAway).toEqual([ErrorCode.NoError]);
  });

  it('GOAWAY fails the queued requests as refused (never sent) and lets the taken one finish', async () => {
    const { server, held, answerNext } = await oneAtATime();
    const s = session(server.port);
    await settled(server);
    const taken = answerOf(s, '/1');
    const queued = answerOf(s, '/2');
    await until(() => held.length === 1);
    held[0].sock.write(goAwayFrame(1, ErrorCode.NoError));
    const q = await queued;
    expect(q.failure?.kind).toBe('refused');
    answerNext();
    expect((await taken).code).toBe(0);
    expect(server.frames.filter((f) => f.type === FrameType.Headers).map((f) => f.id)).toEqual([1]);
  });

  it('answers PING with an ACK carrying the same bytes', async () => {
    const server = await rawServer(
      () => undefined,
      (sock) => sock.write(Buffer.concat([settingsFrame([]), frameOf(FrameType.Ping, 0, 0, Buffer.from('12345678'))])),
    );
    const s = session(server.port);
    s.request(fields('/p'), Buffer.from('x'), collect().receiver);
    await until(() => server.frames.some((f) => f.type === FrameType.Ping));
    const ack = server.frames.find((f) => f.type === FrameType.Ping)!;
    expect(ack.flags & Flag.Ack).toBeTruthy();
    expect(ack.payload.toString()).toBe('12345678');
  });
});
