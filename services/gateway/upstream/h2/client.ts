import { ClientSession } from './client-session';
import type { StreamHandle, StreamReceiver } from './client-stream';
import type { HeaderField } from './hpack-encoder';

export interface H2ClientOptions {
  /** Response bytes one request may receive (a larger answer fails as `too-large`). */
  maxResponseBytes: number;
  /** The connection's receive window (default 16 MiB). */
  windowBytes?: number;
}

/** `host:port` or `[v6]:port` split; the port is required. */
function parseAddress(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65_535) throw new Error(`not a host:port address: ${address}`);
  const host = address.slice(0, colon);
  return { host: host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host, port };
}

/**
 * One backend's HTTP/2 connection (a ClientSession), opened on the first request and again
 * when it retires (the backend restarted, sent GOAWAY, the connection failed, or its stream ids
 * ran out): requests never wait for a reconnect loop, and a refused connection fails the
 * requests on it at once (a `connection` failure). A retired session finishes the requests it
 * has, then closes itself.
 */
export class H2Client {
  private session: ClientSession | undefined;
  private closed = false;
  private readonly host: string;
  private readonly port: number;

  constructor(
    /** host:port */
    readonly address: string,
    private readonly o: H2ClientOptions,
  ) {
    ({ host: this.host, port: this.port } = parseAddress(address));
  }

  /** Sends a request (see ClientSession.request); throws once the client is closed. */
  request(fields: readonly HeaderField[], body: Buffer, receiver: StreamReceiver): StreamHandle {
    if (this.closed) throw new Error(`the connection to ${this.address} is closed`);
    return this.current().request(fields, body, receiver);
  }

  /** No new requests; the connection closes once those in flight are answered. */
  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private current(): ClientSession {
    const s = this.session;
    if (s && s.available) return s;
    const session: ClientSession = new ClientSession({
      host: this.host,
      port: this.port,
      maxResponseBytes: this.o.maxResponseBytes,
      windowBytes: this.o.windowBytes,
      onRetire: () => {
        if (this.session === session) this.session = undefined;
      },
    });
    this.session = session;
    return session;
  }
}
