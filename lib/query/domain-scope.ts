import { DomainError } from '../errors/domain-error';
import type { Filter } from '../store/port';

/**
 * ANDs `domain_id == domainId` onto a filter. Every repository scopes its reads and writes
 * with this; because the scope is a separate AND term, nothing in a user's filter (not even a
 * domain_id condition or an $or) can widen it.
 */
export function domainScope(filter: Filter, domainId: string): Filter {
  if (typeof domainId !== 'string' || domainId === '')
    throw new DomainError('INTERNAL', 'QUERY.DOMAIN_SCOPE_MISSING', 'a domain id is required to scope a query');
  const scope: Filter = { domain_id: { $eq: domainId } };
  if (Object.keys(filter).length === 0) return scope;
  return { $and: [scope, filter] };
}
