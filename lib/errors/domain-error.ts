/**
 * Domain errors carry a kind (which becomes a transport status), a stable reason code
 * (e.g. SERVICE_ACCOUNT.PROJECT_REQUIRED) that clients may match on, a message a user can
 * act on, and the field at fault when there is one. Messages never contain credentials.
 */
export type ErrorKind =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'RESOURCE_EXHAUSTED'
  | 'ABORTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'INTERNAL';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly reason: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalidArgument = (reason: string, field: string, message: string) =>
  new DomainError('INVALID_ARGUMENT', reason, message, field);

export const notFound = (resource: string, id: string) =>
  new DomainError('NOT_FOUND', `${resource.toUpperCase().replace(/ /g, '_')}.NOT_FOUND`, `${resource} ${id} not found`);

export const alreadyExists = (reason: string, message: string, field?: string) =>
  new DomainError('ALREADY_EXISTS', reason, message, field);

export const failedPrecondition = (reason: string, message: string) =>
  new DomainError('FAILED_PRECONDITION', reason, message);

export const permissionDenied = (message: string) =>
  new DomainError('PERMISSION_DENIED', 'AUTH.PERMISSION_DENIED', message);

export const unauthenticated = (message: string) =>
  new DomainError('UNAUTHENTICATED', 'AUTH.UNAUTHENTICATED', message);

export const unavailable = (reason: string, message: string) =>
  new DomainError('UNAVAILABLE', reason, message);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
