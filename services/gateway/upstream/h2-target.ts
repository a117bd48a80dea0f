import { connect, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';

/** Largest HTTP/2 window the gateway opens per connection to a backend (fewer WINDOW_UPDATEs). */
const SESSION_WINDOW = 16 * 1024 * 1024;

/**
 * One backend's HTTP/2 connection, opened on the first request and again after it closes (the
 * backend restarted, sent GOAWAY, or the connection failed): requests never wait for a
 * reconnect loop, a refused connection fails the request at once (UNAVAILABLE to the caller).
 */
export class H2Target {
  private session: ClientHttp2Session | undefined;
  private closed = false;

  constructor(
    /** host:port */
    readonly address: string,
    private readonly maxFrameBytes = 1024 * 1024,
  ) {}

  request(headers: OutgoingHttpHeaders): ClientHttp2Stream {
    if (this.closed) throw new Error(`the connection to ${this.address} is closed`);
    return this.current().request(headers);
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.session = undefined;
  }

  private current(): ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    const session = connect(`http://${this.address}`, { settings: { maxFrameSize: this.maxFrameBytes, initialWindowSize: SESSION_WINDOW } });
    const drop = () => {
      if (this.session === session) this.session = undefined;
    };
    session.on('error', drop);
    session.on('goaway', drop);
    session.on('close', drop);
    session.on('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    // An idle connection must not keep the process alive.
    session.unref();
    this.session = session;
    return session;
  }
}
