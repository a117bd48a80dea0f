import type { Condition, Query } from '../../../gen/tally/core/v1/query';
import { DomainError } from '../../errors/domain-error';
import type { QuerySchema } from '../schema';

/** A resource with one field of every kind, for the query tests. */
export const accountSchema: QuerySchema = {
  resource: 'service account',
  fields: {
    service_account_id: { type: 'string', stored: '_id' },
    name: 'string',
    provider: 'string',
    project_id: 'string',
    cost: 'number',
    enabled: 'boolean',
    created_at: 'datetime',
    labels: 'string[]',
    tags: 'map',
    data: 'map',
    counters: { type: 'map', values: 'number' },
    names: { type: 'map', values: 'string' },
  },
  keywordFields: ['service_account_id', 'name'],
  defaultSort: [{ key: 'name' }],
  maxPageLimit: 1000,
  defaultPageLimit: 100,
};

export const cond = (k: string, v: unknown, o = ''): Condition => ({ k, v, o });

export const query = (q: Partial<Query>): Query => ({
  filter: [],
  filterOr: [],
  sort: [],
  only: [],
  keyword: '',
  ...q,
});

/** Runs fn and returns the INVALID_ARGUMENT DomainError it throws (failing when it does not). */
export function invalid(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError && e.kind === 'INVALID_ARGUMENT') return e;
    throw e;
  }
  throw new Error('expected INVALID_ARGUMENT, but nothing was thrown');
}
