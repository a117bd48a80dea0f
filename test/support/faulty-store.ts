import type { Collection, Doc, Store, TxContext } from '../../lib/store/port';

/**
 * Wraps a store so that the next write to one collection fails, inside transactions too:
 * tests use it to show a change is stored whole or not at all.
 */
export function faultyStore(store: Store): Store & { failNextWrite(collection: string): void } {
  let failing: string | null = null;
  const wrap = <T extends Doc>(name: string, c: Collection<T>): Collection<T> =>
    new Proxy(c, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || !['insertOne', 'insertMany', 'replaceOne', 'updateOne'].includes(String(prop))) return value;
        return (...args: unknown[]) => {
          if (failing === name) {
            failing = null;
            return Promise.reject(new Error(`injected write failure on ${name}`));
          }
          return value.apply(target, args);
        };
      },
    });
  const txWrap = (tx: TxContext): TxContext => ({ collection: <T extends Doc>(n: string) => wrap(n, tx.collection<T>(n)) });
  return {
    collection: <T extends Doc>(n: string) => wrap(n, store.collection<T>(n)),
    ensureIndexes: (n, i) => store.ensureIndexes(n, i),
    transaction: (fn) => store.transaction((tx) => fn(txWrap(tx))),
    ping: () => store.ping(),
    close: () => store.close(),
    failNextWrite(collection: string) {
      failing = collection;
    },
  };
}
