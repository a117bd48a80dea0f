import type { OutgoingHttpHeaders } from 'node:http2';
import { status } from '@grpc/grpc-js';
import { DomainError } from '../../../lib/errors/domain-error';
import { FIELD_KEY, REASON_KEY } from '../../../lib/grpc/status';

/** HTTP status of each gRPC code (DESIGN section 8); any other code is 500. */
const HTTP_STATUS: Partial<Record<status, number>> = {
  [status.OK]: 200,
  [status.INVALID_ARGUMENT]: 400,
  [status.FAILED_PRECONDITION]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.ALREADY_EXISTS]: 409,
  [status.ABORTED]: 409,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNAVAILABLE]: 503,
};

export const httpStatusOf = (code: status): number => HTTP_STATUS[code] ?? 500;

/** The JSON error body: `{code, message, details: {reason, field?, request_id}}`. */
export interface ErrorBody {
  code: string;
  message: string;
  details: { reason: string; field?: string; request_id: string };
}

export interface HttpFailure {
  httpStatus: number;
  body: ErrorBody;
}

/** A failure from a backend's gRPC status and trailers. */
export function fromGrpcStatus(code: status, message: string, trailers: OutgoingHttpHeaders, requestId: string): HttpFailure {
  const name = status[code] ?? 'UNKNOWN';
  const reason = trailers[REASON_KEY];
  const field = trailers[FIELD_KEY];
  return {
    httpStatus: httpStatusOf(code),
    body: {
      code: name,
      message,
      details: { reason: typeof reason === 'string' ? reason : name, ...(typeof field === 'string' ? { field } : {}), request_id: requestId },
    },
  };
}

/** A failure the gateway itself decided (bad JSON, no credential...); anything else is INTERNAL. */
export function fromError(err: unknown, requestId: string, httpStatus?: number): HttpFailure {
  if (err instanceof DomainError) {
    const code = status[err.kind as keyof typeof status] as status;
    return {
      httpStatus: httpStatus ?? httpStatusOf(code),
      body: { code: err.kind, message: err.message, details: { reason: err.reason, ...(err.field ? { field: err.field } : {}), request_id: requestId } },
    };
  }
  return {
    httpStatus: 500,
    body: { code: 'INTERNAL', message: `internal error (request ${requestId})`, details: { reason: 'INTERNAL', request_id: requestId } },
  };
}
