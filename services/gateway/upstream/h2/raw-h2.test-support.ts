import { connect, type Socket } from 'node:net';

/**
 * Just enough of an HTTP/2 client, over a plain `net` socket, to put chosen HPACK bytes on the
 * wire and read the peer's header blocks back as bytes. It checks our HPACK codec against
 * nghttp2 (inside node:http2) without depending on the production connection code, and it lets
 * the Huffman derivation script read bytes that nghttp2's own decoder would refuse (NUL, CR, LF).
 *
 * Not a conforming client: no flow control beyond handing back every received DATA byte, no
 * priorities, no push (disabled in our SETTINGS). Streams are expected to end.
 */

export const FrameType = {
  DATA: 0x0,
  HEADERS: 0x1,
  RST_STREAM: 0x3,
  SETTINGS: 0x4,
  PING: 0x6,
  GOAWAY: 0x7,
  WINDOW_UPDATE: 0x8,
  CONTINUATION: 0x9,
} as const;

export const Setting = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
} as const;

const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** SETTINGS_MAX_FRAME_SIZE default: the largest frame we may send before the peer says more. */
const MAX_FRAME = 16384;

/** What a stream received, once it ended. */
export interface RawStreamResult {
  /** Each complete header block (HEADERS plus its CONTINUATIONs), in order: headers, then trailers. */
  readonly headerBlocks: Buffer[];
  /** The RST_STREAM error code, when the peer reset the stream. */
  rstCode?: number;
}

interface PendingStream {
  readonly result: RawStreamResult;
  readonly resolve: (r: RawStreamResult) => void;
  readonly reject: (e: Error) => void;
}

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const header = Buffer.allocUnsafe(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

export class RawH2Client {
  /** The peer's SETTINGS, as last received. */
  readonly peerSettings = new Map<number, number>();
  private buffered: Buffer = Buffer.alloc(0);
  private readonly streams = new Map<number, PendingStream>();
  /** A header block split over CONTINUATION frames: its stream and the fragments so far. */
  private continuing: { streamId: number; endStream: boolean; fragments: Buffer[] } | undefined;
  private nextId = 1;
  private failure: Error | undefined;
  private readonly settingsAcked: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  /** Connects, sends the preface and our SETTINGS (push disabled plus `settings`). */
  static connect(port: number, settings: ReadonlyArray<readonly [number, number]> = []): Promise<RawH2Client> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.off('error', reject);
        const client = new RawH2Client(socket);
        socket.write(PREFACE);
        client.sendSettings([[Setting.ENABLE_PUSH, 0], ...settings]).then(() => resolve(client), reject);
      });
      socket.once('error', reject);
    });
  }

  /** Sends SETTINGS; resolves when the peer acknowledged them (from then on they apply). */
  sendSettings(settings: ReadonlyArray<readonly [number, number]>): Promise<void> {
    const payload = Buffer.alloc(6 * settings.length);
    settings.forEach(([id, value], i) => {
      payload.writeUInt16BE(id, 6 * i);
      payload.writeUInt32BE(value, 6 * i + 2);
    });
    return new Promise((resolve) => {
      this.settingsAcked.push(resolve);
      this.socket.write(frame(FrameType.SETTINGS, 0, 0, payload));
    });
  }

  /**
   * Opens a stream with `block` as its request header block (split into CONTINUATION frames when
   * larger than a frame) and resolves with what the stream received once it ended.
   */
  request(block: Buffer, endStream = true): Promise<RawStreamResult> {
    const streamId = this.nextId;
    this.nextId += 2;
    const promise = new Promise<RawStreamResult>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.streams.set(streamId, { result: { headerBlocks: [] }, resolve, reject });
    });
    const frames: Buffer[] = [];
    let offset = 0;
    do {
      const end = Math.min(block.length, offset + MAX_FRAME);
      const last = end === block.length;
      const type = offset === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
      const flags = (last ? END_HEADERS : 0) | (offset === 0 && endStream ? END_STREAM : 0);
      frames.push(frame(type, flags, streamId, block.subarray(offset, end)));
      offset = end;
    } while (offset < block.length);
    this.socket.write(Buffer.concat(frames));
    return promise;
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const s of this.streams.values()) s.reject(e);
    this.streams.clear();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 9) {
      const length = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < 9 + length) break;
      const type = this.buffered[3]!;
      const flags = this.buffered[4]!;
      const streamId = this.buffered.readUInt32BE(5) & 0x7fffffff;
      const payload = this.buffered.subarray(9, 9 + length);
      this.buffered = this.buffered.subarray(9 + length);
      this.onFrame(type, flags, streamId, payload);
    }
  }

  private onFrame(type: number, flags: number, streamId: number, payload: Buffer): void {
    switch (type) {
      case FrameType.SETTINGS:
        if (flags & ACK) {
          this.settingsAcked.shift()?.();
        } else {
          for (let i = 0; i + 6 <= payload.length; i += 6) this.peerSettings.set(payload.readUInt16BE(i), payload.readUInt32BE(i + 2));
          this.socket.write(frame(FrameType.SETTINGS, ACK, 0, Buffer.alloc(0)));
        }
        return;
      case FrameType.PING:
        if (!(flags & ACK)) this.socket.write(frame(FrameType.PING, ACK, 0, payload));
        return;
      case FrameType.GOAWAY:
        this.fail(new Error(`GOAWAY error code ${payload.readUInt32BE(4)}`));
        return;
      case FrameType.DATA:
        if (payload.length > 0) {
          const increment = Buffer.allocUnsafe(4);
          increment.writeUInt32BE(payload.length);
          this.socket.write(frame(FrameType.WINDOW_UPDATE, 0, 0, increment));
        }
        if (flags & END_STREAM) this.end(streamId);
        return;
      case FrameType.RST_STREAM: {
        const s = this.streams.get(streamId);
        if (s) s.result.rstCode = payload.readUInt32BE(0);
        this.end(streamId);
        return;
      }
      case FrameType.HEADERS: {
        let start = 0;
        let end = payload.length;
        if (flags & PADDED) {
          end -= payload[0]!;
          start = 1;
        }
        if (flags & PRIORITY) start += 5;
        this.continuing = { streamId, endStream: (flags & END_STREAM) !== 0, fragments: [payload.subarray(start, end)] };
        if (flags & END_HEADERS) this.endHeaders();
        return;
      }
      case FrameType.CONTINUATION:
        if (!this.continuing || this.continuing.streamId !== streamId) {
          this.fail(new Error('unexpected CONTINUATION'));
          return;
        }
        this.continuing.fragments.push(payload);
        if (flags & END_HEADERS) this.endHeaders();
        return;
      default:
        return;
    }
  }

  private endHeaders(): void {
    const { streamId, endStream, fragments } = this.continuing!;
    this.continuing = undefined;
    this.streams.get(streamId)?.result.headerBlocks.push(Buffer.concat(fragments));
    if (endStream) this.end(streamId);
  }

  private end(streamId: number): void {
    const s = this.streams.get(streamId);
    if (!s) return;
    this.streams.delete(streamId);
    s.resolve(s.result);
  }
}
