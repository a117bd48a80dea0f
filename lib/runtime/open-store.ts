import type { Logger } from '../log/logger';
import { createEmbeddedStore } from '../store/embedded';
import { createMongoStore } from '../store/mongo';
import type { Store } from '../store/port';

/** MongoDB when a URL is configured (one database per service), the embedded store otherwise. */
export async function openStore(opts: { mongoUrl?: string; dataDir?: string; database: string; logger: Logger }): Promise<Store> {
  if (opts.mongoUrl) {
    opts.logger.info({ database: opts.database }, 'store: MongoDB');
    return createMongoStore({ url: opts.mongoUrl, database: opts.database });
  }
  const dataDir = opts.dataDir ? `${opts.dataDir}/${opts.database}` : undefined;
  opts.logger.info({ dataDir: dataDir ?? '(memory)' }, 'store: embedded');
  return createEmbeddedStore({ dataDir });
}
