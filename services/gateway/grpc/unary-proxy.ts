import { constants, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { status } from '@grpc/grpc-js';
import type { Principal } from '../../../lib/auth/principal';
import { unauthenticated } from '../../../lib/errors/domain-error';
import { bearerOf } from '../../../lib/grpc/call-context';
import type { MethodSeries } from '../../../lib/grpc/metrics';
import { requestIdOf } from '../../../lib/grpc/request-id';
import { FIELD_KEY, REASON_KEY, toServiceError } from '../../../lib/grpc/status';
import type { Logger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import { outboundDeadline, type CancelHook, type Forwarded, type ForwardReceiver, type Upstream } from '../upstream/forward';
import { encodeMessage, isOneMessage, parseTimeout } from '../upstream/grpc-wire';
import { answer } from './grpc-answer';

export interface UnaryRoute {
  method: PublicMethod;
  /** Its server-side metric series. */
  metrics: MethodSeries;
}

export interface UnaryProxyOptions {
  auth: Authenticator;
  upstream: Upstream;
  logger: Logger;
  maxMessageBytes: number;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
}

/**
 * What one client connection remembers between its calls: its last `authorization` value and
 * that key's digest (the authenticator's cache key), so that a connection sending the same key
 * call after call hashes it once. The principal is still looked up in the authenticator's cache
 * on every call, so an expired or revoked entry is honoured exactly as without this memo. Only
 * the last value is kept, and only while the connection is open.
 */
export interface SessionMemo {
  authorization?: string;
  digest?: string;
}

/** Response headers of a call with a body; node copies them (and adds date) on respond(). */
const OK_HEAD: OutgoingHttpHeaders = { ':status': 200, 'content-type': 'application/grpc' };
const WITH_TRAILERS = { waitForTrailers: true };
const EMPTY = Buffer.alloc(0);

/** The call a client's stream belongs to, until the stream closes. */
const CALL = Symbol('tally.proxyCall');
type CallStream = ServerHttp2Stream & { [CALL]?: UnaryProxyCall };

/** Proxies one public unary call as bytes (see UnaryProxyCall). */
export function proxyUnary(o: UnaryProxyOptions, route: UnaryRoute, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, memo: SessionMemo): void {
  new UnaryProxyCall(o, route, stream as CallStream, headers, memo).listen();
}

/**
 * One public unary call proxied as bytes: the request message (at most maxMessageBytes) is
 * read, the caller's API key resolved to a principal (from the authenticator's cache when it
 * holds it, without a promise), the bytes forwarded with the principal's signed token and the
 * call's deadline, and the backend's answer passed back: its message, then its trailers as they
 * came (x-request-id added when absent). The client going away cancels the backend call (the
 * call is the upstream's CancelHook). The stream's listeners are shared functions that find the
 * call through the stream: no closures per call.
 */
class UnaryProxyCall implements CancelHook, ForwardReceiver {
  cancelled = false;
  onCancel: (() => void) | undefined = undefined;
  private readonly requestId: string;
  private readonly started = performance.now();
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private size = 0;
  private refused = false;
  /** The request ended (end()); before that, a closed stream is a call the client gave up. */
  private requestEnded = false;
  /** The call is counted as handled (once, whichever way it ends). */
  private counted = false;
  /** Who calls, asked for as soon as the headers are in (a promise while identity answers). */
  private auth: Principal | Promise<Principal | null> | undefined;
  private principal: Principal | undefined;
  /** The backend's trailers, sent when the stream wants them. */
  private trailers: OutgoingHttpHeaders | undefined;

  constructor(
    private readonly o: UnaryProxyOptions,
    private readonly route: UnaryRoute,
    private readonly stream: CallStream,
    private readonly headers: IncomingHttpHeaders,
    private readonly memo: SessionMemo,
  ) {
    route.metrics.started.inc();
    this.requestId = requestIdOf(headers['x-request-id']);
  }

  listen(): void {
    const s = this.stream;
    s[CALL] = this;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('close', onClose);
    this.authenticate();
  }

  /**
   * Authenticates on the headers, before the body is read: a call without a valid key is
   * refused at once, whatever it is still sending. Identity's answer, when it has to be asked,
   * comes while the body arrives.
   */
  private authenticate(): void {
    let got: Principal | null | Promise<Principal | null>;
    try {
      got = principalOf(this.o.auth, this.headers.authorization, this.memo);
    } catch (err) {
      return this.refuse(() => this.failed(err));
    }
    if (got === null) return this.refuse(() => this.unauthenticated());
    if (!(got instanceof Promise)) {
      this.auth = got;
      return;
    }
    this.auth = got.then(
      (p) => {
        if (!p) this.refuse(() => this.unauthenticated());
        return p;
      },
      (err: unknown) => {
        this.refuse(() => this.failed(err));
        return null;
      },
    );
  }

  /** Answers the call now (answer counts it) and ignores the rest of its request. */
  private refuse(answerNow: () => void): void {
    if (this.refused || this.counted) return;
    this.refused = true;
    this.first = this.more = undefined;
    // The client went away while identity was asked: nobody to answer, a cancelled call.
    if (this.cancelled) return this.done(status.CANCELLED);
    answerNow();
    if (!this.requestEnded && !this.stream.closed) this.stream.close(constants.NGHTTP2_NO_ERROR);
  }

  private unauthenticated(): void {
    const e = unauthenticated('missing or invalid API key');
    this.done(answer(this.stream, this.requestId, status.UNAUTHENTICATED, e.message, e.reason));
  }

  data(chunk: Buffer): void {
    if (this.refused) return;
    this.size += chunk.length;
    if (this.size > this.o.maxMessageBytes + 5) {
      this.refused = true;
      answer(this.stream, this.requestId, status.RESOURCE_EXHAUSTED, `the request message is larger than the limit of ${this.o.maxMessageBytes} bytes`, 'REQUEST_TOO_LARGE');
      this.stream.close(constants.NGHTTP2_NO_ERROR);
      this.done(status.RESOURCE_EXHAUSTED);
      return;
    }
    if (this.first === undefined) this.first = chunk;
    else (this.more ??= [this.first]).push(chunk);
  }

  /** The request is complete: checked, authenticated, forwarded. */
  end(): void {
    this.requestEnded = true;
    if (this.refused) return;
    // The client's connection dropped mid-request (node then ends the stream): a cancelled call, not a malformed one.
    if (this.stream.aborted) return this.done(status.CANCELLED);
    const body = this.more ? Buffer.concat(this.more) : (this.first ?? EMPTY);
    this.first = this.more = undefined;
    if (!isOneMessage(body)) {
      answer(this.stream, this.requestId, status.INTERNAL, 'a unary call must send exactly one length-prefixed message', 'MALFORMED_REQUEST');
      return this.done(status.INTERNAL);
    }
    this.route.metrics.msgReceived.inc();
    const auth = this.auth!;
    if (!(auth instanceof Promise)) return this.forward(auth, body);
    auth.then((p) => p && !this.refused && this.forward(p, body)).catch((err: unknown) => this.failed(err));
  }

  /** The client's stream closed: a call still in flight is cancelled. */
  closed(): void {
    this.cancelled = true;
    // Reset before its request ended: nothing else will count the call.
    if (!this.requestEnded && !this.refused) return this.done(status.CANCELLED);
    this.onCancel?.();
  }

  /** The backend's answer (ForwardReceiver). */
  forwarded(got: Forwarded): void {
    try {
      this.respond(got);
    } catch (err) {
      this.o.logger.error({ err, request_id: this.requestId, method: this.route.method.grpcPath }, 'gRPC proxy failed');
      answer(this.stream, this.requestId, status.INTERNAL, `internal error (request ${this.requestId})`, 'INTERNAL');
      this.done(status.INTERNAL);
    }
  }

  wantTrailers(): void {
    try {
      this.stream.sendTrailers(this.trailers!);
    } catch (err) {
      // Trailers node refuses to send: the client must not take the call for complete.
      this.o.logger.error({ err, request_id: this.requestId, method: this.route.method.grpcPath }, 'gRPC proxy could not send the trailers');
      this.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    }
  }

  private forward(principal: Principal, body: Buffer): void {
    this.principal = principal;
    const h = this.headers;
    const timeout = parseTimeout(h['grpc-timeout']);
    const now = Date.now();
    const encoding = h['grpc-encoding'];
    const accept = h['grpc-accept-encoding'];
    const o = this.o;
    o.upstream.send(
      {
        backend: this.route.method.backend,
        grpcPath: this.route.method.grpcPath,
        body,
        principal,
        requestId: this.requestId,
        deadline: outboundDeadline(timeout === undefined ? undefined : now + timeout, o.defaultDeadlineMs, o.maxDeadlineMs, now),
        encoding: encoding === undefined && accept === undefined ? undefined : { request: typeof encoding === 'string' ? encoding : undefined, accept: typeof accept === 'string' ? accept : undefined },
        cancel: this,
      },
      this,
    );
  }

  private respond(got: Forwarded): void {
    const { o, stream } = this;
    if (o.logger.isLevelEnabled('debug')) o.logger.debug({ request_id: this.requestId, method: this.route.method.grpcPath, code: got.code, subject: this.principal?.subject }, 'forwarded');
    if (stream.closed || stream.destroyed) return this.done(got.code);
    const trailers = got.trailers;
    if (trailers['x-request-id'] === undefined) trailers['x-request-id'] = this.requestId;
    if (!got.body) {
      // The status is the answer's: the backend's own as it sent it, or the gateway's when the
      // backend did not answer (unreachable, deadline, cancelled) or answered wrongly.
      if (trailers['grpc-status'] !== String(got.code)) {
        trailers['grpc-status'] = String(got.code);
        trailers['grpc-message'] = encodeMessage(got.details);
      }
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...trailers }, { endStream: true });
      return this.done(got.code);
    }
    this.route.metrics.msgSent.inc();
    this.trailers = trailers;
    stream.respond(got.encoding ? { ...OK_HEAD, 'grpc-encoding': got.encoding } : OK_HEAD, WITH_TRAILERS);
    stream.on('wantTrailers', onWantTrailers);
    stream.end(got.body);
    this.done(got.code);
  }

  /** Anything thrown on the way: a DomainError (identity unavailable) keeps its code, anything else is INTERNAL (and logged). */
  private failed(err: unknown): void {
    const e = toServiceError(err, this.requestId, this.o.logger);
    const reason = e.metadata?.get(REASON_KEY)[0];
    const field = e.metadata?.get(FIELD_KEY)[0];
    this.done(answer(this.stream, this.requestId, e.code ?? status.INTERNAL, e.details ?? '', String(reason ?? 'INTERNAL'), field === undefined ? undefined : String(field)));
  }

  private done(code: number): void {
    if (this.counted) return;
    this.counted = true;
    const m = this.route.metrics;
    m.handled(code).inc();
    m.seconds.observeSince(this.started);
  }
}

// Stream listeners, shared by every call (`this` is the client's stream).
function onData(this: CallStream, chunk: Buffer): void {
  this[CALL]?.data(chunk);
}
function onEnd(this: CallStream): void {
  this[CALL]?.end();
}
function onWantTrailers(this: CallStream): void {
  this[CALL]?.wantTrailers();
}
function onClose(this: CallStream): void {
  const call = this[CALL];
  this[CALL] = undefined;
  call?.closed();
}

/**
 * The principal behind a call's `authorization` value: from the authenticator's cache when it
 * holds the key (no promise), else identity's answer; null without a key or for a key identity
 * does not accept.
 */
function principalOf(auth: Authenticator, authorization: string | undefined, memo: SessionMemo): Principal | null | Promise<Principal | null> {
  if (authorization === undefined) return null;
  let digest: string | undefined;
  if (authorization === memo.authorization) digest = memo.digest;
  else {
    const credential = bearerOf(authorization);
    digest = credential ? auth.digest(credential) : undefined;
    memo.authorization = authorization;
    memo.digest = digest;
  }
  if (digest === undefined) return null;
  const cached = auth.cached(digest);
  if (cached) return cached;
  const credential = bearerOf(authorization);
  return credential ? auth.verify(credential, digest) : null;
}
