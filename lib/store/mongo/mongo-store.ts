import { MongoClient, type ClientSession, type Db, type MongoClientOptions } from 'mongodb';
import { assertCollectionName, assertIndexSpecs } from '../input-guards';
import { partialIndexFilter, type Collection, type Doc, type IndexSpec, type Store, type TxContext } from '../port';
import { MongoCollection } from './mongo-collection';
import { mapMongoError } from './mongo-errors';

export interface MongoStoreOptions {
  /** mongodb:// or mongodb+srv:// URL. Transactions need a replica set (one node is enough). */
  url: string;
  /** One database per service. */
  database: string;
  /** How long an operation waits for a reachable server (the driver's default is 30 s). */
  serverSelectionTimeoutMS?: number;
}

/**
 * The MongoDB store, through the official driver. It connects on first use (so a service can
 * start, and report not serving, while MongoDB is down); ping() tells whether it answers.
 * Documents keep their string _id: the driver is never asked to make an ObjectId, and
 * undefined fields are left out as the embedded store does.
 */
export async function createMongoStore(options: MongoStoreOptions): Promise<Store> {
  if (!options.url) throw new TypeError('mongo store: a url is required');
  if (!options.database) throw new TypeError('mongo store: a database name is required');
  const clientOptions: MongoClientOptions = {
    ignoreUndefined: true,
    pkFactory: {
      createPk() {
        throw new TypeError('mongo store: a document needs a string _id');
      },
    },
  };
  if (options.serverSelectionTimeoutMS !== undefined) {
    clientOptions.serverSelectionTimeoutMS = options.serverSelectionTimeoutMS;
  }
  const client = new MongoClient(options.url, clientOptions);
  return new MongoStore(client, client.db(options.database));
}

class MongoStore implements Store {
  constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    assertCollectionName(name);
    return new MongoCollection<T>(this.db.collection<Doc>(name), this.atomically);
  }

  async ensureIndexes(collection: string, indexes: IndexSpec[]): Promise<void> {
    assertCollectionName(collection);
    assertIndexSpecs(collection, indexes);
    const specs = indexes
      .filter((i) => i.name !== '_id_')
      .map((i) => ({
        name: i.name,
        key: Object.fromEntries(i.fields.map((f) => [f, 1 as const])),
        ...(i.unique ? { unique: true } : {}),
        ...(i.partial ? { partialFilterExpression: partialIndexFilter(i.fields) } : {}),
      }));
    if (specs.length === 0) return;
    try {
      await this.db.collection(collection).createIndexes(specs);
    } catch (err) {
      throw mapMongoError(err, collection);
    }
  }

  async transaction<R>(fn: (tx: TxContext) => Promise<R>): Promise<R> {
    return this.atomically((session) => fn(this.txContext(session)));
  }

  /** Runs body in a transaction of its own session (run again by the driver after a transient error). */
  private readonly atomically = async <R>(body: (session: ClientSession) => Promise<R>): Promise<R> => {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(() => body(session), {
        readConcern: { level: 'snapshot' },
        writeConcern: { w: 'majority' },
      });
    } finally {
      await session.endSession();
    }
  };

  async ping(): Promise<void> {
    await this.client.db('admin').command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  private txContext(session: ClientSession): TxContext {
    return {
      collection: <T extends Doc = Doc>(name: string) => {
        assertCollectionName(name);
        return new MongoCollection<T>(this.db.collection<Doc>(name), this.atomically, session);
      },
    };
  }
}
