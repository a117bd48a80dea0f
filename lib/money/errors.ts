import { DomainError } from '../errors/domain-error';

/**
 * A decimal amount that cannot be parsed, or a result beyond the supported range. Always
 * INVALID_ARGUMENT: amounts come from requests, plugins and files.
 */
export class DecimalError extends DomainError {
  constructor(reason: 'MONEY.INVALID_DECIMAL' | 'MONEY.OUT_OF_RANGE', message: string, field?: string) {
    super('INVALID_ARGUMENT', reason, message, field);
    this.name = 'DecimalError';
  }
}
