import {
  Metadata,
  status,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
  type handleUnaryCall,
  type sendUnaryData,
} from '@grpc/grpc-js';
import { unauthenticated } from '../errors/domain-error';
import type { Logger } from '../log/logger';
import type { Authenticate, CallContext } from './call-context';
import { UnaryCallContext } from './unary-call-context';
import { requestIdOf } from './request-id';
import { REASON_KEY, toServiceError } from './status';

export type UnaryHandler<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res>;

type Unwrap<T> = T extends handleUnaryCall<infer Req, infer Res> ? UnaryHandler<Req, Res> : never;

/**
 * A service's handlers, typed from ts-proto's `<Name>Server` interface: one async function per
 * unary method taking the request and the call context and returning the response.
 */
export type Handlers<S> = { [K in keyof S as string extends K ? never : K]: Unwrap<S[K]> };

export interface BindOptions {
  authenticate: Authenticate;
  logger: Logger;
}

/**
 * Turns plain async handlers into a grpc-js implementation: request id, authentication,
 * cancellation signal, logging and the one error mapper, with no per-method code.
 */
export function bindService<S>(
  definition: ServiceDefinition,
  handlers: Handlers<S>,
  { authenticate, logger }: BindOptions,
): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    if (method.requestStream || method.responseStream) throw new Error(`bindService: ${method.path} is streaming`);
    const handler = (handlers as Record<string, UnaryHandler<unknown, unknown>>)[name];
    if (!handler) throw new Error(`bindService: no handler for ${method.path}`);
    impl[name] = async (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      const requestId = requestIdOf(call.metadata.get('x-request-id'));
      const ctx = new UnaryCallContext(requestId, call.metadata, logger, method.path);
      call.on('cancelled', () => ctx.cancel());
      const started = process.hrtime.bigint();
      const trailer = new Metadata();
      trailer.set('x-request-id', requestId);
      try {
        const principal = await authenticate(call.metadata);
        if (!principal) throw unauthenticated('missing or invalid credential');
        ctx.principal = principal;
        const res = await handler(call.request, ctx);
        ctx.finish();
        if (logger.isLevelEnabled('debug')) ctx.logger.debug({ ms: Number(process.hrtime.bigint() - started) / 1e6, subject: principal.subject }, 'ok');
        callback(null, res, trailer);
      } catch (err) {
        ctx.finish();
        const log = ctx.logger;
        const e = toServiceError(err, requestId, log);
        e.metadata?.set('x-request-id', requestId);
        if (e.code !== status.INTERNAL) log.info({ code: e.code, reason: e.metadata?.get(REASON_KEY)[0] }, e.details ?? 'failed');
        callback(e);
      }
    };
  }
  return impl;
}
