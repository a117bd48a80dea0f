import type { Query, StatQuery, StatResult } from '../../gen/tally/core/v1/query';
import { notFound } from '../errors/domain-error';
import { compileQuery, compileStatQuery, domainScope, pageGroups, type QuerySchema } from '../query';
import type { Collection, Doc, Filter, Store, TxContext } from '../store/port';

/** Either the store or a transaction: both hand out collections. */
export type Source = Store | TxContext;

/**
 * A domain-scoped resource collection: every read and write is limited to one domain, so
 * another domain's id answers NOT_FOUND and changes nothing.
 */
export class ResourceCollection<T extends Doc & { domain_id: string }> {
  constructor(
    readonly name: string,
    /** Singular resource name used in errors, e.g. "project". */
    readonly resource: string,
    readonly schema: QuerySchema,
  ) {}

  in(source: Source): Collection<T> {
    return source.collection<T>(this.name);
  }

  async find(source: Source, domainId: string, id: string): Promise<T | null> {
    return this.in(source).findOne({ _id: id, domain_id: domainId });
  }

  /** The record, or NOT_FOUND when it does not exist in this domain. */
  async get(source: Source, domainId: string, id: string): Promise<T> {
    const doc = id ? await this.find(source, domainId, id) : null;
    if (!doc) throw notFound(this.resource, id || '(empty id)');
    return doc;
  }

  async list(source: Source, domainId: string, query: Query | undefined, extra?: Filter): Promise<{ results: T[]; total: number }> {
    const { filter, options } = compileQuery(query, this.schema);
    const scoped = domainScope(extra ? { $and: [filter, extra] } : filter, domainId);
    const coll = this.in(source);
    const [results, total] = await Promise.all([coll.find(scoped, options), coll.count(scoped)]);
    return { results, total };
  }

  async stat(source: Source, domainId: string, query: StatQuery | undefined, extra?: Filter): Promise<StatResult> {
    const compiled = compileStatQuery(query, this.schema);
    const scoped = domainScope(extra ? { $and: [compiled.filter, extra] } : compiled.filter, domainId);
    const groups = await this.in(source).group(scoped, compiled.group);
    return pageGroups(groups, compiled);
  }
}
