import type { Collection, Doc, Store } from '../../store/port';
import { createEmbeddedStore } from '../../store/embedded';

export interface TestStore extends Store {
  /** Makes the next `times` calls of a collection operation ('deleteOne', 'find', ...) throw. */
  failNext(op: keyof Collection, times?: number): void;
}

/**
 * The embedded store (in memory), with failures that can be injected into its collection
 * operations outside transactions, to test how the relay copes with a store that fails.
 */
export async function createTestStore(): Promise<TestStore> {
  const store = await createEmbeddedStore();
  const failures = new Map<string, number>();
  const failing = <T extends Doc>(c: Collection<T>): Collection<T> =>
    new Proxy(c, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const left = failures.get(String(prop)) ?? 0;
          if (left > 0) {
            failures.set(String(prop), left - 1);
            return Promise.reject(new Error(`injected ${String(prop)} failure`));
          }
          return value.apply(target, args);
        };
      },
    });
  return {
    collection: <T extends Doc>(name: string) => failing(store.collection<T>(name)),
    ensureIndexes: (name, indexes) => store.ensureIndexes(name, indexes),
    transaction: (fn) => store.transaction(fn),
    ping: () => store.ping(),
    close: () => store.close(),
    failNext(op, times = 1) {
      failures.set(op, times);
    },
  };
}
