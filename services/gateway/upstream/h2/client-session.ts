import { connect, type Socket } from 'node:net';
import { StreamFailure, type StreamHandle, type StreamReceiver } from './client-stream';
import {
  ConnectionError,
  DEFAULT_MAX_FRAME,
  DEFAULT_WINDOW,
  ErrorCode,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  frameOf,
  goAwayFrame,
  MAX_FRAME_LIMIT,
  MAX_STREAM_ID,
  MAX_WINDOW,
  PREFACE,
  rstStreamFrame,
  Setting,
  settingsFrame,
  windowUpdateFrame,
  writeFrameHeader,
} from './frames';
import { malformedField } from './field-rules';
import { HpackDecoder, HpackError } from './hpack-decoder';
import { HpackEncoder, type HeaderField } from './hpack-encoder';

export interface ClientSessionOptions {
  host: string;
  port: number;
  /** Response bytes (DATA payloads) one stream may receive; more resets it (a `too-large` failure). */
  maxResponseBytes: number;
  /** The connection's receive window this side keeps open (fewer WINDOW_UPDATEs when large). */
  windowBytes?: number;
  /** The largest decoded header list a response may carry (SETTINGS_MAX_HEADER_LIST_SIZE). */
  maxHeaderListBytes?: number;
  /** Called once, when the session stops taking new requests (closing, closed, GOAWAY, ids used up). */
  onRetire?: () => void;
}

const DEFAULT_CONNECTION_WINDOW = 16 * 1024 * 1024;
const DEFAULT_HEADER_LIST = 64 * 1024;
/** A header block (HEADERS + CONTINUATIONs) longer than this ends the connection: it must be decoded whole to keep HPACK in step. */
const MAX_HEADER_BLOCK = 256 * 1024;
/** CONTINUATION frames one header block may take (as nghttp2): empty ones would otherwise pile up unbounded. */
const MAX_CONTINUATIONS = 16;
/** PING and SETTINGS acknowledgements queued while the server reads nothing: more ends the connection (a flood). */
const MAX_UNREAD_ACKS = 1000;
/** Until the server's SETTINGS say otherwise, as many streams as RFC 9113 recommends a server allow. */
const INITIAL_MAX_STREAMS = 100;

/** A request on the session: its stream's state, and the caller's handle (cancel). */
class Stream implements StreamHandle {
  id = 0;
  /** Bytes this side may still send on the stream (the peer's window for it). */
  sendWindow = 0;
  /** The request's bytes not sent yet (flow control), from `sent` on. */
  body: Buffer | undefined;
  sent = 0;
  /** Response bytes (DATA payloads) received. */
  received = 0;
  gotHeaders = false;
  /** Over for the receiver: answered, reset, failed or cancelled. */
  done = false;

  constructor(
    readonly session: ClientSession,
    readonly fields: readonly HeaderField[],
    readonly receiver: StreamReceiver,
    body: Buffer,
  ) {
    this.body = body;
  }

  cancel(): void {
    this.session.cancel(this);
  }
}

/**
 * One HTTP/2 connection from the gateway to a backend, for unary gRPC calls (RFC 9113, client
 * side, cleartext with prior knowledge): requests are a HEADERS block and the body in DATA
 * frames; answers are delivered to each request's StreamReceiver. It keeps to the protocol's
 * rules where they protect either side (flow control both ways, frame and header sizes, stream
 * states, SETTINGS, PING, GOAWAY), and ends the connection on anything malformed. Frames are
 * written once per event-loop turn, as node's own HTTP/2 does.
 *
 * Why not node:http2: its client costs about 0.09 ms of CPU per unary call on the development
 * VM, most of the gateway's cost per proxied call (see the `gateway` benchmark); this costs a
 * fraction of that. Server pushes are refused (SETTINGS_ENABLE_PUSH 0).
 */
export class ClientSession {
  private readonly socket: Socket;
  private readonly streams = new Map<number, Stream>();
  private readonly encoder = new HpackEncoder();
  private readonly decoder = new HpackDecoder();
  private readonly maxResponseBytes: number;
  private readonly windowBytes: number;
  private readonly maxHeaderList: number;
  private readonly onRetire: (() => void) | undefined;
  private nextId = 1;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  private peerMaxStreams = INITIAL_MAX_STREAMS;
  private sendWindow = DEFAULT_WINDOW;
  /** What the peer may still send on the connection, and what this side consumed since its last WINDOW_UPDATE. */
  private recvWindow: number;
  private consumed = 0;
  private gotSettings = false;
  /** Streams with request bytes waiting for window. */
  private blocked: Stream[] = [];
  /** Requests waiting for the peer's MAX_CONCURRENT_STREAMS to allow them. */
  private waiting: Stream[] = [];
  /** A header block being received in CONTINUATION frames. */
  private block: { streamId: number; endStream: boolean; parts: Buffer[]; length: number } | undefined;
  /** Acknowledgements written while the socket's buffer was full (reset when it drains). */
  private unreadAcks = 0;
  /** Bytes of a frame not complete yet, and how many bytes complete it. */
  private rest: Buffer[] = [];
  private restLength = 0;
  private restNeed = 0;
  private out: Buffer[] = [];
  private flushing = false;
  private retired = false;
  private closed = false;

  constructor(o: ClientSessionOptions) {
    this.maxResponseBytes = o.maxResponseBytes;
    // Never below the protocol's initial window: the server starts from that, and this side cannot shrink it.
    this.windowBytes = Math.max(DEFAULT_WINDOW, Math.min(MAX_WINDOW, o.windowBytes ?? DEFAULT_CONNECTION_WINDOW));
    this.maxHeaderList = o.maxHeaderListBytes ?? DEFAULT_HEADER_LIST;
    this.onRetire = o.onRetire;
    this.recvWindow = this.windowBytes;
    const socket = connect({ host: o.host, port: o.port, noDelay: true });
    this.socket = socket;
    // An idle connection must not keep the process alive.
    socket.unref();
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (err) => this.fail(new StreamFailure('connection', err.message)));
    socket.on('close', () => this.fail(new StreamFailure('connection', 'the connection closed')));
    socket.on('drain', () => (this.unreadAcks = 0));
    this.write(PREFACE);
    this.write(
      settingsFrame([
        [Setting.EnablePush, 0],
        // Streams are bounded by maxResponseBytes instead: no per-stream WINDOW_UPDATEs.
        [Setting.InitialWindowSize, MAX_WINDOW],
        [Setting.MaxHeaderListSize, this.maxHeaderList],
      ]),
    );
    if (this.windowBytes > DEFAULT_WINDOW) this.write(windowUpdateFrame(0, this.windowBytes - DEFAULT_WINDOW));
  }

  /** Whether the session takes new requests. */
  get available(): boolean {
    return !this.retired;
  }

  /** Requests in flight or waiting. */
  get active(): number {
    return this.streams.size + this.waiting.length;
  }

  /**
   * Sends a request: `fields` (pseudo-headers first, names in lowercase) and `body` (the whole
   * request; the stream ends with it). Throws when the session no longer takes requests.
   */
  request(fields: readonly HeaderField[], body: Buffer, receiver: StreamReceiver): StreamHandle {
    if (this.retired) throw new Error('the connection takes no new requests');
    const s = new Stream(this, fields, receiver, body);
    if (this.streams.size >= this.peerMaxStreams) this.waiting.push(s);
    else this.open(s);
    return s;
  }

  /** Takes no new requests; closes once those in flight are answered. */
  close(): void {
    this.retire();
    if (this.active === 0) this.end();
  }

  /** Ends the connection now: every request in flight fails. */
  destroy(reason = 'the connection was closed'): void {
    this.fail(new StreamFailure('connection', reason));
  }

  /** The caller gave up on a request: its stream is reset (CANCEL). */
  cancel(s: Stream): void {
    if (s.done) return;
    s.done = true;
    if (s.id === 0) {
      this.waiting.splice(this.waiting.indexOf(s), 1);
      return;
    }
    this.write(rstStreamFrame(s.id, ErrorCode.Cancel));
    this.forget(s);
  }

  // --- sending ---

  private open(s: Stream): void {
    const id = this.nextId;
    this.nextId += 2;
    if (this.nextId > MAX_STREAM_ID) {
      this.retire();
      this.refuseWaiting('the connection used up its stream ids');
    }
    s.id = id;
    s.sendWindow = this.peerInitialWindow;
    this.streams.set(id, s);
    // The block with room for its frame header in front: one buffer for the whole frame.
    const framed = this.encoder.encode(s.fields, FRAME_HEADER_BYTES);
    const length = framed.length - FRAME_HEADER_BYTES;
    const max = this.peerMaxFrame;
    const endStream = s.body!.length === 0 ? Flag.EndStream : 0;
    if (length <= max) {
      writeFrameHeader(framed, 0, length, FrameType.Headers, Flag.EndHeaders | endStream, id);
      this.write(framed);
    } else {
      const block = framed.subarray(FRAME_HEADER_BYTES);
      for (let at = 0; at < block.length; at += max) {
        const part = block.subarray(at, at + max);
        const last = at + max >= block.length ? Flag.EndHeaders : 0;
        this.write(frameOf(at === 0 ? FrameType.Headers : FrameType.Continuation, last | (at === 0 ? endStream : 0), id, part));
      }
    }
    if (endStream) s.body = undefined;
    else this.sendBody(s);
  }

  /** Sends as much of the stream's body as the windows allow; the rest waits for WINDOW_UPDATE. */
  private sendBody(s: Stream): void {
    const body = s.body!;
    while (s.sent < body.length) {
      const n = Math.min(body.length - s.sent, s.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (n <= 0) {
        if (!this.blocked.includes(s)) this.blocked.push(s);
        return;
      }
      const last = s.sent + n === body.length;
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, n, FrameType.Data, last ? Flag.EndStream : 0, s.id);
      this.write(header);
      this.write(body.subarray(s.sent, s.sent + n));
      s.sent += n;
      s.sendWindow -= n;
      this.sendWindow -= n;
    }
    s.body = undefined;
  }

  /** Window opened: blocked streams go on, in the order they blocked. */
  private resume(): void {
    const blocked = this.blocked;
    this.blocked = [];
    for (const s of blocked) if (!s.done && s.body) this.sendBody(s);
  }

  /**
   * Writes a PING or SETTINGS acknowledgement. A server that keeps asking while it reads
   * nothing would have them pile up here without end: past MAX_UNREAD_ACKS while the socket's
   * buffer is full, the connection ends (ENHANCE_YOUR_CALM), as nghttp2 does.
   */
  private acknowledge(frame: Buffer): void {
    if (this.socket.writableNeedDrain && ++this.unreadAcks > MAX_UNREAD_ACKS) throw new ConnectionError(ErrorCode.EnhanceYourCalm, 'the server keeps asking for acknowledgements and reads none');
    this.write(frame);
  }

  private write(chunk: Buffer): void {
    if (this.closed) return;
    this.out.push(chunk);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(flush, this);
    }
  }

  /** Writes what this turn of the event loop queued, in one write. */
  flush(): void {
    this.flushing = false;
    const out = this.out;
    if (out.length === 0 || this.socket.destroyed) return;
    this.out = [];
    this.socket.write(out.length === 1 ? out[0] : Buffer.concat(out));
  }

  // --- receiving ---

  private received(chunk: Buffer): void {
    // A connection this side ended may still deliver what was in flight: nothing of it matters.
    if (this.closed) return;
    let buf = chunk;
    if (this.restLength > 0) {
      this.rest.push(chunk);
      this.restLength += chunk.length;
      if (this.restLength < this.restNeed) return;
      buf = Buffer.concat(this.rest, this.restLength);
      this.rest = [];
      this.restLength = 0;
    }
    const n = buf.length;
    let at = 0;
    try {
      while (n - at >= FRAME_HEADER_BYTES) {
        const length = (buf[at] << 16) | (buf[at + 1] << 8) | buf[at + 2];
        if (length > DEFAULT_MAX_FRAME) throw new ConnectionError(ErrorCode.FrameSizeError, `a frame of ${length} bytes (at most ${DEFAULT_MAX_FRAME})`);
        if (n - at - FRAME_HEADER_BYTES < length) break;
        const start = at + FRAME_HEADER_BYTES;
        this.frame(buf[at + 3], buf[at + 4], buf.readUInt32BE(at + 5) & 0x7fffffff, buf, start, start + length);
        if (this.closed) return;
        at = start + length;
      }
    } catch (err) {
      this.fail(err instanceof ConnectionError ? err : new ConnectionError(ErrorCode.InternalError, (err as Error).message));
      return;
    }
    if (at < n) {
      const tail = buf.subarray(at);
      this.rest = [tail];
      this.restLength = tail.length;
      this.restNeed = tail.length < FRAME_HEADER_BYTES ? FRAME_HEADER_BYTES : FRAME_HEADER_BYTES + ((tail[0] << 16) | (tail[1] << 8) | tail[2]);
    }
  }

  private frame(type: number, flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (!this.gotSettings && type !== FrameType.Settings) throw new ConnectionError(ErrorCode.ProtocolError, 'the server did not start with SETTINGS');
    if (this.block && (type !== FrameType.Continuation || id !== this.block.streamId)) throw new ConnectionError(ErrorCode.ProtocolError, 'a header block was interrupted');
    switch (type) {
      case FrameType.Data:
        return this.data(flags, id, buf, start, end);
      case FrameType.Headers:
        return this.headers(flags, id, buf, start, end);
      case FrameType.Continuation:
        return this.continuation(flags, id, buf, start, end);
      case FrameType.RstStream:
        return this.reset(id, buf, start, end);
      case FrameType.Settings:
        return this.settings(flags, id, buf, start, end);
      case FrameType.Ping:
        if (id !== 0) throw new ConnectionError(ErrorCode.ProtocolError, 'PING on a stream');
        if (end - start !== 8) throw new ConnectionError(ErrorCode.FrameSizeError, 'PING of a wrong size');
        if (!(flags & Flag.Ack)) this.acknowledge(frameOf(FrameType.Ping, Flag.Ack, 0, buf.subarray(start, end)));
        return;
      case FrameType.GoAway:
        return this.goAway(id, buf, start, end);
      case FrameType.WindowUpdate:
        return this.windowUpdate(id, buf, start, end);
      case FrameType.PushPromise:
        throw new ConnectionError(ErrorCode.ProtocolError, 'PUSH_PROMISE, with push disabled');
      case FrameType.Priority:
        if (id === 0) throw new ConnectionError(ErrorCode.ProtocolError, 'PRIORITY on the connection');
        return;
      default:
        // Unknown frame types are ignored (RFC 9113 section 4.1).
        return;
    }
  }

  /** The stream a frame is for: undefined for one this side already closed; a connection error for one never opened. */
  private streamOf(id: number, what: string): Stream | undefined {
    if (id === 0) throw new ConnectionError(ErrorCode.ProtocolError, `${what} on the connection`);
    const s = this.streams.get(id);
    if (!s && (id % 2 === 0 || id >= this.nextId)) throw new ConnectionError(ErrorCode.ProtocolError, `${what} on stream ${id}, which was never opened`);
    return s;
  }

  private data(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    const s = this.streamOf(id, 'DATA');
    // Flow control counts the whole payload, padding included, and also for streams already closed.
    this.consume(end - start);
    if (flags & Flag.Padded) {
      const pad = end > start ? buf[start] : 0;
      if (end - start < 1 || pad >= end - start) throw new ConnectionError(ErrorCode.ProtocolError, 'DATA padding longer than the frame');
      start += 1;
      end -= pad;
    }
    if (!s) return;
    if (!s.gotHeaders) return this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', 'DATA before the response headers'));
    if (end > start) {
      s.received += end - start;
      if (s.received > this.maxResponseBytes) return this.refuse(s, ErrorCode.Cancel, new StreamFailure('too-large', `the response is larger than ${this.maxResponseBytes} bytes`));
      s.receiver.onData(buf.subarray(start, end));
    }
    if (flags & Flag.EndStream && !s.done) this.finish(s, ErrorCode.NoError);
  }

  /** Bytes of DATA received: the connection's window is opened again once half of it is used. */
  private consume(n: number): void {
    this.recvWindow -= n;
    if (this.recvWindow < 0) throw new ConnectionError(ErrorCode.FlowControlError, 'the server sent more than the window');
    this.consumed += n;
    if (this.consumed >= this.windowBytes / 2) {
      this.write(windowUpdateFrame(0, this.consumed));
      this.recvWindow += this.consumed;
      this.consumed = 0;
    }
  }

  private headers(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id === 0) throw new ConnectionError(ErrorCode.ProtocolError, 'HEADERS on the connection');
    if (flags & Flag.Padded) {
      const pad = end > start ? buf[start] : 0;
      if (end - start < 1 || pad >= end - start) throw new ConnectionError(ErrorCode.ProtocolError, 'HEADERS padding longer than the frame');
      start += 1;
      end -= pad;
    }
    if (flags & Flag.Priority) {
      if (end - start < 5) throw new ConnectionError(ErrorCode.FrameSizeError, 'HEADERS too short for its priority');
      start += 5;
    }
    const endStream = (flags & Flag.EndStream) !== 0;
    if (flags & Flag.EndHeaders) return this.headerBlock(id, endStream, buf.subarray(start, end));
    this.block = { streamId: id, endStream, parts: [buf.subarray(start, end)], length: end - start };
  }

  private continuation(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    const b = this.block;
    if (!b) throw new ConnectionError(ErrorCode.ProtocolError, 'CONTINUATION without HEADERS');
    if (b.parts.length > MAX_CONTINUATIONS) throw new ConnectionError(ErrorCode.EnhanceYourCalm, `a header block in more than ${MAX_CONTINUATIONS} CONTINUATION frames`);
    b.parts.push(buf.subarray(start, end));
    b.length += end - start;
    if (b.length > MAX_HEADER_BLOCK) throw new ConnectionError(ErrorCode.EnhanceYourCalm, `a header block longer than ${MAX_HEADER_BLOCK} bytes`);
    if (!(flags & Flag.EndHeaders)) return;
    this.block = undefined;
    this.headerBlock(id, b.endStream, Buffer.concat(b.parts, b.length));
  }

  private headerBlock(id: number, endStream: boolean, block: Buffer): void {
    let headers;
    try {
      // Decoded even for a stream already closed: the HPACK table must stay in step.
      headers = this.decoder.decode(block);
    } catch (err) {
      if (err instanceof HpackError) throw new ConnectionError(ErrorCode.CompressionError, `a malformed header block: ${err.message}`);
      throw err;
    }
    const s = this.streamOf(id, 'HEADERS');
    if (!s) return;
    if (this.decoder.lastListSize > this.maxHeaderList) return this.refuse(s, ErrorCode.Cancel, new StreamFailure('too-large', `response headers larger than ${this.maxHeaderList} bytes`));
    const malformed = malformedField(headers, s.gotHeaders);
    if (malformed) return this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', malformed));
    if (!s.gotHeaders) {
      const status = headers[':status'];
      // 101 (switching protocols) does not exist in HTTP/2.
      if (typeof status !== 'string' || !/^[1-5]\d\d$/.test(status) || status === '101') return this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', 'response headers without a valid :status'));
      if (status[0] === '1') {
        // Informational (1xx): the real answer follows.
        if (endStream) this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', 'an informational response ended the stream'));
        return;
      }
      s.gotHeaders = true;
      s.receiver.onHeaders(headers, endStream);
      if (endStream && !s.done) this.finish(s, ErrorCode.NoError);
      return;
    }
    if (!endStream) return this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', 'a second header block that does not end the stream'));
    s.receiver.onTrailers(headers);
    if (!s.done) this.finish(s, ErrorCode.NoError);
  }

  private reset(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) throw new ConnectionError(ErrorCode.FrameSizeError, 'RST_STREAM of a wrong size');
    const s = this.streamOf(id, 'RST_STREAM');
    if (!s) return;
    const code = buf.readUInt32BE(start);
    this.finish(s, code, code === ErrorCode.RefusedStream ? new StreamFailure('refused', 'the server refused the stream') : undefined);
  }

  private settings(flags: number, id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) throw new ConnectionError(ErrorCode.ProtocolError, 'SETTINGS on a stream');
    if (flags & Flag.Ack) {
      if (end !== start) throw new ConnectionError(ErrorCode.FrameSizeError, 'SETTINGS ACK with a payload');
      return;
    }
    if ((end - start) % 6 !== 0) throw new ConnectionError(ErrorCode.FrameSizeError, 'SETTINGS of a wrong size');
    this.gotSettings = true;
    for (let at = start; at < end; at += 6) {
      const value = buf.readUInt32BE(at + 2);
      switch (buf.readUInt16BE(at)) {
        case Setting.HeaderTableSize:
          this.encoder.setPeerTableSize(value);
          break;
        case Setting.EnablePush:
          // A server may only ever say 0 (RFC 9113 section 6.5.2).
          if (value !== 0) throw new ConnectionError(ErrorCode.ProtocolError, 'SETTINGS_ENABLE_PUSH from a server');
          break;
        case Setting.MaxConcurrentStreams:
          this.peerMaxStreams = value;
          break;
        case Setting.InitialWindowSize: {
          if (value > MAX_WINDOW) throw new ConnectionError(ErrorCode.FlowControlError, 'SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1');
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const s of this.streams.values()) {
            s.sendWindow += delta;
            if (s.sendWindow > MAX_WINDOW) throw new ConnectionError(ErrorCode.FlowControlError, 'a stream window above 2^31-1');
          }
          break;
        }
        case Setting.MaxFrameSize:
          if (value < DEFAULT_MAX_FRAME || value > MAX_FRAME_LIMIT) throw new ConnectionError(ErrorCode.ProtocolError, 'SETTINGS_MAX_FRAME_SIZE out of range');
          this.peerMaxFrame = value;
          break;
        default:
          // SETTINGS_MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored.
          break;
      }
    }
    this.acknowledge(frameOf(FrameType.Settings, Flag.Ack, 0));
    this.resume();
    this.admit();
  }

  private goAway(id: number, buf: Buffer, start: number, end: number): void {
    if (id !== 0) throw new ConnectionError(ErrorCode.ProtocolError, 'GOAWAY on a stream');
    if (end - start < 8) throw new ConnectionError(ErrorCode.FrameSizeError, 'GOAWAY too short');
    const last = buf.readUInt32BE(start) & 0x7fffffff;
    const code = buf.readUInt32BE(start + 4);
    this.retire();
    const why = `the server is going away (GOAWAY, code ${code})`;
    this.refuseWaiting(why);
    const refused = new StreamFailure('refused', why);
    for (const s of [...this.streams.values()]) if (s.id > last) this.finish(s, ErrorCode.RefusedStream, refused);
    if (this.active === 0) this.end();
  }

  private windowUpdate(id: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) throw new ConnectionError(ErrorCode.FrameSizeError, 'WINDOW_UPDATE of a wrong size');
    const increment = buf.readUInt32BE(start) & 0x7fffffff;
    if (id === 0) {
      if (increment === 0) throw new ConnectionError(ErrorCode.ProtocolError, 'WINDOW_UPDATE of 0');
      this.sendWindow += increment;
      if (this.sendWindow > MAX_WINDOW) throw new ConnectionError(ErrorCode.FlowControlError, 'the connection window above 2^31-1');
      return this.resume();
    }
    const s = this.streamOf(id, 'WINDOW_UPDATE');
    if (!s) return;
    if (increment === 0) return this.refuse(s, ErrorCode.ProtocolError, new StreamFailure('malformed', 'WINDOW_UPDATE of 0'));
    s.sendWindow += increment;
    if (s.sendWindow > MAX_WINDOW) return this.refuse(s, ErrorCode.FlowControlError, new StreamFailure('malformed', 'a stream window above 2^31-1'));
    this.resume();
  }

  // --- ending streams and the connection ---

  /** Ends a stream from this side for a fault of the answer: reset, and the receiver told why. */
  private refuse(s: Stream, code: ErrorCode, failure: StreamFailure): void {
    this.write(rstStreamFrame(s.id, code));
    this.finish(s, code, failure);
  }

  private finish(s: Stream, code: number, failure?: StreamFailure): void {
    if (s.done) return;
    s.done = true;
    // Answered before the whole request was sent (flow control held the rest): this side's half
    // of the stream is closed with a reset, the rest of the body is not sent (RFC 9113 section 8.1).
    if (code === ErrorCode.NoError && !failure && s.body && !this.closed) this.write(rstStreamFrame(s.id, ErrorCode.Cancel));
    this.forget(s);
    s.receiver.onClose(code, failure);
  }

  /** A waiting request that never got a stream. */
  private settle(s: Stream, code: number, failure: StreamFailure): void {
    if (s.done) return;
    s.done = true;
    s.receiver.onClose(code, failure);
  }

  private forget(s: Stream): void {
    this.streams.delete(s.id);
    s.body = undefined;
    this.admit();
    if (this.retired && this.active === 0) this.end();
  }

  /**
   * Opens waiting requests while the peer's MAX_CONCURRENT_STREAMS allows. A retired session
   * still opens the requests it accepted before (close() is graceful); one that can open no
   * more streams (GOAWAY, ids used up) has already failed them as refused.
   */
  private admit(): void {
    while (this.waiting.length > 0 && this.streams.size < this.peerMaxStreams && !this.closed) this.open(this.waiting.shift()!);
  }

  /** The requests still waiting for a stream fail as refused: they were never sent, so a retry is safe. */
  private refuseWaiting(why: string): void {
    const refused = new StreamFailure('refused', why);
    for (const s of this.waiting.splice(0)) this.settle(s, ErrorCode.RefusedStream, refused);
  }

  private retire(): void {
    if (this.retired) return;
    this.retired = true;
    this.onRetire?.();
  }

  /**
   * A graceful end, with nothing in flight: GOAWAY, and the socket closed once that is written
   * (nothing the server could still send matters; waiting for its side to close could take as
   * long as the server likes).
   */
  private end(): void {
    if (this.closed) return;
    this.write(goAwayFrame(0, ErrorCode.NoError));
    this.flush();
    this.closed = true;
    this.socket.destroySoon();
  }

  /** The connection failed (or a protocol error ended it): every request still open fails. */
  private fail(err: StreamFailure | ConnectionError): void {
    if (this.closed) return;
    this.retire();
    const code = err instanceof ConnectionError ? err.code : ErrorCode.NoError;
    if (err instanceof ConnectionError) {
      this.write(goAwayFrame(0, code, err.message));
      this.flush();
    }
    this.closed = true;
    this.socket.destroySoon();
    const failure = err instanceof StreamFailure ? err : new StreamFailure('connection', `HTTP/2 error ${code}: ${err.message}`);
    for (const s of [...this.streams.values()]) this.finish(s, code, failure);
    for (const s of this.waiting.splice(0)) this.settle(s, code, failure);
    this.blocked = [];
  }
}

function flush(session: ClientSession): void {
  session.flush();
}
