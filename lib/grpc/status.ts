import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { DomainError, type ErrorKind } from '../errors/domain-error';
import type { Logger } from '../log/logger';

const CODE: Record<ErrorKind, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  ABORTED: status.ABORTED,
  UNAVAILABLE: status.UNAVAILABLE,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  CANCELLED: status.CANCELLED,
  INTERNAL: status.INTERNAL,
};

/** Trailer keys that carry the stable reason code and the field at fault. */
export const REASON_KEY = 'tally-error-reason';
export const FIELD_KEY = 'tally-error-field';

/**
 * The one error mapper of the gRPC transport: a DomainError keeps its kind, message, reason and
 * field; anything else becomes INTERNAL with no detail but the request id (the cause is logged).
 */
export function toServiceError(err: unknown, requestId: string, logger: Logger): Partial<ServiceError> {
  const metadata = new Metadata();
  if (err instanceof DomainError) {
    metadata.set(REASON_KEY, err.reason);
    if (err.field) metadata.set(FIELD_KEY, err.field);
    return { code: CODE[err.kind], details: err.message, metadata };
  }
  logger.error({ err, request_id: requestId }, 'unhandled error');
  metadata.set(REASON_KEY, 'INTERNAL');
  return { code: status.INTERNAL, details: `internal error (request ${requestId})`, metadata };
}

/** Reads a gRPC error coming back from another service into a DomainError (for clients). */
export function fromServiceError(err: ServiceError): DomainError {
  const entry = Object.entries(CODE).find(([, c]) => c === err.code);
  const kind = (entry?.[0] ?? 'INTERNAL') as ErrorKind;
  const reason = String(err.metadata?.get(REASON_KEY)[0] ?? kind);
  const field = err.metadata?.get(FIELD_KEY)[0];
  return new DomainError(kind, reason, err.details, field === undefined ? undefined : String(field));
}
