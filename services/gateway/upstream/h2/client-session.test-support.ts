import type { Http2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { H2Client } from './client';
import type { ClientSession } from './client-session';
import type { StreamFailure, StreamReceiver } from './client-stream';
import { FrameType, PREFACE, settingsFrame } from './frames';
import type { DecodedHeaders } from './hpack-decoder';
import { HpackEncoder, type HeaderField } from './hpack-encoder';

/** Helpers of the ClientSession tests: a receiver that collects an answer, and a server that speaks raw frames. */

/** What a request got, collected by a StreamReceiver. */
export interface Answer {
  headers?: DecodedHeaders;
  trailersOnly?: boolean;
  body: Buffer;
  trailers?: DecodedHeaders;
  code: number;
  failure?: StreamFailure;
}

export function collect(): { receiver: StreamReceiver; answer: Promise<Answer>; events: string[] } {
  const events: string[] = [];
  const chunks: Buffer[] = [];
  const got: Partial<Answer> = {};
  let resolve!: (a: Answer) => void;
  const answer = new Promise<Answer>((r) => (resolve = r));
  const receiver: StreamReceiver = {
    onHeaders(h, end) {
      events.push('headers');
      got.headers = h;
      got.trailersOnly = end;
    },
    onData(c) {
      events.push('data');
      chunks.push(Buffer.from(c));
    },
    onTrailers(t) {
      events.push('trailers');
      got.trailers = t;
    },
    onClose(code, failure) {
      events.push('close');
      resolve({ ...got, body: Buffer.concat(chunks), code, failure });
    },
  };
  return { receiver, answer, events };
}

/** A gRPC request's fields for `path`, then `extra`. */
export const fields = (path: string, extra: HeaderField[] = []): HeaderField[] => [
  [':method', 'POST'],
  [':scheme', 'http'],
  [':path', path],
  [':authority', 'backend'],
  ['content-type', 'application/grpc'],
  ['te', 'trailers'],
  ...extra,
];

export function answerOf(s: ClientSession | H2Client, path: string, body = Buffer.from('x')): Promise<Answer> {
  const c = collect();
  s.request(fields(path), body, c.receiver);
  return c.answer;
}

export async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Servers and sessions a test opened, closed after it (see closeAll). */
export const opened: { servers: (Http2Server | Server)[]; sessions: { destroy(): void }[] } = { servers: [], sessions: [] };

export async function closeAll(): Promise<void> {
  for (const s of opened.sessions.splice(0)) s.destroy();
  await Promise.all(opened.servers.splice(0).map((s) => new Promise((r) => s.close(r))));
}

export interface RawFrame {
  type: number;
  flags: number;
  id: number;
  payload: Buffer;
}

export interface RawServer {
  port: number;
  /** Every frame the client sent, in order. */
  frames: RawFrame[];
  /** The codes of the client's GOAWAY frames. */
  goAway: number[];
}

/**
 * A server speaking raw frames, to break the protocol on purpose: it answers the client's
 * preface with `opening` (default: empty SETTINGS), then calls `onFrame` for every frame the
 * client sends.
 */
export async function rawServer(onFrame: (sock: Socket, f: RawFrame) => void, opening: (sock: Socket) => void = (sock) => sock.write(settingsFrame([]))): Promise<RawServer> {
  const frames: RawFrame[] = [];
  const goAway: number[] = [];
  const sockets: Socket[] = [];
  const server = createNetServer((sock) => {
    sockets.push(sock);
    let buf = Buffer.alloc(0);
    let started = false;
    sock.on('error', () => undefined);
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!started) {
        if (buf.length < PREFACE.length) return;
        buf = buf.subarray(PREFACE.length);
        started = true;
        opening(sock);
      }
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) return;
        const f: RawFrame = { type: buf[3], flags: buf[4], id: buf.readUInt32BE(5) & 0x7fffffff, payload: Buffer.from(buf.subarray(9, 9 + len)) };
        frames.push(f);
        if (f.type === FrameType.GoAway) goAway.push(f.payload.readUInt32BE(4));
        buf = buf.subarray(9 + len);
        onFrame(sock, f);
      }
    });
  });
  // Sockets the test left open would keep close() waiting.
  opened.sessions.push({ destroy: () => sockets.forEach((s) => s.destroy()) });
  opened.servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, frames, goAway };
}

/** A raw server's script for each request (a HEADERS frame from the client). */
export const onRequest =
  (script: (sock: Socket, streamId: number) => void) =>
  (sock: Socket, f: RawFrame): void => {
    if (f.type === FrameType.Headers) script(sock, f.id);
  };

/** A response's header block, as a fresh encoder writes it (every field literal: no table state to share). */
export const responseBlock = (extra: HeaderField[] = []): Buffer => new HpackEncoder().encode([[':status', '200'], ['content-type', 'application/grpc'], ...extra]);
