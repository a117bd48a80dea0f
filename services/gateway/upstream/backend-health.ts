import type { Client } from '@grpc/grpc-js';
import { CLIENT_OPTIONS, insecure } from '../../../lib/grpc/client';
import { healthClientConstructor, type Dependency } from '../../../lib/grpc/health';
import type { Backend } from '../contract/exposure';

/** Each backend as a dependency of the gateway: up while its gRPC health check says SERVING. */
export function backendDependencies(endpoints: Record<Backend, string>, timeoutMs: number): { dependencies: Dependency[]; close(): void } {
  const Health = healthClientConstructor();
  const clients: Client[] = [];
  const dependencies = (Object.entries(endpoints) as [Backend, string][]).map(([name, endpoint]) => {
    const client = new Health(endpoint, insecure(), CLIENT_OPTIONS);
    clients.push(client);
    const check = () =>
      new Promise<boolean>((resolve) => {
        (client as unknown as { check: (req: object, opts: object, cb: (err: Error | null, res?: { status: string }) => void) => void }).check(
          { service: '' },
          { deadline: new Date(Date.now() + timeoutMs) },
          (err, res) => resolve(!err && res?.status === 'SERVING'),
        );
      });
    return { name, check };
  });
  return { dependencies, close: () => clients.forEach((c) => c.close()) };
}
