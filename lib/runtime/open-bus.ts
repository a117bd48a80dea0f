import type { Logger } from '../log/logger';
import { createMemoryBus } from '../events/memory';
import { createNatsBus } from '../events/nats';
import type { EventBus } from '../events/port';

export interface StreamSpec {
  name: string;
  subjects: string[];
}

/** NATS JetStream when a URL is configured, the in-process bus otherwise (single process). */
export async function openBus(opts: { natsUrl?: string; stream: StreamSpec; logger: Logger }): Promise<EventBus> {
  if (opts.natsUrl) {
    opts.logger.info({ stream: opts.stream.name }, 'bus: NATS JetStream');
    return createNatsBus({ servers: opts.natsUrl, stream: opts.stream, logger: opts.logger });
  }
  opts.logger.info('bus: in-process');
  return createMemoryBus();
}
