import { Metadata, type MethodDefinition, type ServerUnaryCall, type ServiceDefinition, type UntypedServiceImplementation, type sendUnaryData } from '@grpc/grpc-js';
import { unauthenticated } from '../../../lib/errors/domain-error';
import { bearer } from '../../../lib/grpc/call-context';
import type { BoundService } from '../../../lib/grpc/server';
import { toServiceError } from '../../../lib/grpc/status';
import type { Logger } from '../../../lib/log/logger';
import type { Authenticator } from '../auth/authenticator';
import type { PublicMethod } from '../contract/public-api';
import { requestIdOf } from '../../../lib/grpc/request-id';
import { outboundDeadline, type CancelHook, type Upstream } from '../upstream/forward';

export interface ProxyOptions {
  auth: Authenticator;
  upstream: Upstream;
  logger: Logger;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
}

const passThrough = (b: Buffer) => b;

/**
 * One grpc-js service per exposed service, built from the descriptor set: every method takes the
 * request bytes, authenticates the caller's API key, and forwards the bytes untouched with a
 * signed token and a deadline; the backend's status, message and trailers come back as they are.
 */
export function proxyServices(methods: PublicMethod[], o: ProxyOptions): BoundService[] {
  const byService = new Map<string, PublicMethod[]>();
  for (const m of methods) byService.set(m.service, [...(byService.get(m.service) ?? []), m]);
  return [...byService].map(([name, ms]) => {
    const definition: Record<string, MethodDefinition<Buffer, Buffer>> = {};
    const implementation: UntypedServiceImplementation = {};
    for (const m of ms) {
      const def: MethodDefinition<Buffer, Buffer> = {
        path: m.grpcPath,
        requestStream: false,
        responseStream: false,
        requestSerialize: passThrough,
        requestDeserialize: passThrough,
        responseSerialize: passThrough,
        responseDeserialize: passThrough,
        originalName: m.name,
      };
      definition[m.name] = def;
      implementation[m.name] = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) => {
        void proxyCall(m, call, callback, o);
      };
    }
    return { name, definition: definition as ServiceDefinition, implementation };
  });
}

async function proxyCall(m: PublicMethod, call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>, o: ProxyOptions): Promise<void> {
  const requestId = requestIdOf(call.metadata.get('x-request-id'));
  // A child logger only when something is logged (debug on success, or an error).
  const log = () => o.logger.child({ request_id: requestId, method: m.grpcPath });
  const cancel: CancelHook = { cancelled: false, onCancel: undefined };
  call.on('cancelled', () => {
    cancel.cancelled = true;
    cancel.onCancel?.();
  });
  try {
    const credential = bearer(call.metadata);
    const principal = credential ? await o.auth.verify(credential) : null;
    if (!principal) throw unauthenticated('missing or invalid API key');
    const deadline = outboundDeadline(call.getDeadline(), o.defaultDeadlineMs, o.maxDeadlineMs);
    const { status, response } = await o.upstream.forward({
      backend: m.backend,
      grpcPath: m.grpcPath,
      request: call.request,
      principal,
      requestId,
      deadline,
      cancel,
    });
    const trailers = status.metadata ?? new Metadata();
    if (!trailers.get('x-request-id').length) trailers.set('x-request-id', requestId);
    if (o.logger.isLevelEnabled('debug')) log().debug({ code: status.code, subject: principal.subject }, 'forwarded');
    if (response) callback(null, response, trailers);
    else callback({ code: status.code, details: status.details, metadata: trailers });
  } catch (err) {
    const e = toServiceError(err, requestId, log());
    e.metadata?.set('x-request-id', requestId);
    callback(e);
  }
}
