import { AsyncLocalStorage } from 'node:async_hooks';
import { assertCollectionName, assertIndexSpecs } from '../input-guards';
import type { Collection, Doc, IndexSpec, Store, TxContext } from '../port';
import { AsyncMutex } from './async-mutex';
import { BaseView } from './base-view';
import type { OpContext } from './doc-view';
import { EmbeddedCollection } from './embedded-collection';
import { DataDir } from './persistence/data-dir';
import { StoreState } from './store-state';
import { TxState, WriteConflict } from './tx-state';
import { TxView } from './tx-view';

export interface EmbeddedStoreOptions {
  /** Folder the data is kept in (created when missing); in memory only when absent. */
  dataDir?: string;
  /** With dataDir: compact the journal into a new snapshot once it outgrows this and the snapshot (64 MiB). */
  compactAfterBytes?: number;
}

/** How often a transaction is run again after a write conflict before giving up. */
const MAX_ATTEMPTS = 10;

/**
 * The embedded store: MongoDB's collection operations (the port's subset) over in-memory
 * collections with indexes, optionally kept in a data folder. Transactions run one at a time;
 * their writes are staged and applied together, synchronously, at commit. A write outside
 * any transaction that changes a document a running transaction read or wrote makes that
 * transaction run again, as MongoDB's withTransaction does after a write conflict.
 */
export async function createEmbeddedStore(options: EmbeddedStoreOptions = {}): Promise<Store> {
  const state = new StoreState();
  let dataDir: DataDir | null = null;
  if (options.dataDir) {
    dataDir = await DataDir.open(
      options.dataDir,
      { restore: (op) => state.apply(op), dump: () => state.dump() },
      { compactAfterBytes: options.compactAfterBytes },
    );
    const journal = dataDir;
    state.journal = (ops) => journal.append(ops);
  }
  return new EmbeddedStore(state, dataDir);
}

class EmbeddedStore implements Store {
  private closed = false;
  private readonly mutex = new AsyncMutex();
  private readonly current = new AsyncLocalStorage<TxState>();
  private readonly committed: OpContext = {
    view: (name) => new BaseView(this.state, name),
    run: (op) => {
      this.assertOpen();
      return op();
    },
  };

  constructor(
    private readonly state: StoreState,
    private readonly dataDir: DataDir | null,
  ) {}

  collection<T extends Doc = Doc>(name: string): Collection<T> {
    assertCollectionName(name);
    return new EmbeddedCollection<T>(name, this.committed);
  }

  async ensureIndexes(collection: string, indexes: IndexSpec[]): Promise<void> {
    this.assertOpen();
    assertCollectionName(collection);
    assertIndexSpecs(collection, indexes);
    const c = this.state.ensure(collection);
    const added = c.planIndexes(indexes);
    this.state.record(added.map((index) => ({ c: collection, ix: index.spec })));
    c.addIndexes(added);
  }

  async transaction<R>(fn: (tx: TxContext) => Promise<R>): Promise<R> {
    this.assertOpen();
    if (this.current.getStore()?.active) {
      throw new Error('embedded store: a transaction cannot start inside another; use the TxContext it was given');
    }
    return this.mutex.run(async () => {
      for (let attempt = 1; ; attempt++) {
        const tx = new TxState();
        let result: R;
        try {
          result = await this.current.run(tx, () => fn(this.txContext(tx)));
        } finally {
          tx.active = false;
        }
        if (tx.failure) throw tx.failure.error;
        try {
          const ops = tx.prepareCommit(this.state);
          this.state.record(ops);
          for (const op of ops) this.state.apply(op);
          return result;
        } catch (err) {
          if (!(err instanceof WriteConflict)) throw err;
          if (attempt >= MAX_ATTEMPTS) throw err.cause ?? err;
        }
      }
    });
  }

  async ping(): Promise<void> {
    this.assertOpen();
  }

  /** Transactions asked for before close() still run and commit; then the folder is released. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.mutex.run(async () => undefined);
    this.dataDir?.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('embedded store: the store is closed');
  }

  private txContext(tx: TxState): TxContext {
    const ctx: OpContext = {
      view: (name) => new TxView(this.state, tx.overlay(name), name),
      run: (op) => {
        if (!tx.active) throw new Error('embedded store: the transaction has already ended');
        if (tx.failure) {
          throw new Error('embedded store: the transaction was aborted by an earlier error', { cause: tx.failure.error });
        }
        try {
          return op();
        } catch (err) {
          tx.failure = { error: err };
          throw err;
        }
      },
    };
    return {
      collection: <T extends Doc = Doc>(name: string) => {
        assertCollectionName(name);
        return new EmbeddedCollection<T>(name, ctx);
      },
    };
  }
}
