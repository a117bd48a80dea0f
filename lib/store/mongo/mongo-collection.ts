import type {
  ClientSession,
  Collection as DriverCollection,
  Filter as DriverFilter,
  OptionalUnlessRequiredId,
  Sort,
  UpdateFilter,
} from 'mongodb';
import {
  assertDocument,
  assertDocuments,
  assertFilter,
  assertGroupSpec,
  assertPaging,
  assertReplacement,
  assertUpdate,
} from '../input-guards';
import type { Collection, Doc, Filter, FindOptions, GroupSpec, Update } from '../port';
import { mapMongoError } from './mongo-errors';
import { groupPipeline, groupRows } from './mongo-group';

/**
 * The port's collection operations through the official driver. Filters and updates pass
 * through as they are (the port's language is MongoDB's); every operation of a transaction
 * carries its session.
 */
export class MongoCollection<T extends Doc> implements Collection<T> {
  /**
   * session: the transaction's, when the collection is used inside one. atomically runs a
   * body in a transaction of its own (for the all-or-none writes made outside one).
   */
  constructor(
    private readonly coll: DriverCollection<Doc>,
    private readonly atomically: <R>(body: (session: ClientSession) => Promise<R>) => Promise<R>,
    private readonly session?: ClientSession,
  ) {}

  private get name(): string {
    return this.coll.collectionName;
  }

  private filter(filter: Filter): DriverFilter<Doc> {
    assertFilter(filter, this.name);
    return filter as DriverFilter<Doc>;
  }

  private async call<R>(op: () => Promise<R>): Promise<R> {
    try {
      return await op();
    } catch (err) {
      throw mapMongoError(err, this.name);
    }
  }

  async insertOne(doc: T): Promise<void> {
    assertDocument(doc, this.name);
    await this.call(() => this.coll.insertOne(doc as OptionalUnlessRequiredId<Doc>, { session: this.session }));
  }

  /** One ordered insertMany: in the caller's transaction, or in one of its own outside a transaction. */
  async insertMany(docs: readonly T[]): Promise<void> {
    assertDocuments(docs, this.name);
    if (docs.length === 0) return;
    const insert = (session: ClientSession) => this.coll.insertMany(docs as OptionalUnlessRequiredId<Doc>[], { session, ordered: true });
    const session = this.session;
    await this.call(() => (session ? insert(session) : this.atomically(insert)));
  }

  async findOne(filter: Filter): Promise<T | null> {
    const f = this.filter(filter);
    return (await this.call(() => this.coll.findOne(f, { session: this.session }))) as T | null;
  }

  async find(filter: Filter, options: FindOptions = {}): Promise<T[]> {
    const f = this.filter(filter);
    const { skip, limit } = assertPaging(options);
    const sort: Sort | undefined = options.sort?.length
      ? options.sort.map((s): [string, 1 | -1] => [s.field, s.direction])
      : undefined;
    const projection = options.projection
      ? Object.fromEntries([['_id', 1], ...options.projection.map((p) => [p, 1])])
      : undefined;
    return (await this.call(() =>
      this.coll.find(f, { session: this.session, sort, skip, limit, projection }).toArray(),
    )) as T[];
  }

  async count(filter: Filter): Promise<number> {
    const f = this.filter(filter);
    return this.call(() => this.coll.countDocuments(f, { session: this.session }));
  }

  async updateOne(filter: Filter, update: Update): Promise<number> {
    const f = this.filter(filter);
    assertUpdate(update, this.name);
    const result = await this.call(() =>
      this.coll.updateOne(f, update as UpdateFilter<Doc>, { session: this.session }),
    );
    return result.matchedCount;
  }

  async replaceOne(filter: Filter, doc: T): Promise<number> {
    const f = this.filter(filter);
    assertReplacement(doc, this.name);
    const result = await this.call(() => this.coll.replaceOne(f, doc, { session: this.session }));
    return result.matchedCount;
  }

  async deleteOne(filter: Filter): Promise<number> {
    const f = this.filter(filter);
    return (await this.call(() => this.coll.deleteOne(f, { session: this.session }))).deletedCount;
  }

  async deleteMany(filter: Filter): Promise<number> {
    const f = this.filter(filter);
    return (await this.call(() => this.coll.deleteMany(f, { session: this.session }))).deletedCount;
  }

  async group(filter: Filter, spec: GroupSpec): Promise<Record<string, unknown>[]> {
    const f = this.filter(filter);
    assertGroupSpec(spec);
    const rows = await this.call(() =>
      this.coll.aggregate(groupPipeline(f as Filter, spec), { session: this.session }).toArray(),
    );
    return groupRows(rows, spec);
  }
}
