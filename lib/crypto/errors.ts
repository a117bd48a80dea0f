import { DomainError } from '../errors/domain-error';

export type SecretErrorCode =
  /** The record's master key version is not configured. */
  | 'KEY_VERSION_UNKNOWN'
  /** The record's master key version is below the configured minimum. */
  | 'KEY_VERSION_RETIRED'
  /** The record is not a sealed secret (missing fields, bad base64, wrong lengths). */
  | 'MALFORMED'
  /** A tag did not verify: a byte changed, or the record was moved to another domain or id. */
  | 'AUTHENTICATION_FAILED'
  /** The domain id or secret id given to bind the record is empty. */
  | 'INVALID_AAD';

/**
 * A secret could not be sealed, opened or re-wrapped. The message names the cause and, where
 * useful, key versions; it never holds plaintext or key material.
 */
export class SecretCryptoError extends DomainError {
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super('INTERNAL', `SECRET.${code}`, message);
    this.name = 'SecretCryptoError';
  }
}
