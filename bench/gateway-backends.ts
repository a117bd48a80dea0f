/**
 * The `gateway` benchmark's back ends in a process of their own (forked by bench/gateway.ts):
 * identity and billing (test/support/suite.ts), a domain with an API key and one project. Sends
 * the addresses, the internal token secret, the key and the project id to the parent over IPC,
 * then serves until told to stop or until the parent goes away.
 */
import { startSuite, type Suite } from '../test/support/suite';
import type { BackendsReady, ChildMessage } from './gateway-child';

let suite: Suite | undefined;

async function stop(code: number): Promise<never> {
  try {
    await suite?.stop();
  } finally {
    process.exit(code);
  }
}

async function main(): Promise<void> {
  suite = await startSuite();
  const d = await suite.identity.root.domains.create({ name: 'Bench' });
  const project = (await suite.identity.as(d.key).projects.create({ name: 'bench' })).project;
  const ready: BackendsReady = {
    identityAddress: suite.identity.address,
    billingAddress: suite.billingAddress,
    internalSecret: suite.identity.config.TALLY_INTERNAL_TOKEN_SECRET,
    key: d.key,
    projectId: project.projectId,
  };
  process.send?.({ ready } satisfies ChildMessage<BackendsReady>);
}

process.on('disconnect', () => void stop(0)); // the parent died or closed the channel
process.on('SIGTERM', () => void stop(0));
main().catch((err: unknown) => {
  process.send?.({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ChildMessage<BackendsReady>);
  void stop(1);
});
