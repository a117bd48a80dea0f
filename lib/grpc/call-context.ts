import type { Metadata } from '@grpc/grpc-js';
import type { Principal } from '../auth/principal';
import type { Logger } from '../log/logger';

/** What a handler knows about the call besides its request. */
export interface CallContext {
  requestId: string;
  principal: Principal;
  logger: Logger;
  /** Aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  metadata: Metadata;
}

/** Resolves the caller from the call's metadata; null means the credential is missing or wrong. */
export type Authenticate = (metadata: Metadata) => Promise<Principal | null>;

/** Reads a Bearer credential from the `authorization` metadata. */
export function bearer(metadata: Metadata): string | null {
  return bearerOf(metadata.get('authorization')[0]);
}

/** The credential of an `authorization` value `Bearer <credential>` (any case), or null. */
export function bearerOf(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return m ? m[1].trim() : null;
}
