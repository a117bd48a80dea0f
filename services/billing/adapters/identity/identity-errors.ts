import type { ServiceError } from '@grpc/grpc-js';
import { DomainError } from '../../../../lib/errors/domain-error';
import { fromServiceError } from '../../../../lib/grpc/status';

const isServiceError = (e: unknown): e is ServiceError =>
  typeof e === 'object' && e !== null && typeof (e as ServiceError).code === 'number' && 'details' in e;

/**
 * A failed call to identity as a DomainError: identity's own errors keep their kind, reason and
 * field; transport failures (identity down, deadline passed) get IDENTITY.<CODE>. The message
 * names the method; it never holds a credential (none is ever put in a request's error).
 */
export function identityError(method: string, err: unknown): DomainError {
  if (isServiceError(err)) {
    const d = fromServiceError(err);
    const reason = d.reason === d.kind ? `IDENTITY.${d.kind}` : d.reason;
    return Object.assign(new DomainError(d.kind, reason, `identity ${method}: ${d.message}`, d.field), { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return Object.assign(new DomainError('UNAVAILABLE', 'IDENTITY.UNAVAILABLE', `identity ${method}: ${message}`), { cause: err });
}
